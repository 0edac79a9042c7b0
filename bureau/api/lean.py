"""
Lean API lists: a list page read as `.values()` rows and turned into the serializer's JSON without
building a model instance or calling the serializer's `to_representation` for each row.

The plan (`lean_plan`) is made once per request from the serializer the list would use: each
readable field becomes a column of `.values()` (a dotted source such as `person.name` a join,
`person__name`; a `get_<field>_display` source the field's choices; a slug relation the slug
column) and a function that gives what the field's own `to_representation` gives. The output is
the same dict as the serializer's, key for key and in the same order; the sensitive fields are
masked as `ScopedModelSerializer.to_representation` masks a list (`shown()`, so that an open
`disclosure()` counts them), and a nested list of a reverse relation (a person's categories) is
one more query for the page, as its prefetch was.

A serializer with anything else (a method field, a model property as a source, a nested single
object, a many-to-many, its own `to_representation`) has no plan: its list is serialized as
before. Detail answers and writes always go through the serializer.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.encoding import force_str
from rest_framework import ISO_8601, serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from bureau.base.masking import shown

DISPLAY = re.compile(r"^get_(\w+)_display$")


class NoPlan(Exception):
    """The serializer has a field the lean path cannot give exactly as the serializer does."""


def _identity_field(drf_field, model_field) -> bool:
    """True where the field's `to_representation` returns the value `.values()` already gives."""
    if isinstance(drf_field, serializers.PrimaryKeyRelatedField):
        return drf_field.pk_field is None
    if type(drf_field) is serializers.CharField:
        return isinstance(model_field, models.CharField | models.TextField)
    if type(drf_field) is serializers.IntegerField:
        return isinstance(model_field, models.IntegerField | models.AutoField)
    return False


def _representation_defined_by(serializer_class) -> type:
    """The class whose `to_representation` a serializer uses."""
    for klass in serializer_class.__mro__:
        if "to_representation" in vars(klass):
            return klass
    return object


def _own_representation(serializer) -> bool:
    """True when the serializer adds nothing of its own to the kit's `to_representation`."""
    from bureau.api.serializers import ScopedModelSerializer

    defined_by = _representation_defined_by(type(serializer))
    return defined_by in (serializers.Serializer, ScopedModelSerializer)


def _quick_representation(drf_field) -> Callable:
    """
    The field's `to_representation`, with a shortcut for the values `.values()` gives most often
    (a choice's string, a date in ISO 8601) that answers what it answers; other values go to it.
    """
    to_representation = drf_field.to_representation
    if type(drf_field) is serializers.ChoiceField:
        strings_to_values = drf_field.choice_strings_to_values

        def choice(value):
            if type(value) is str and value:
                return strings_to_values.get(value, value)
            return to_representation(value)

        return choice
    output_format = getattr(drf_field, "format", api_settings.DATE_FORMAT)
    if (
        type(drf_field) is serializers.DateField
        and isinstance(output_format, str)
        and output_format.lower() == ISO_8601
    ):

        def date(value):
            return value.isoformat() if type(value) is datetime.date else to_representation(value)

        return date
    if (
        type(drf_field) is serializers.DateTimeField
        and settings.USE_TZ
        and not hasattr(drf_field, "timezone")
        and isinstance(getattr(drf_field, "format", api_settings.DATETIME_FORMAT), str)
        and getattr(drf_field, "format", api_settings.DATETIME_FORMAT).lower() == ISO_8601
    ):
        return _InZone(to_representation)
    return to_representation


class _InZone:
    """
    A date-time field's `to_representation` in the request's current time zone (DRF's default),
    looked up once per page: `_InZone(...)(zone)` is the function for this page's values.
    """

    def __init__(self, to_representation):
        self.to_representation = to_representation

    def __call__(self, zone) -> Callable:
        to_representation = self.to_representation

        def date_time(value):
            if type(value) is not datetime.datetime or value.utcoffset() is None:
                return to_representation(value)
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return date_time


@dataclass
class Step:
    key: str  # the output key
    column: str  # the `.values()` key
    convert: Callable | None  # applied to a value that is not None
    in_zone: bool = False  # `convert` takes the request's time zone and gives the function to apply


@dataclass
class Nested:
    key: str
    plan: "LeanPlan"
    fk_column: str  # the child's column holding the parent's pk
    queryset: models.QuerySet = field(repr=False)


