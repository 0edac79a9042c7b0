"""
A station's notices of the bureau's review: its record (or its proposed change of an approved record)
was approved or returned. Written by `bureau.rules.services.record_review` / `change_review`, to the
station user who submitted it; read on the station's home page.

The notice links to the record's station page. Which page that is, the station portal knows
(`bureau.station.records.station_record_url`, above the rules): it is handed in once at start-up
(`use_record_url`, from `BureauConfig.ready`), so the rules never import the portal's pages.
"""

from collections.abc import Callable

from bureau.models import Notice, PendingChange
from bureau.roles import is_station_staff

_record_url: Callable[[object], str] = lambda record: ""  # noqa: E731


def use_record_url(func: Callable[[object], str]) -> None:
    """How a notice links to a record's station page: `func(record) -> url` ("" when it has none)."""
    global _record_url
    _record_url = func


def record_name(record) -> str:
    """「走访慰问 春节走访 张三（2026-11-02）」: the type and the record, as the station knows it."""
    return f"{type(record)._meta.verbose_name} {record}"


def _notify(user, text: str, record) -> Notice | None:
    # The bureau's own records (and a submitter since gone from the stations) need no notice.
    if user is None or not is_station_staff(user):
        return None
    return Notice.objects.create(
        audience=Notice.Audience.USER, recipient=user, text=text[:300], url=_record_url(record)[:300]
    )


def record_reviewed(record, *, approve: bool) -> Notice | None:
    """The record the station submitted was approved, or returned with `record.return_reason`."""
    name = record_name(record)
    text = f"区局已审核通过您提交的“{name}”。" if approve else f"区局已退回您提交的“{name}”：{record.return_reason}"
    return _notify(record.submitted_by, text, record)


def change_reviewed(change: PendingChange, *, approve: bool) -> Notice | None:
    """The change the station proposed to an approved record was applied, or returned with its reason."""
    record = change.model._base_manager.filter(pk=change.object_id).first()
    if record is None:
        return None
    name = record_name(record)
    if approve:
        text = f"区局已审核通过您对“{name}”提议的修改。"
    else:
        text = f"区局已退回您对“{name}”提议的修改：{change.return_reason}"
    return _notify(change.proposed_by, text, record)
