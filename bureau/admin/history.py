"""
The audit trail in the admin: a read-only, scoped and masked page for the history
table (django-simple-history) of every model of the portal.

Nothing here names a model. `register_history_admins()` runs from
`BureauConfig.ready()`, after every app's admin module is imported, finds each
model with a `history` and registers `HistoryAdmin` for its history table unless
the app registered an admin of its own. Scoping follows the mirrored model's
`township_lookup`; masking follows its `sensitive_fields` (bureau.base.masking).
"""

from contextlib import nullcontext

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_model_for_model

from bureau.admin.base import ReadOnlyAdmin
from bureau.base.masking import concrete_model, mask_for, sensitive_fields, shown
from bureau.base.scoping import scope_queryset, sees_all_townships
from bureau.roles import portal_apps
from bureau.rules.disclosure import revealing

OPERATIONS = {"+": "新增", "~": "修改", "-": "删除"}

# Labels of simple-history's own columns. Set on the fields at run time: a field's
# `verbose_name` is not what its migration records (`_verbose_name` is), so the
# history tables of every app get Chinese labels without a migration in each app.
HISTORY_FIELD_LABELS = {
    "history_id": "变更编号",
    "history_date": "操作时间",
    "history_change_reason": "变更原因",
    "history_type": "操作类型",
    "history_user": "操作人",
}
HISTORY_FIELDS = frozenset(HISTORY_FIELD_LABELS)

# Where the ID number of the person a record is about lives: the person itself, or its `person`.
ID_NUMBER_PATHS = ("id_number", "person__id_number")


def history_models(app_labels) -> list[type[models.Model]]:
    """The history tables of the models of these apps: every model that has a `history`."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in app_labels:
            continue
        try:
            found.append(get_history_model_for_model(model))
        except NotHistoricalModelError:
            continue
    return found


def label_history_model(history_model) -> None:
    """Chinese names for a history table, simple-history's columns and a row: `招聘会变更记录`, 操作时间 …"""
    record_model = concrete_model(history_model)
    name = f"{record_model._meta.verbose_name}变更记录"
    # Options.original_attrs (what migrations record) keeps simple-history's names; see HISTORY_FIELD_LABELS.
    history_model._meta.verbose_name = name
    history_model._meta.verbose_name_plural = name
    for field_name, label in {**HISTORY_FIELD_LABELS, record_model._meta.pk.name: "记录编号"}.items():
        history_model._meta.get_field(field_name).verbose_name = label
    # simple-history builds the class with its own "<record> as of <UTC date>", which also
    # fails on a row whose person has been deleted since; not part of any migration either.
    history_model.__str__ = describe_history_row


def record_as_it_was(history_row) -> str:
    """The mirrored record's str(), reusing the relations its history row loaded (list_select_related)."""
    record = history_row.instance
    for field in record._meta.concrete_fields:
        # A relation loaded as None points at a row deleted since: left to raise below.
        if field.is_relation and field.is_cached(history_row) and field.get_cached_value(history_row) is not None:
            field.set_cached_value(record, field.get_cached_value(history_row))
    try:
        return str(record)
    except ObjectDoesNotExist:
        return f"{record._meta.verbose_name} #{record.pk}"


def describe_history_row(history_row) -> str:
    """`王学员（新增，2024-03-01 10:00）`."""
    operation = OPERATIONS.get(history_row.history_type, history_row.history_type)
    return (
        f"{record_as_it_was(history_row)}（{operation}，{timezone.localtime(history_row.history_date):%Y-%m-%d %H:%M}）"
    )


def register_history_admins(site=admin.site) -> None:
    """A HistoryAdmin for every history table of the portal that has no admin yet."""
    for history_model in history_models(portal_apps()):
        label_history_model(history_model)
        if not site.is_registered(history_model):
            site.register(history_model, HistoryAdmin)


class OperationFilter(admin.SimpleListFilter):
    title = "操作类型"
    parameter_name = "history_type"

    def lookups(self, request, model_admin):
        return list(OPERATIONS.items())

    def queryset(self, request, queryset):
        if self.value() in OPERATIONS:
            return queryset.filter(history_type=self.value())
        return queryset