class LeanPlan:
    def __init__(self, serializer, model, queryset=None):
        if not isinstance(serializer, serializers.ModelSerializer) or not _own_representation(serializer):
            raise NoPlan(type(serializer).__name__)
        self.model = model
        self.pk = model._meta.pk.name
        annotations = set(queryset.query.annotations) if queryset is not None else set()
        self.prefetches = queryset._prefetch_related_lookups if queryset is not None else ()
        self.steps: list[Step] = []
        self.nested: list[Nested] = []
        self.keys: list[str] = []
        for drf_field in serializer._readable_fields:
            self.keys.append(drf_field.field_name)
            if isinstance(drf_field, serializers.ListSerializer):
                self.nested.append(self._nested(drf_field))
            else:
                self.steps.append(self._step(drf_field, annotations))
        # As ScopedModelSerializer.to_representation masks a list (never revealed: see LeanListMixin).
        self.masks = list(getattr(serializer, "sensitive_masks", {}).items())
        # Reused by later requests only where no serializer of it builds its fields per request.
        self.reusable = _fields_defined_by(type(serializer)) and all(nested.plan.reusable for nested in self.nested)
        self.columns = list(dict.fromkeys([self.pk, *(step.column for step in self.steps)]))

    def _step(self, drf_field, annotations: set) -> Step:
        attrs = list(drf_field.source_attrs)
        if not attrs:
            raise NoPlan(drf_field.field_name)  # source="*"
        if isinstance(drf_field, serializers.SlugRelatedField):
            attrs += drf_field.slug_field.split("__")
        elif isinstance(
            drf_field, serializers.RelatedField | serializers.ManyRelatedField | serializers.Serializer
        ) and not isinstance(drf_field, serializers.PrimaryKeyRelatedField):
            raise NoPlan(drf_field.field_name)
        if len(attrs) == 1 and attrs[0] in annotations:
            return Step(drf_field.field_name, attrs[0], drf_field.to_representation)
        model, path, nullable = self.model, [], False
        for position, name in enumerate(attrs[:-1]):
            relation = self._field(model, name, drf_field)
            if not (relation.concrete and (relation.many_to_one or relation.one_to_one)):
                raise NoPlan(drf_field.field_name)
            # An empty relation on the way to the source is an AttributeError for the serializer;
            # the slug's own relation (the last of the source) is a None it answers as None.
            nullable = nullable or (relation.null and position < len(drf_field.source_attrs) - 1)
            path.append(name)
            model = relation.related_model
        if nullable and (not drf_field.allow_null or drf_field.default is not empty):
            # The serializer would skip the key, or give its default, where the relation is empty.
            raise NoPlan(drf_field.field_name)
        last = attrs[-1]
        display = DISPLAY.match(last)
        if display and not isinstance(drf_field, serializers.RelatedField):
            model_field = self._field(model, display.group(1), drf_field)
            if not model_field.concrete or model_field.is_relation or not model_field.choices:
                raise NoPlan(drf_field.field_name)
            labels = dict(model_field.flatchoices)
            to_representation = drf_field.to_representation

            def convert(value, labels=labels, to_representation=to_representation):
                # As Model._get_FIELD_display, in the request's language.
                return to_representation(force_str(labels.get(value, value), strings_only=True))

            return Step(drf_field.field_name, "__".join([*path, model_field.name]), convert)
        model_field = self._field(model, last, drf_field)
        if not model_field.concrete or model_field.many_to_many:
            raise NoPlan(drf_field.field_name)
        if model_field.is_relation != isinstance(drf_field, serializers.PrimaryKeyRelatedField):
            raise NoPlan(drf_field.field_name)
        if isinstance(drf_field, serializers.FileField | serializers.SerializerMethodField):
            raise NoPlan(drf_field.field_name)
        # A foreign key by its column (`selection_id`): a selected `selection` would make the list's
        # ordering on `selection` order by the id instead of the related model's ordering.
        column = "__".join([*path, model_field.attname if model_field.is_relation else model_field.name])
        if isinstance(drf_field, serializers.SlugRelatedField):
            convert = None  # the slug's value as it is (SlugRelatedField.to_representation)
        elif _identity_field(drf_field, model_field):
            convert = None
        elif isinstance(drf_field, serializers.PrimaryKeyRelatedField):
            convert = drf_field.pk_field.to_representation
        else:
            convert = _quick_representation(drf_field)
            if isinstance(convert, _InZone):
                return Step(drf_field.field_name, column, convert, in_zone=True)
        return Step(drf_field.field_name, column, convert)

    @staticmethod
    def _field(model, name: str, drf_field):
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            raise NoPlan(drf_field.field_name) from None

    def _nested(self, list_field) -> Nested:
        attrs = list_field.source_attrs
        if type(list_field) is not serializers.ListSerializer or len(attrs) != 1:
            raise NoPlan(list_field.field_name)
        relation = self._field(self.model, attrs[0], list_field)
        if not (relation.one_to_many and relation.auto_created) or relation.field.target_field != self.model._meta.pk:
            raise NoPlan(list_field.field_name)
        child_model = relation.related_model
        # As the reverse manager and its prefetch read them: the default manager, its ordering,
        # or the queryset of the list's own `Prefetch` of the relation.
        queryset = child_model._default_manager.all()
        for lookup in self.prefetches:
            if isinstance(lookup, Prefetch) and lookup.prefetch_through == attrs[0]:
                if lookup.to_attr:
                    raise NoPlan(list_field.field_name)
                if lookup.queryset is not None:
                    queryset = lookup.queryset
        plan = LeanPlan(list_field.child, child_model, queryset)
        fk_column = relation.field.attname
        # Rows equal in the ordering come in the order of their ids (the prefetch left them to the database).
        # Terms through the parent itself (`person`, i.e. the person's own ordering) are the same for
        # all of one parent's rows, which are grouped by parent anyway: left out, with their joins.
        parent = relation.field
        ordering = [
            *(
                term
                for term in queryset.query.order_by or child_model._meta.ordering
                if not isinstance(term, str)
                or term.lstrip("-") not in (parent.name, parent.attname)
                and not term.lstrip("-").startswith(f"{parent.name}__")
            ),
            child_model._meta.pk.name,
        ]
        queryset = queryset.order_by(*ordering)
        plan.columns = list(dict.fromkeys([fk_column, *plan.columns]))
        return Nested(list_field.field_name, plan, fk_column, queryset)

    def values(self, queryset, extra: tuple[str, ...] = ()):
        """The queryset's rows as dicts of the plan's columns (and `extra` ones, e.g. a keyset's)."""
        return queryset.prefetch_related(None).values(*dict.fromkeys([*self.columns, *extra]))

    def rows(self, values: list[dict], user) -> list[dict]:
        """The serializer's output for each row, in order, as `user` is shown it."""
        zone = timezone.get_current_timezone()  # once per page, not per date-time value
        steps = self.request_steps(zone)
        data = [self.row(row, user, steps) for row in values]
        if self.nested and values:
            ids = [row[self.pk] for row in values]
            for nested in self.nested:
                children: dict = {pk: [] for pk in ids}
                child_rows = nested.queryset.filter(**{f"{nested.fk_column}__in": ids}).values(*nested.plan.columns)
                child_steps = nested.plan.request_steps(zone)
                for child_row in child_rows:
                    children[child_row[nested.fk_column]].append(nested.plan.row(child_row, user, child_steps))
                for row, pk in zip(data, ids, strict=True):
                    row[nested.key] = children[pk]
        return data

    def request_steps(self, zone) -> list[tuple[str, str, Callable | None]]:
        """(key, column, convert) of each step, a date-time's convert bound to the request's time zone."""
        return [(step.key, step.column, step.convert(zone) if step.in_zone else step.convert) for step in self.steps]

    def row(self, values: dict, user, steps=None) -> dict:
        out = dict.fromkeys(self.keys)
        for key, column, convert in steps if steps is not None else self.request_steps(timezone.get_current_timezone()):
            value = values[column]
            if value is not None and convert is not None:
                value = convert(value)
            out[key] = value
        for key, mask in self.masks:
            value = out[key]
            if value:
                out[key] = shown(user, value, mask)
        return out


def _fields_defined_by(serializer_class) -> bool:
    """True when the serializer's fields are the kit's (not built from the request by a `get_fields` of its own)."""
    from bureau.api.serializers import ScopedModelSerializer

    for klass in serializer_class.__mro__:
        if "get_fields" in vars(klass):
            return klass in (serializers.ModelSerializer, ScopedModelSerializer)
    return False


# Plans of the serializers whose fields do not depend on the request, by serializer and queryset shape.
_plans: dict = {}


def lean_plan(serializer_class, context: dict, queryset) -> LeanPlan | None:
    """
    The plan of a list of `serializer_class` with this context (None where there is none, and for one
    record's answer, `reveal`): made once for a serializer whose fields are the kit's, else per request.
    """
    model = getattr(getattr(serializer_class, "Meta", None), "model", None)
    if context.get("reveal") or model is not queryset.model:
        return None
    key = (serializer_class, frozenset(queryset.query.annotations), tuple(queryset._prefetch_related_lookups))
    if key in _plans:
        return _plans[key]
    try:
        plan = LeanPlan(serializer_class(context=context), model, queryset)
    except NoPlan:
        plan = None
    if plan is None or plan.reusable:
        _plans[key] = plan
    return plan
