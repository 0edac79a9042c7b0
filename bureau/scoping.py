"""
Township scoping: the one rule deciding which records a user may see.

Every queryset the admin, the station portal, the API, exports and reports
hand to a user goes through `ScopedQuerySet.visible_to(user)`.
"""

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


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Records the user may see: all for bureau-wide roles, their township's for station staff."""
        if sees_all_townships(user):
            return self
        township = township_of(user)
        if township is None:
            return self.none()
        return self.filter(**{self.model.township_lookup: township})

    def in_township(self, township):
        if township is None:
            return self
        return self.filter(**{self.model.township_lookup: township})