class HistoryAdmin(ReadOnlyAdmin):
    """
    Read-only audit trail of one model: who changed which record, when, and what
    it held. Readable by those with the history table's `view` permission (the
    auditor), within their townships; sensitive values masked without the right.
    """

    date_hierarchy = "history_date"
    list_display_links = ["history_date"]
    search_fields = ["history_user__username", "history_user__first_name"]
    search_help_text = "按操作人的用户名或姓名查找"
    change_form_template = "admin/history/change_form.html"

    def __init__(self, model, admin_site):
        self.record_model = concrete_model(model)
        self.township_lookup = getattr(self.record_model, "township_lookup", None)
        self.id_number_path = next((path for path in ID_NUMBER_PATHS if mask_for(model, path)), None)
        self.id_number_mask = mask_for(model, self.id_number_path) if self.id_number_path else None
        self.list_display = ["history_date", "operator", "operation", "record"]
        if self.id_number_path:
            self.list_display.append("masked_id_number")
        self.list_filter = [OperationFilter]
        if self.township_lookup:
            self.list_filter.append(self.township_lookup)
        # The columns `record` prints: the mirrored record's relations, loaded with the rows.
        self.list_select_related = [field.name for field in model._meta.fields if isinstance(field, models.ForeignKey)]
        super().__init__(model, admin_site)

    # --- scoping and masking --------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.township_lookup is None:
            # A model without a township lookup is the district's: only roles that see
            # every township read its history.
            return queryset if sees_all_townships(request.user) else queryset.none()
        return scope_queryset(queryset, request.user, self.township_lookup)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            return obj
        # The page is read-only (no form, no save), so the row is masked where it is shown;
        # one version of one record is a detail: whole for a role with the permission, audited.
        related_id = bool(self.id_number_path and self.id_number_path != "id_number")
        names = [*sensitive_fields(self.model), *([self.id_number_path] if related_id else [])]
        with revealing(request, obj, names) if names else nullcontext():
            for name, mask in sensitive_fields(self.model).items():
                setattr(obj, name, shown(request.user, getattr(obj, name), mask))
            if related_id:
                person = _related(obj, self.id_number_path.split("__")[0])
                obj.shown_id_number = shown(request.user, getattr(person, "id_number", ""), self.id_number_mask)
        return obj

    # --- the page -------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        # In the record's own order (the history table puts its relations last).
        tracked = {field.name for field in self.model._meta.fields}
        record_fields = [field.name for field in self.record_model._meta.fields if field.name in tracked]
        if self.id_number_path and self.id_number_path != "id_number":
            record_fields.append("shown_id_number")
        return [
            ("变更", {"fields": ["history_date", "operator", "operation", "history_change_reason"]}),
            ("变更后的记录" if obj is None or obj.history_type != "-" else "删除前的记录", {"fields": record_fields}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [field for _, options in self.get_fieldsets(request, obj) for field in options["fields"]]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": self.opts.verbose_name_plural, **(extra_context or {})})

    # --- columns --------------------------------------------------------------------

    @admin.display(description="操作人", ordering="history_user__username")
    def operator(self, obj):
        user = obj.history_user
        if user is None:
            return "系统"
        name = user.get_full_name()
        return f"{name}（{user.username}）" if name else user.username

    @admin.display(description="操作类型", ordering="history_type")
    def operation(self, obj):
        return OPERATIONS.get(obj.history_type, obj.history_type)

    @admin.display(description="记录")
    def record(self, obj):
        return record_as_it_was(obj)

    # The trail shows whose record changed; the whole number is on one record's page for those allowed.
    @admin.display(description="身份证号")
    def masked_id_number(self, obj):
        relation, _, field = self.id_number_path.rpartition("__")
        holder = _related(obj, relation) if relation else obj
        return self.id_number_mask(getattr(holder, field, "") or "")

    @admin.display(description="身份证号")
    def shown_id_number(self, obj):
        return getattr(obj, "shown_id_number", "")


@require_safe
def history_index_view(request, *, site):
    """
    「变更记录」: the history lists the user may read, by area (the index has one entry per area,
    `?area=<app label>`, instead of a link per record type). An area the user reads no history
    of is a 404, as Django's app index answers.
    """
    areas = site.history_lists(request)
    label = request.GET.get("area")
    if label:
        areas = [area for area in areas if area["app_label"] == label]
        if not areas:
            raise Http404("没有该业务领域的变更记录。")
    context = {
        **site.each_context(request),
        "title": f"{areas[0]['name']} · 变更记录" if label else "变更记录",
        "areas": areas,
        "area": areas[0] if label else None,
    }
    return TemplateResponse(request, "admin/history/index.html", context)


def _related(obj, name):
    """A related object of a history row, or None when it has been deleted since."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None
