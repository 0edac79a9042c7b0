"""
Rows read from the database become model instances without `Model.__init__`'s per-field `setattr`
(`install`, from BureauConfig.ready): `Model.from_db` puts the row's values into the new instance's
`__dict__` in one step, where that is all `__init__` would do.

A list page builds a few hundred instances (the admin's payment list: 100 payments, each with its
person, programme and batch, 55 columns); `__init__` sets each field through `setattr`, about two
thirds of the time a row takes from the database cursor to an instance (measured: 2.6 of 3.9 ms for
the payment list's 100 rows on PostgreSQL; 3.2 ms in all with this, and 600 bytes an instance, not 920). What `__init__` does for a row read from the database,
given every loaded value by position: a fresh `ModelState`, each value under the field's `attname`
(a deferred one left out), then the init signals. The same result without it holds when the class
has no `__init__` of its own, nothing listens to `pre_init` or `post_init` for it, and no field's
`attname` is a data descriptor other than Django's foreign key id (whose `__set__` only forgets a
cached related object, which a new instance does not have). Otherwise Django's `from_db` runs.
"""

import inspect

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init

DJANGOS_FROM_DB = Model.__dict__["from_db"]

# Per model class: the concrete fields' attnames in order, or None where a field's attribute is a data descriptor.
_attnames: dict[type, tuple[str, ...] | None] = {}


def plain_init(model) -> bool:
    """Whether making an instance is `Model.__init__` alone: no `__init__` of its own, no init signal listened to."""
    return model.__init__ is Model.__init__ and not pre_init.has_listeners(model) and not post_init.has_listeners(model)


def _plain_attnames(model) -> tuple[str, ...] | None:
    names = []
    for field in model._meta.concrete_fields:
        descriptor = inspect.getattr_static(model, field.attname, None)
        if hasattr(type(descriptor), "__set__") and type(descriptor) is not ForeignKeyDeferredAttribute:
            return None
        names.append(field.attname)
    return tuple(names)


def from_db(cls, db, field_names, values):
    """`Model.from_db`: the instance Django's makes, its values put in place at once (module docstring)."""
    try:
        attnames = _attnames[cls]
    except KeyError:
        attnames = _attnames[cls] = _plain_attnames(cls)
    # `__init__` looked up each time (a test may replace it); the signals' receiver lists before the
    # per-class lookup: they are empty in this portal.
    if (
        attnames is None
        or cls.__init__ is not Model.__init__
        or ((pre_init.receivers or post_init.receivers) and not plain_init(cls))
    ):
        return DJANGOS_FROM_DB.__func__(cls, db, field_names, values)
    state = ModelState()
    state.adding = False
    state.db = db
    new = Model.__new__(cls)
    loaded = {"_state": state}
    if len(values) == len(attnames):
        loaded.update(zip(attnames, values, strict=True))
    else:
        # Some fields deferred: the loaded ones come in the model's field order (as Django's from_db reads them).
        given = iter(values)
        loaded.update((name, next(given)) for name in attnames if name in field_names)
    new.__dict__ = loaded
    return new


def install() -> None:
    """Every model's `from_db` (a model's own `from_db` calling `super()` included) builds rows this way."""
    Model.from_db = classmethod(from_db)
