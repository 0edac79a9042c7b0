"""
The station's to-do list (待办, `/station/todo/`): what the township is expected to do this year and has
not done (the areas' declarations, `bureau.rules.todo.expectations`), late first, then the core's own
rows: records the bureau returned for correction, and the station's changes waiting for the bureau.
Each row links to the station page that closes it. It lives in the station layer because a returned
record is linked to its station page (`bureau.station.records`).
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Model
from django.shortcuts import render
from django.utils import timezone

from bureau.base.scoping import township_of
from bureau.models import PendingChange, ReviewStatus, TownshipRecord
from bureau.roles import portal_apps, station_models
from bureau.rules.todo import Row, expectations
from bureau.station.kit import station_required
from bureau.station.records import station_record_url

# The core's rows, grouped as the areas' expectations are.
CORE_AREA = "区局审核"
RETURNED_KEY, RETURNED_LABEL = "core.returned", "退回修改的记录"
WAITING_KEY, WAITING_LABEL = "core.pending_changes", "等待区局审核的修改"
WAITING_DETAIL = "等待区局审核"


@dataclass(frozen=True)
class TodoGroup:
    """One expectation's open rows (late first), or one of the core's lists."""

    area: str
    key: str
    label: str
    unit: str
    rows: tuple[Row, ...]
    late: int = 0
    period: str = ""
    information: bool = False  # nothing for the station to do: it waits for the bureau

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class StationTodo:
    township: object
    year: int
    today: datetime.date
    groups: tuple[TodoGroup, ...]

    @property
    def count(self) -> int:
        """What the station has to do (the nav badge): open rows and returned records, not what waits for the bureau."""
        return sum(group.count for group in self.groups if not group.information)

    @property
    def late(self) -> int:
        return sum(group.late for group in self.groups)


def station_record_models() -> list[type[Model]]:
    """The workflow record types station staff keep (`station_models()`, `TownshipRecord` subclasses), in a fixed order."""
    names, labels = station_models(), portal_apps()
    found = [
        model
        for model in apps.get_models()
        if model._meta.model_name in names and model._meta.app_label in labels and issubclass(model, TownshipRecord)
    ]
    return sorted(found, key=lambda model: model._meta.label_lower)


def _related(model) -> list[str]:
    """The forward relations a record's label may read (`str(record)` names its person): fetched with it."""
    skip = {"township", "submitted_by", "reviewed_by"}
    return [f.name for f in model._meta.concrete_fields if f.many_to_one and f.name not in skip]


def record_label(record) -> str:
    return f"{record._meta.verbose_name}：{record}"


def returned_rows(user) -> list[Row]:
    """Records of the township returned for correction: one query per station record type."""
    rows = []
    for model in station_record_models():
        returned = (
            model._default_manager.visible_to(user)
            .filter(review_status=ReviewStatus.RETURNED)
            .select_related(*_related(model))
            .order_by("-reviewed_at", "-pk")
        )
        rows += [
            Row(
                label=record_label(record),
                done=False,
                url=station_record_url(record),
                detail=f"退回原因：{record.return_reason}" if record.return_reason else "已退回，请修改后重新提交",
            )
            for record in returned
        ]
    return rows


def returned_count(user) -> int:
    return sum(
        model._default_manager.visible_to(user).filter(review_status=ReviewStatus.RETURNED).count()
        for model in station_record_models()
    )


def waiting_rows(user) -> list[Row]:
    """The station's proposed changes of approved records, waiting for the bureau: one query per record type."""
    changes = (
        PendingChange.objects.visible_to(user)
        .pending()
        .select_related("content_type")
        .prefetch_related(
            GenericPrefetch(
                "record",
                [model._default_manager.select_related(*_related(model)) for model in station_record_models()],
            )
        )
        .order_by("-proposed_at", "-pk")
    )
    rows = []
    for change in changes:
        if change.record is None:
            continue  # the record was deleted; the change goes with it
        rows.append(
            Row(
                label=record_label(change.record),
                done=False,
                url=station_record_url(change.record),
                detail=WAITING_DETAIL,
            )
        )
    return rows


def station_todo(user, *, today: datetime.date | None = None) -> StationTodo:
    """The station user's township's to-do list of the current year (`today`'s)."""
    today = today or timezone.localdate()
    township = township_of(user)
    groups = []
    for expectation in expectations(township=township, year=today.year, today=today):
        rows = expectation.open_rows(today)
        groups.append(
            TodoGroup(
                area=expectation.area,
                key=expectation.key,
                label=expectation.label,
                unit=expectation.unit,
                rows=tuple(rows),
                late=sum(1 for row in rows if row.late_on(today)),
                period=expectation.period,
            )
        )
    groups.append(TodoGroup(CORE_AREA, RETURNED_KEY, RETURNED_LABEL, "条", tuple(returned_rows(user))))
    groups.append(TodoGroup(CORE_AREA, WAITING_KEY, WAITING_LABEL, "条", tuple(waiting_rows(user)), information=True))
    return StationTodo(township, today.year, today, tuple(groups))


def station_todo_count(user, *, today: datetime.date | None = None) -> int:
    """The nav badge: the open rows of the current year and the returned records (a fixed number of queries)."""
    today = today or timezone.localdate()
    township = township_of(user)
    if township is None:
        return 0
    open_rows = sum(
        len(expectation.open_rows(today))
        for expectation in expectations(township=township, year=today.year, today=today)
    )
    return open_rows + returned_count(user)


@station_required
def todo(request):
    listing = station_todo(request.user)
    areas: dict[str, list[TodoGroup]] = {}
    for group in listing.groups:
        areas.setdefault(group.area, []).append(group)
    return render(
        request,
        "station/todo.html",
        {
            "todo": listing,
            "areas": [
                {"label": area, "groups": groups, "count": sum(g.count for g in groups)}
                for area, groups in areas.items()
            ],
        },
    )
