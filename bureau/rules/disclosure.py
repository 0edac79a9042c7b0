"""
The disclosure policy: a whole sensitive value leaves the portal only as an audit event.

One record's detail page, opened by a user with the permission, shows whole values inside
`revealing()`, and each opening is an audit event naming the record and the fields (PIPL
Art. 51/55). The masks and `shown()` are in `bureau.base.masking`, which the models import;
this half imports the audit trail, which imports the models, so it cannot live there.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from bureau.base.masking import can_view_sensitive, sensitive_fields, unmasked
from bureau.rules import audit


def record_sensitive_view(request, obj, fields=None) -> bool:
    """
    For a user with the permission, record that one record's whole values were shown (an
    audit event naming the fields) and answer True; answer False for anyone else.
    """
    if not can_view_sensitive(getattr(request, "user", None)):
        return False
    names = list(fields if fields is not None else sensitive_fields(type(obj)))
    audit.record(audit.Kind.SENSITIVE_VIEW, request=request, obj=obj, fields=names)
    return True


@contextmanager
def revealing(request, obj, fields=None) -> Iterator[bool]:
    """
    One record's detail: inside the block `shown()` gives a user with the permission whole
    values, and the opening is an audit event (who, whom, when, from where, which fields).
    Yields whether values are whole. `fields` defaults to the fields the record's model declares.
    """
    if not record_sensitive_view(request, obj, fields):
        yield False
        return
    with unmasked():
        yield True
