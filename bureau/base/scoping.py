"""
Township scoping: the one rule deciding which records a user may see.

Every queryset the admin, the station portal, the API, exports and reports
hand to a user goes through `ScopedQuerySet.visible_to(user)`.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

VIEW_ALL_TOWNSHIPS_PERMISSION = "bureau.view_all_townships"


def sees_all_townships(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm(VIEW_ALL_TOWNSHIPS_PERMISSION))
    )


def township_of(user):
    """The township a station user works for, or None."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    return getattr(user, "township", None)


def scope_queryset(queryset, user, township_lookup: str):
    """
    The rule itself: all rows for bureau-wide roles, the rows of their own township
    for station staff, none for anybody else. Also used for history tables, whose
    rows mirror a model's township lookup.
    """
    if sees_all_townships(user):
        return queryset
    township = township_of(user)
    if township is None:
        return queryset.none()
    return queryset.filter(**{township_lookup: township})


def township_of_record(record):
    """The township a record belongs to, following its model's `township_lookup` (None: district-wide)."""
    value = record
    for attribute in record.township_lookup.split("__"):
        try:
            value = getattr(value, attribute)
        except ObjectDoesNotExist:
            return None
        if value is None:
            return None
    return value


class ScopedQuerySet(models.QuerySet):
    """
    Rows of a model that declares `township_lookup` (a path to its township), or
    `scope_through` (a foreign key to a parent: the row is visible when the parent is,
    e.g. a fair's participating enterprises follow the fair's own rule).
    """

    def visible_to(self, user):
        """Records the user may see: all for bureau-wide roles, their township's for station staff."""
        through = getattr(self.model, "scope_through", None)
        if through:
            parent = self.model._meta.get_field(through).related_model
            return self.filter(**{f"{through}__in": parent._default_manager.visible_to(user)})
        return scope_queryset(self, user, self.model.township_lookup)

    def in_township(self, township):
        if township is None:
            return self
        return self.filter(**{self.model.township_lookup: township})
