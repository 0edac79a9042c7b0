"""
What a station has submitted, over every record type of the core and of every area: the home page's
counts per area and type, and 「提交记录」 across all of them, newest first.

The record types are the station models (`bureau.roles`: the core's CORE_STATION_MODELS, each area's
`station_models`) that go through the review workflow (`TownshipRecord`), each with its station
pages found by the URL naming rule (`bureau.station.records`). Nothing here names an area.
"""

from dataclasses import dataclass
from functools import cache
from urllib.parse import urlencode

from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.urls import reverse

from bureau.areas import area_configs
from bureau.models import Person, ReviewStatus, TownshipRecord
from bureau.roles import CORE_STATION_MODELS
from bureau.station.kit import PAGE_SIZE, with_pending_change_flag
from bureau.station.records import station_list_url, station_pages, station_record_url

#: The statuses the home page counts (a draft is the station's own, not yet handed in).
COUNTED_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.RETURNED, ReviewStatus.APPROVED)
COUNTED_LABELS = {
    ReviewStatus.SUBMITTED: "已提交（待审核）",
    ReviewStatus.RETURNED: "已退回",
    ReviewStatus.APPROVED: "已通过",
}
# The workflow fields every record has: not what a row is called by.
NOT_LABEL_RELATIONS = {"township", "submitted_by", "reviewed_by"}


@dataclass(frozen=True)
class RecordType:
    key: str  # "app_label.model_name", the 提交记录 page's `?type=`
    model: type
    label: str
    #: Whether the type's station list shows this type (and so filters it by `?status=`): a list two
    #: types share (the merit notices and their delivery batches) is the shorter-named type's.
    own_list: bool

    @property
    def list_url(self) -> str:
        return station_list_url(self.model)

    @property
    def page_url(self) -> str:
        """The type's records: its own list, or else 提交记录 of this type."""
        list_url = self.list_url
        if self.own_list and list_url and list_url != reverse("station:submissions"):
            return list_url
        return f"{reverse('station:submissions')}?{urlencode({'type': self.key})}"

    def status_url(self, status: str) -> str:
        """The records of this type in one status: its own list filtered, or else 提交记录 filtered."""
        list_url = self.list_url
        if self.own_list and list_url and list_url != reverse("station:submissions"):
            return f"{list_url}?{urlencode({'status': status})}"
        return f"{reverse('station:submissions')}?{urlencode({'type': self.key, 'status': status})}"


@dataclass(frozen=True)
class Group:
    label: str
    types: tuple[RecordType, ...]


def _workflow_models(app_label: str, names) -> list:
    models = [apps.get_model(app_label, name) for name in names]
    return [model for model in models if issubclass(model, TownshipRecord)]


@cache
def record_groups() -> tuple[Group, ...]:
    """The core's record types, then each area's (in the areas' order), each group in its menu's order."""
    core = _workflow_models("bureau", CORE_STATION_MODELS)
    # The registry first; the core's other records (visits, check-ups) by name.
    core.sort(key=lambda model: (model is not Person, str(model._meta.verbose_name)))
    grouped = [(apps.get_app_config("bureau").verbose_name, core)]
    for area in area_configs():
        menu = [f"station:{area.label}:{entry.url_name}" for entry in area.station_menu]
        models = _workflow_models(area.label, area.station_models)

        def menu_position(model, menu=menu):
            pages = station_pages(model)
            listing = pages[1] if pages else ""
            return (menu.index(listing) if listing in menu else len(menu), model._meta.model_name)

        grouped.append((area.verbose_name, sorted(models, key=menu_position)))
    all_models = [model for _, models in grouped for model in models]
    return tuple(
        Group(label=str(label), types=tuple(_record_type(model, all_models) for model in models))
        for label, models in grouped
        if models
    )


def _record_type(model, all_models) -> RecordType:
    pages = station_pages(model)
    listing = pages[1] if pages else ""
    sharing = [other for other in all_models if (station_pages(other) or ("", ""))[1] == listing]
    own = bool(listing) and min(sharing, key=lambda other: len(other._meta.model_name)) is model
    return RecordType(key=model._meta.label_lower, model=model, label=str(model._meta.verbose_name), own_list=own)


def record_types() -> list[RecordType]:
    return [record_type for group in record_groups() for record_type in group.types]


def type_by_key(key: str) -> RecordType | None:
    return next((record_type for record_type in record_types() if record_type.key == key), None)


# --- the home page -----------------------------------------------------------------------


def status_counts(user, model) -> dict[str, int]:
    """{review status: number} of the user's visible records of one type: one grouped query."""
    rows = model.objects.visible_to(user).order_by().values_list("review_status").annotate(n=Count("pk"))
    return dict(rows)


def home_groups(user) -> list[dict]:
    """Per group, per record type: the counted statuses with their number and link (one query per type)."""
    groups = []
    for group in record_groups():
        rows = []
        for record_type in group.types:
            counts = status_counts(user, record_type.model)
            rows.append(
                {
                    "type": record_type,
                    "counts": [
                        {
                            "value": status.value,
                            "label": COUNTED_LABELS[status],
                            "count": counts.get(status.value, 0),
                            "url": record_type.status_url(status.value),
                        }
                        for status in COUNTED_STATUSES
                    ],
                    "all_counts": counts,
                }
            )
        groups.append({"label": group.label, "rows": rows})
    return groups


# --- 提交记录 ------------------------------------------------------------------------------


def _person_relations(model) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Person and field.name not in NOT_LABEL_RELATIONS
    ]


def _searched(records, text: str):
    """Records whose person (any relation to the registry) has the text in the name; none without one."""
    model = records.model
    if model is Person:
        return records.search(text)
    names = _person_relations(model)
    if not names:
        return records.none()
    matches = Person.objects.search(text).values("pk")
    condition = Q()
    for name in names:
        condition |= Q(**{f"{name}__in": matches})
    return records.filter(condition)


def _label_relations(model) -> list[str]:
    """The forward relations a row's name reads (a visit is called by its person): loaded with the row."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and field.many_to_one and field.name not in NOT_LABEL_RELATIONS
    ]


def submissions_page(user, *, types: list[RecordType], status: str, query: str, page_number):
    """
    One page of the user's records of `types`, newest first (`updated_at`): one `values()` query per
    type for the keys, merged here, then the page's rows loaded per type (with the pending-change flag).
    Each row gets `record_type` and `station_url`.
    """
    keys = []
    for index, record_type in enumerate(types):
        records = record_type.model.objects.visible_to(user).order_by()
        if status:
            records = records.filter(review_status=status)
        if query:
            records = _searched(records, query)
        keys += [(updated_at, index, pk) for pk, updated_at in records.values_list("pk", "updated_at")]
    keys.sort(key=lambda key: (key[0], -key[1], key[2]), reverse=True)
    page = Paginator(keys, PAGE_SIZE).get_page(page_number)
    wanted: dict[int, list[int]] = {}
    for _, index, pk in page.object_list:
        wanted.setdefault(index, []).append(pk)
    loaded = {}
    for index, pks in wanted.items():
        record_type = types[index]
        records = (
            record_type.model.objects.visible_to(user)
            .filter(pk__in=pks)
            .select_related(*_label_relations(record_type.model))
        )
        for record in with_pending_change_flag(records):
            record.record_type = record_type
            record.station_url = station_record_url(record)
            loaded[(index, record.pk)] = record
    page.object_list = [loaded[(index, pk)] for _, index, pk in page.object_list if (index, pk) in loaded]
    return page
