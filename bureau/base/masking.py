"""
Masking of personal identifiers: the masks, the declaration on the model, and `shown()`.

Which fields are sensitive is declared once, on the model, with the mask to apply:

    class Person(TownshipRecord):
        sensitive_fields = {"id_number": mask_id_number, "phone": mask_phone}

The admin, serializers, import/export resources, history pages and the person
file all read that declaration (`mask_for`, `shown`). Every value is shown
through `shown()`, which also tells an open `disclosure()` whether a whole
value left the portal, so the export log records what a file really held.

Every list, table, export and API list is masked, for every role (PIPL Art. 51:
the least disclosure the work needs). A whole value appears only inside
`unmasked()`: an export with whole values (the permission and a stated purpose),
or one record's detail opened through `bureau.rules.disclosure.revealing()`, which
writes the audit event naming the record and the fields. That policy lives apart
because it imports the audit trail, and the audit trail imports the models: this
module imports nothing of the project, so the models can declare their masks with it.
No URL carries a sensitive value: lookups, searches and filters on a sensitive
field in a query string are refused for every role; staff who may see the
number find a person by it in a POST body (`FIND_BY_ID_NUMBER`) or an API header.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist

SENSITIVE_PERMISSION = "bureau.view_sensitive_person"

# The answer to a filter, search or ordering on a sensitive field by a user without the permission:
# the row count of `?id_number__startswith=3201…` tells a masked number one digit at a time.
SENSITIVE_QUERY_REFUSED = (
    "不能在网址中按身份证号、联系电话等个人敏感信息筛选、搜索或排序；按完整身份证号查找请使用“按身份证号查找”。"
)

Mask = Callable[[str], str]


def can_view_sensitive(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(SENSITIVE_PERMISSION))


def mask_id_number(value: str) -> str:
    """`320102198001011234` -> `3201**********1234`."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """`13812345678` -> `138****5678`."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_bank_account(value: str) -> str:
    """`6222021234567890123` -> `****************0123`: only the last four digits."""
    if not value:
        return ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


# --- the declaration on the model ------------------------------------------------------


def concrete_model(model):
    """The model a history table mirrors (simple-history's `instance_type`), else the model itself."""
    return getattr(model, "instance_type", model)


def sensitive_fields(model) -> dict[str, Mask]:
    """`{field name: mask}` as declared on the model (or on the model a history table mirrors)."""
    return dict(getattr(concrete_model(model), "sensitive_fields", {}) or {})


def mask_for(model, path: str) -> Mask | None:
    """
    The mask of a field path such as `id_number` or `person__id_number`, following
    relations to the model that declares the field; None when it is not sensitive.
    """
    *relations, name = path.split("__")
    for relation in relations:
        try:
            model = concrete_model(model)._meta.get_field(relation).related_model
        except FieldDoesNotExist:
            return None
        if model is None:
            return None
    return sensitive_fields(model).get(name)


def is_sensitive_path(model, path: str) -> bool:
    """True when a lookup path (`person__id_number__startswith`) touches a sensitive field anywhere."""
    parts = path.lstrip("-").split("__")
    return any(mask_for(model, "__".join(parts[:end])) for end in range(1, len(parts) + 1))


def is_sensitive_search_field(model, search_field: str) -> bool:
    """True for an admin `search_fields` entry on a sensitive field: `=id_number`, `^person__phone`."""
    return is_sensitive_path(model, search_field.lstrip("^=@"))


# --- showing a value ---------------------------------------------------------------------


@dataclass
class Disclosure:
    """What an export (or page) showed: how many whole sensitive values, how many masked."""

    whole: int = 0
    masked: int = 0

    @property
    def unmasked(self) -> bool:
        return self.whole > 0


_disclosure: ContextVar[Disclosure | None] = ContextVar("disclosure", default=None)
# True inside `unmasked()` (and so inside `bureau.rules.disclosure.revealing()`): the one place whole values are shown.
_revealing: ContextVar[bool] = ContextVar("revealing", default=False)


@contextmanager
def unmasked() -> Iterator[None]:
    """
    Whole values inside the block, for users with the permission; the caller has recorded
    why (an export with its stated purpose, or the audit event of `revealing()`).
    """
    token = _revealing.set(True)
    try:
        yield
    finally:
        _revealing.reset(token)


def is_revealing() -> bool:
    return _revealing.get()


@contextmanager
def disclosure() -> Iterator[Disclosure]:
    """Count the sensitive values shown inside the block (`with disclosure() as shown: ...`)."""
    current = Disclosure()
    token = _disclosure.set(current)
    try:
        yield current
    finally:
        _disclosure.reset(token)


def shown(user, value, mask: Mask | None) -> str:
    """The value as this user may see it: whole with the permission inside `unmasked()`, masked otherwise."""
    if value in (None, ""):
        return "" if value is None else value
    value = str(value)
    if mask is None:
        return value
    current = _disclosure.get()
    if _revealing.get() and can_view_sensitive(user):
        if current is not None:
            current.whole += 1
        return value
    if current is not None:
        current.masked += 1
    return mask(value)


_DECLARED = object()


def shown_field(user, obj, path: str, mask: Mask | None = _DECLARED) -> str:
    """
    `shown()` for a field path of an object (`person__id_number`), masked as its model declares
    (`mask`: that declaration found already, by a caller showing the path for many objects).
    """
    value = obj
    for attribute in path.split("__"):
        value = getattr(value, attribute, None) if value is not None else None
    return shown(user, value, mask_for(type(obj), path) if mask is _DECLARED else mask)
