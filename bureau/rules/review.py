"""
The clerk's review inbox: what waits for a decision of the bureau, counted per kind
of record and per township, each count linking to the admin list of exactly those
records. The admin index shows it to users who review records
(`bureau.roles.reviews_records`), through the `review_inbox` template tag.

The inbox is built from sources, each a function `(request, site) -> list[InboxRow]`
that costs a bounded number of queries (one grouped query per model, never one per
township or per record):

- `submitted_record_rows`: workflow records (`TownshipRecord` subclasses) a station
  has submitted, for every model registered on the admin that the user may change.

- `pending_change_rows`: a station's edits of approved records (`PendingChange`), per
  kind of record and township, in one grouped query.

- `transfer_request_rows`: registrations of a number the district already holds
  (`TransferRequest`, 迁入申请), per township they would move to, in one grouped query.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F
from django.urls import reverse

from bureau.models import PendingChange, ReviewStatus, TownshipRecord, TransferRequest
from bureau.roles import reviews_records

DISTRICT_WIDE = "全区"


@dataclass(frozen=True)
class InboxRow:
    """One line of the inbox: `count` items of one model in one township, and the admin list showing them."""

    SUBMITTED_RECORD = "submitted_record"
    PENDING_CHANGE = "pending_change"
    TRANSFER_REQUEST = "transfer_request"

    kind: str  # SUBMITTED_RECORD, PENDING_CHANGE or TRANSFER_REQUEST: what waits, so the panel can say so
    model_label: str  # "bureau.person"
    verbose_name: str  # "人员"
    township_id: int | None  # None: a district-wide record
    township_name: str
    count: int
    url: str

    @property
    def heading(self) -> str:
        """The panel's first column: the model, and for pending changes that they are edits."""
        if self.kind == self.PENDING_CHANGE:
            return f"{self.verbose_name}（修改）"
        return self.verbose_name


def inbox(request, *, site: admin.AdminSite | None = None) -> list[InboxRow]:
    """Everything waiting for this user's review, in the order of the admin's areas; empty for non-reviewers."""
    if not reviews_records(request.user):
        return []
    site = site or admin.site
    rows = []
    for source in SOURCES:
        rows += source(request, site)
    return rows


def reviewable_admins(request, site: admin.AdminSite) -> list[admin.ModelAdmin]:
    """The registered admins of workflow records the user may change: core models first, then areas in their order."""
    found = [
        model_admin
        for model, model_admin in site._registry.items()
        if issubclass(model, TownshipRecord) and model_admin.has_change_permission(request)
    ]
    # Area apps declare an `order` (bureau.areas.AreaConfig); the core has none and comes first.
    return sorted(
        found,
        key=lambda model_admin: (
            getattr(model_admin.opts.app_config, "order", 0),
            model_admin.opts.app_label,
            str(model_admin.opts.verbose_name),
        ),
    )


def township_filter(model, township_id: int | None) -> dict[str, str]:
    """The change-list parameters of one township (or of district-wide records), as Django's list filter writes them."""
    lookup = model.township_lookup
    if township_id is None:
        return {f"{lookup}__isnull": "True"}
    return {f"{lookup}__id__exact": str(township_id)}


def changelist_url(model_admin: admin.ModelAdmin, site: admin.AdminSite, params: dict[str, str]) -> str:
    opts = model_admin.opts
    url = reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_changelist", current_app=site.name)
    return f"{url}?{urlencode(params)}"


def submitted_record_rows(request, site: admin.AdminSite) -> list[InboxRow]:
    """Submitted workflow records the user may see, per model and township: one grouped query per model."""
    rows = []
    for model_admin in reviewable_admins(request, site):
        model = model_admin.model
        lookup = model.township_lookup
        groups = (
            model._default_manager.visible_to(request.user)
            .awaiting_review()
            .order_by()
            .values(
                inbox_township=F(lookup),
                inbox_township_name=F(f"{lookup}__name"),
                inbox_township_order=F(f"{lookup}__order"),
            )
            .annotate(count=Count("pk"))
        )
        for group in sorted(groups, key=township_order):
            params = {
                "review_status__exact": ReviewStatus.SUBMITTED.value,
                **township_filter(model, group["inbox_township"]),
            }
            rows.append(inbox_row(InboxRow.SUBMITTED_RECORD, model, group, changelist_url(model_admin, site, params)))
    return rows


def inbox_row(kind: str, model, group: dict, url: str) -> InboxRow:
    """A row of one model's grouped count (`inbox_township`, `inbox_township_name`, `count`)."""
    return InboxRow(
        kind=kind,
        model_label=model._meta.label_lower,
        verbose_name=str(model._meta.verbose_name),
        township_id=group["inbox_township"],
        township_name=group["inbox_township_name"] or DISTRICT_WIDE,
        count=group["count"],
        url=url,
    )


def township_order(group: dict) -> tuple:
    """Townships in their own order, district-wide items (no township) last."""
    return (group["inbox_township"] is None, group["inbox_township_order"] or 0, group["inbox_township_name"] or "")


def pending_change_rows(request, site: admin.AdminSite) -> list[InboxRow]:
    """Proposed changes of approved records waiting for review, per kind of record and township: one query."""
    change_admin = site._registry.get(PendingChange)
    if change_admin is None:
        return []
    groups = (
        PendingChange.objects.visible_to(request.user)
        .pending()
        .order_by()
        .values(
            "content_type",
            inbox_township=F("township"),
            inbox_township_name=F("township__name"),
            inbox_township_order=F("township__order"),
        )
        .annotate(count=Count("pk"))
    )
    rows = []
    for group in sorted(groups, key=lambda group: (group["content_type"], *township_order(group))):
        model = ContentType.objects.get_for_id(group["content_type"]).model_class()  # cached by Django
        if model is None:
            continue
        params = {
            "status__exact": PendingChange.Status.PENDING.value,
            "content_type__id__exact": str(group["content_type"]),
            **township_filter(PendingChange, group["inbox_township"]),
        }
        rows.append(inbox_row(InboxRow.PENDING_CHANGE, model, group, changelist_url(change_admin, site, params)))
    return rows


def transfer_request_rows(request, site: admin.AdminSite) -> list[InboxRow]:
    """Pending transfer requests (迁入申请), per township the person would move to: one query."""
    transfer_admin = site._registry.get(TransferRequest)
    if transfer_admin is None or not transfer_admin.has_view_permission(request):
        return []
    groups = (
        TransferRequest.objects.visible_to(request.user)
        .pending()
        .order_by()
        .values(
            inbox_township=F("to_township"),
            inbox_township_name=F("to_township__name"),
            inbox_township_order=F("to_township__order"),
        )
        .annotate(count=Count("pk"))
    )
    rows = []
    for group in sorted(groups, key=township_order):
        params = {
            "state__exact": TransferRequest.State.PENDING.value,
            "to_township__id__exact": str(group["inbox_township"]),
        }
        url = changelist_url(transfer_admin, site, params)
        rows.append(inbox_row(InboxRow.TRANSFER_REQUEST, TransferRequest, group, url))
    return rows


# What the inbox counts; a source is `(request, site) -> list[InboxRow]` with a bounded number of queries.
SOURCES: list[Callable[..., list[InboxRow]]] = [submitted_record_rows, pending_change_rows, transfer_request_rows]
