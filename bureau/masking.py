"""Masking of personal identifiers for users without the permission to see them."""

SENSITIVE_PERMISSION = "bureau.view_sensitive_person"


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


def id_number_for(user, value: str) -> str:
    return value if can_view_sensitive(user) else mask_id_number(value)


def phone_for(user, value: str) -> str:
    return value if can_view_sensitive(user) else mask_phone(value)
