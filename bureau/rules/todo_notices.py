"""
The bureau's notices (`Notice`, audience 区局): that a station's expectation is complete
(bureau.rules.todo.completion_notices writes them). Read by bureau staff on the admin index, where
one is marked read by whoever of the bureau opens it first.
"""

from django.db.models import QuerySet
from django.utils import timezone

from bureau.models import Notice
from bureau.roles import reviews_records

SHOWN = 20


def bureau_notices_unread() -> QuerySet:
    return Notice.objects.filter(audience=Notice.Audience.BUREAU, read_at__isnull=True).select_related("township")


def bureau_notices_read(*, by, pk: int | None = None) -> int:
    """Mark one of the bureau's unread notices read (or all of them, pk None); the number marked."""
    if not reviews_records(by):
        return 0
    notices = bureau_notices_unread()
    if pk is not None:
        notices = notices.filter(pk=pk)
    # read_at is the notice's only state: no history, no version to keep.
    return notices.update(read_at=timezone.now())
