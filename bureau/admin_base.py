"""
The admin kit every area app builds on: township scoping of lists and of every
choice, masking of the sensitive fields each model declares, the write-scope
check, the submission workflow (approve / return), history and Excel
import/export. An area's admin.py is declarations on `RecordAdmin` (workflow
records) or `ScopedAdmin` (other scoped models), with `ScopedTabularInline`
and `AttachmentInline` for child rows.
"""

from contextlib import nullcontext

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import lookup_spawns_duplicates, quote, unquote
from django.contrib.admin.views.main import IGNORED_PARAMS, IS_POPUP_VAR, PAGE_VAR, ChangeList
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin

from bureau.base import masking
from bureau.base.concurrency import StaleWriteError, VersionFormMixin
from bureau.base.masking import can_view_sensitive
from bureau.base.query_params import undeclared_message
from bureau.base.scoping import sees_all_townships, township_of
from bureau.importexport import PortalImportForm, PortalXLSX, UploadRefused, jobs
from bureau.models import (
    Attachment,
    ExportLog,
    ImportJob,
    PendingChange,
    ReviewStatus,
    Township,
    TownshipRecord,
    VersionedModel,
)
from bureau.roles import reviews_records
from bureau.rules.accounts import keeps_session_idle
from bureau.rules.disclosure import record_sensitive_view
from bureau.rules.services import ScopeError, check_write_allowed, record_review, record_save


class UndeclaredLookup(DisallowedModelAdminLookup):
    """A query parameter that the change list does not declare (bureau.base.query_params)."""

    def __init__(self, name: str):
        super().__init__(f"Filtering by {name} is not declared")
        self.name = name


def popup_lookup(model, key: str, values) -> bool:
    """A parameter Django's raw-id popup adds from a foreign key's `limit_choices_to`."""
    for fk_lookup in model._meta.related_fkey_lookups:
        if callable(fk_lookup):
            fk_lookup = fk_lookup()
        allowed = url_params_from_lookup_dict(fk_lookup).items()
        if any((key, value) in allowed for value in values):
            return True
    return False


class AllowListChangeList(ChangeList):
    """
    A change list answering only the parameters its admin declares: those its list filters and
    date hierarchy take (Django pops them from the parameters while building the filters) and the
    admin's `declared_lookups`. Django's own parameters (`q`, `o`, `p`, `all`, `e`, `_popup`,
    `_to_field`, `_facets`) are not lookups. Django itself allows any lookup on a local field,
    JSON keys included (`?changes__phone__old__startswith=`): a lookup is refused unless declared.
    """

    def get_filters(self, request):
        asked = self.get_filters_params()
        declared = self.model_admin.declared_lookups(request)
        undeclared = [
            key
            for key, values in asked.items()
            if key not in declared and not (IS_POPUP_VAR in request.GET and popup_lookup(self.model, key, values))
        ]
        try:
            filters = super().get_filters(request)
        except IncorrectLookupParameters as error:
            # A parameter naming no field: refused as undeclared, rather than Django's `?e=1` page.
            if isinstance(error.__cause__, FieldDoesNotExist):
                for key in undeclared:
                    try:
                        lookup_spawns_duplicates(self.lookup_opts, key)
                    except FieldDoesNotExist:
                        raise UndeclaredLookup(key) from None
            raise
        remaining = filters[2]
        for key in undeclared:
            if key in remaining:
                raise UndeclaredLookup(key)
        return filters


class QueryAllowListMixin:
    """
    Every change list (history lists and the audit lists too) takes only the query parameters
    it declares (bureau.base.query_params); anything else is a Chinese 400 page for every role.
    A page of the portal that links to a list with a lookup its filters do not name declares it
    on the list's admin: `extra_lookups = ("batch__id__exact",)`.
    """

    extra_lookups: tuple[str, ...] = ()

    def declared_lookups(self, request) -> set[str]:
        """The lookups this list takes besides those of its list filters and date hierarchy."""
        declared = set(self.extra_lookups)
        # The review inbox (bureau.rules.review) links to one township's submitted records through the
        # model's township lookup, also where that is a path (`person__township`) no filter names.
        township_lookup = getattr(self.model, "township_lookup", None)
        if township_lookup:
            declared |= {f"{township_lookup}__id__exact", f"{township_lookup}__isnull"}
        if issubclass(self.model, TownshipRecord):
            declared.add("review_status__exact")
        return declared

    def lookup_allowed(self, lookup, value, request=None):
        # A sensitive field is refused even where declared, with its own message (SensitiveQueryMixin).
        if masking.is_sensitive_path(self.model, lookup):
            return False
        if lookup in self.declared_lookups(request):
            return True
        return super().lookup_allowed(lookup, value, request)

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if issubclass(changelist, AllowListChangeList):
            return changelist
        return type(f"AllowList{changelist.__name__}", (AllowListChangeList, changelist), {})

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except DisallowedModelAdminLookup as error:
            return self.query_refused(request, error)

    def query_refused(self, request, error: DisallowedModelAdminLookup):
        """The 400 page: Django's own answer is an English "Bad Request (400)" page."""
        asked = [key for key in request.GET if key not in IGNORED_PARAMS and key != PAGE_VAR]
        if any(masking.is_sensitive_path(self.model, key) for key in asked):
            message = masking.SENSITIVE_QUERY_REFUSED
        elif isinstance(error, UndeclaredLookup):
            message = undeclared_message(error.name)
        else:
            # Refused by Django's own rule (a relation path no filter names).
            refused = next((key for key in asked if not self.lookup_allowed(key, request.GET[key], request)), None)
            message = undeclared_message(refused) if refused else LOOKUP_REFUSED
        context = {
            **self.admin_site.each_context(request),
            "title": "查询条件无效",
            "message": message,
            "changelist_url": request.path,
            "opts": self.opts,
        }
        return render(request, "admin/query_refused.html", context, status=400)


LOOKUP_REFUSED = "不能按该条件筛选。"


class SensitiveQueryMixin(QueryAllowListMixin):
    """
    No change list answers a question about a value it masks, and no URL carries one.
    A filter on a sensitive field or a path ending on one (`?id_number__startswith=`,
    `?person__phone=`) is a Chinese 400 page for every role, the search leaves out
    sensitive search fields (`=id_number`), so it answers the same whatever the hidden
    value, and for a user without `view_sensitive_person` a column ordered by a sensitive
    field does not sort. Users with the permission find a record by the full ID number
    through `ScopedAdmin.find_view`, in a POST body.
    """

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return [field for field in fields if not masking.is_sensitive_search_field(self.model, field)]

    def get_changelist(self, request, **kwargs):
        if can_view_sensitive(request.user):
            return super().get_changelist(request, **kwargs)
        return type("MaskedChangeList", (UnsortableSensitiveChangeList, super().get_changelist(request, **kwargs)), {})


def enforce_query_allow_list(site=admin.site) -> None:
    """
    Every admin of the site takes only the query parameters its list declares: an admin that does
    not build on the kit (the user and group admins, the token and lockout lists of other
    packages, district settings) is registered again with `SensitiveQueryMixin` in front.
    Called by `BureauConfig.ready()`, after every app's admin module is imported.
    """
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, SensitiveQueryMixin):
            continue
        declared = type(model_admin)
        site.unregister(model)
        attributes = {"__module__": declared.__module__, "__qualname__": declared.__qualname__}
        site.register(model, type(declared.__name__, (SensitiveQueryMixin, declared), attributes))


class UnsortableSensitiveChangeList(ChangeList):
    """A change list for users without the permission: `?o=` on a column ordered by a sensitive field is ignored."""

    def get_ordering_field(self, field_name):
        order_field = super().get_ordering_field(field_name)
        if isinstance(order_field, str) and masking.is_sensitive_path(self.model, order_field):
            return None
        return order_field


class ReadOnlyAdmin(SensitiveQueryMixin, admin.ModelAdmin):
    """Rows the portal writes itself (audit trail, history, report runs): shown, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SensitiveExportForm(SelectableFieldsExportForm):
    """The export form, with the choice of whole values: for roles with the permission, and only with a purpose."""

    sensitive_choice_fields = ("unmasked", "purpose")

    unmasked = forms.BooleanField(label="导出完整的身份证号、联系电话等个人敏感信息", required=False)
    purpose = forms.CharField(
        label="导出用途",
        max_length=200,
        required=False,
        help_text="导出完整个人信息时必须填写，记入导出记录和审计日志；否则敏感信息一律遮蔽导出。",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("unmasked") and not (cleaned.get("purpose") or "").strip():
            self.add_error("purpose", "导出完整个人信息时必须填写用途。")
        return cleaned


class ImportConfirmForm(forms.Form):
    """The preview's confirm button: the job to import (its file is already stored, privately)."""

    job = forms.IntegerField(widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回原因",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "退回时必须填写原因。"},
    )


def scoped_choices(db_field, request, kwargs: dict) -> dict:
    """
    Limit the choices of a relation to what the user may see: any model with a
    `visible_to` queryset (people, records, enterprises …), and townships to a
    station user's own. Used by every admin form and inline of the kit.
    """
    related = db_field.related_model
    if related is Township:
        if not sees_all_townships(request.user):
            own = township_of(request.user)
            kwargs["queryset"] = Township.objects.filter(pk=getattr(own, "pk", None))
    elif related is not None and hasattr(related._default_manager.all(), "visible_to"):
        queryset = kwargs.get("queryset", related._default_manager.all())
        kwargs["queryset"] = queryset.visible_to(request.user)
    return kwargs


class ScopedChoicesMixin:
    """Every foreign-key and many-to-many choice list scoped by `scoped_choices`."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **scoped_choices(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **scoped_choices(db_field, request, kwargs))


class ScopedTabularInline(ScopedChoicesMixin, admin.TabularInline):
    extra = 0


class ScopedStackedInline(ScopedChoicesMixin, admin.StackedInline):
    extra = 0


class AttachmentInline(GenericTabularInline):
    """Photos, minutes and lists attached to an activity record (bureau.models.Attachment)."""

    model = Attachment
    extra = 0
    fields = ["title", "file"]


def path_label(model, path: str) -> str:
    """The verbose name of the field a lookup path ends on: `person__id_number` is 身份证号."""
    target = masking.concrete_model(model)
    *relations, name = path.split("__")
    for relation in relations:
        target = target._meta.get_field(relation).related_model
    return str(target._meta.get_field(name).verbose_name)


def masked_display(model, path: str):
    """
    A list column (or a detail field, for roles without the permission) showing a sensitive
    field masked; no `ordering`, so the column cannot be sorted on the hidden value.
    """

    def display(obj):
        # No user: always the masked value, for every role (a list never shows a whole value).
        return masking.shown_field(None, obj, path)

    display.short_description = path_label(model, path)
    display.__name__ = f"masked_{path}"
    return display


def path_display(model, path: str):
    """
    A column of a related field (`person__township`) headed with the field's Chinese
    name and sortable on it; Django's own header for such a path is the path in English.
    """

    def display(obj):
        value = obj
        for attribute in path.split("__"):
            value = getattr(value, attribute, None) if value is not None else None
        return value

    display.short_description = path_label(model, path)
    display.admin_order_field = path
    display.__name__ = f"path_{path}"
    return display


class VersionedAdminForm(VersionFormMixin):
    """Mixed into the admin form of a versioned record: the hidden version, and the stale-write check."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_version_field(self.instance)

    def clean(self):
        cleaned_data = super().clean()
        self.check_version(cleaned_data)
        return cleaned_data


class VersionedAdminMixin:
    """An admin of a versioned model: the change form carries the version and refuses a stale write."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or not isinstance(obj, VersionedModel):
            return form
        # The change form carries the version it shows (rendered by templates/admin/change_form.html).
        return type(form.__name__, (VersionedAdminForm, form), {})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleWriteError as error:
            # Two saves raced past the form's check; the save itself refused the second one.
            messages.error(request, error.messages[0])
            return HttpResponseRedirect(request.get_full_path())


BAD_EXPORT_FILTER_MESSAGE = "导出的筛选条件无效，请回到列表页重新筛选后再导出。"


class ScopedAdmin(VersionedAdminMixin, SensitiveQueryMixin, ScopedChoicesMixin, ImportExportMixin, SimpleHistoryAdmin):
    """
    Base admin: queryset through `visible_to`, the sensitive fields the model declares
    (bureau.base.masking) masked for roles without `view_sensitive_person`, the write-scope
    check and the workflow on save, xlsx import/export only.

    A column of a related person's ID number is declared as a path, e.g.
    `list_display = ["person", "person__id_number"]`: shown whole to roles with the
    permission, masked (and not sortable) to others.
    """

    # Short rows (files from other programs) are padded instead of refused.
    import_formats = [PortalXLSX]
    export_formats = [XLSX]
    # The base resource escapes formula-like strings; the library's own option mangles values.
    export_kind = ""
    # False: export only (the admin shows no import button).
    importable = True

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if not hasattr(model, "history"):
            # A model without a history table gets Django's own change log page.
            self.object_history_template = None

    def __getattr__(self, name):
        # `masked_<path>` columns and read-only fields for every sensitive path the model declares,
        # and `path_<path>` columns for related fields (see get_list_display).
        model = self.__dict__.get("model")
        if model is not None and name.startswith("masked_") and masking.mask_for(model, name[len("masked_") :]):
            return masked_display(model, name[len("masked_") :])
        if model is not None and name.startswith("path_") and "__" in name:
            return path_display(model, name[len("path_") :])
        raise AttributeError(name)

    @property
    def sensitive_fields(self) -> tuple[str, ...]:
        """Fields of this model declared sensitive (`Model.sensitive_fields`)."""
        return tuple(masking.sensitive_fields(self.model))

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def history_view(self, request, object_id, extra_context=None):
        if not hasattr(self.model, "history"):
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history finds the record outside this admin's queryset and saves its posted form
        # (a revert) for anyone who may merely view the record: scope it, and posting is a change.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if not str(version_id).isdigit():
            # simple-history's route takes any text as the version and hands it to the integer
            # history_id lookup: "abc" was a ValueError, a 500.
            raise Http404("该历史版本不存在。")
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404("记录不存在，或不在您可查看的乡镇（街道）范围内。")
        if request.method == "POST" and not self.has_change_permission(request, record):
            raise PermissionDenied
        response = super().history_form_view(request, object_id, version_id, extra_context)
        self.audit_sensitive_view(request, response)
        return response

    def has_import_permission(self, request):
        return self.importable and super().has_import_permission(request)

    # --- masking -------------------------------------------------------------

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not can_view_sensitive(request.user):
            exclude += [f for f in self.sensitive_fields if f not in exclude]
        return exclude

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not can_view_sensitive(request.user):
            fields = [f for f in fields if f not in self.sensitive_fields]
            fields += [f"masked_{f}" for f in self.sensitive_fields]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if can_view_sensitive(request.user) or not self.sensitive_fields:
            return fieldsets
        masked = []
        for name, options in fieldsets:
            fields = []
            for field in options.get("fields", ()):
                fields.append(f"masked_{field}" if field in self.sensitive_fields else field)
            masked.append((name, {**options, "fields": fields}))
        return masked

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not can_view_sensitive(request.user):
            readonly += [f"masked_{f}" for f in self.sensitive_fields]
        return readonly

    def get_list_display(self, request):
        # Every role sees lists masked; the whole value is on the record's own page.
        display = []
        for column in super().get_list_display(request):
            if isinstance(column, str) and masking.mask_for(self.model, column):
                column = f"masked_{column}"
            elif isinstance(column, str) and "__" in column:
                column = f"path_{column}"
            display.append(column)
        return display

    # --- writes ---------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if issubclass(self.model, TownshipRecord) and object_id:
            change = (
                PendingChange.objects.visible_to(request.user)
                .pending()
                .filter(content_type__app_label=self.opts.app_label, content_type__model=self.opts.model_name)
                .filter(object_id=object_id if str(object_id).isdigit() else None)
                .first()
            )
            if change is not None:
                extra_context["pending_change"] = change
                extra_context["pending_change_url"] = reverse("admin:bureau_pendingchange_change", args=[change.pk])
        response = super().change_view(request, object_id, form_url, extra_context)
        self.audit_sensitive_view(request, response)
        return response

    def audit_sensitive_view(self, request, response) -> None:
        """A change page showing whole sensitive values (the role has the permission) is an audit event."""
        if request.method != "GET" or response.status_code != 200 or not self.sensitive_fields:
            return
        original = (getattr(response, "context_data", None) or {}).get("original")
        if original is not None:
            record_sensitive_view(request, original, self.sensitive_fields)

    def save_model(self, request, obj, form, change):
        try:
            if isinstance(obj, TownshipRecord):
                record_save(record=obj, by=request.user)
            else:
                check_write_allowed(user=request.user, record=obj)
                super().save_model(request, obj, form, change)
        except ScopeError as error:
            # The choices are scoped, so only a crafted request gets here.
            raise PermissionDenied(str(error)) from error

    # --- workflow ------------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not issubclass(self.model, TownshipRecord) or not self.has_change_permission(request):
            actions.pop("approve_selected", None)
            actions.pop("return_selected", None)
        return actions

    @admin.action(description="审核通过所选记录")
    def approve_selected(self, request, queryset):
        count = 0
        try:
            with transaction.atomic():
                for record in queryset.filter(review_status=ReviewStatus.SUBMITTED):
                    record_review(record=record, by=request.user, approve=True)
                    count += 1
        except ValidationError as error:
            # All or none: a record that cannot be approved as it stands (a value only the bureau decides).
            self.message_user(request, "未审核通过任何记录：" + "；".join(error.messages), messages.ERROR)
            return
        self.message_user(request, f"已审核通过 {count} 条记录。", messages.SUCCESS)

    @admin.action(description="退回所选记录（需填写原因）")
    def return_selected(self, request, queryset):
        submitted = queryset.filter(review_status=ReviewStatus.SUBMITTED)
        if "apply" in request.POST:
            form = ReturnForm(request.POST)
            if form.is_valid():
                try:
                    with transaction.atomic():
                        for record in submitted:
                            record_review(
                                record=record, by=request.user, approve=False, reason=form.cleaned_data["reason"]
                            )
                except ValidationError as error:
                    self.message_user(request, "；".join(error.messages), messages.ERROR)
                    return None
                self.message_user(request, f"已退回 {submitted.count()} 条记录。", messages.WARNING)
                return None
        else:
            form = ReturnForm()
        return render(
            request,
            "admin/bureau/return_records.html",
            {
                **self.admin_site.each_context(request),
                "title": "退回记录",
                "opts": self.model._meta,
                "records": submitted,
                "form": form,
                "action": "return_selected",
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            },
        )

    actions = ["approve_selected", "return_selected"]

    # The change page of a submitted record carries its own 审核通过 / 退回 buttons
    # (admin/bureau/record_change_form.html), posting to `review_view`.

    def may_review(self, request, record) -> bool:
        return reviews_records(request.user) and self.has_change_permission(request, record)

    def review_url(self, record) -> str:
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_review",
            args=[quote(record.pk)],
            current_app=self.admin_site.name,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
        if (
            isinstance(obj, TownshipRecord)
            and obj.pk
            and obj.review_status == ReviewStatus.SUBMITTED
            and self.may_review(request, obj)
        ):
            # The review template extends whatever change form this admin renders (an area's own
            # change_form_template too), so every workflow record gets the buttons without a template.
            response.context_data.update(
                {
                    "record_change_form": response.resolve_template(response.template_name),
                    "review_url": self.review_url(obj),
                    "return_form": ReturnForm(prefix="review"),
                }
            )
            response.template_name = "admin/bureau/record_change_form.html"
        return response

    def review_view(self, request, object_id):
        """Approve or return one submitted record (the buttons of its change page), then back to that page."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        record = self.get_object(request, unquote(object_id))
        if record is None:
            # Outside the user's townships, or gone: it does not exist for them.
            raise Http404("记录不存在，或不在您可查看的乡镇（街道）范围内。")
        if not self.may_review(request, record):
            raise PermissionDenied
        change_page = redirect(
            reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[quote(record.pk)],
                current_app=self.admin_site.name,
            )
        )
        if record.review_status != ReviewStatus.SUBMITTED:
            status = record.get_review_status_display()
            self.message_user(request, f"「{record}」的状态是“{status}”，不是待审核的记录，未作处理。", messages.ERROR)
            return change_page
        decision = request.POST.get("decision")
        if decision == "approve":
            try:
                record_review(record=record, by=request.user, approve=True)
            except ValidationError as error:
                # Another reviewer (or a save) came first: the version check refused this one.
                self.message_user(request, "；".join(error.messages), messages.ERROR)
                return change_page
            self.message_user(request, f"已审核通过：{record}", messages.SUCCESS)
        elif decision == "return":
            form = ReturnForm(request.POST, prefix="review")
            if not form.is_valid():
                self.message_user(request, "；".join(form.errors["reason"]), messages.ERROR)
                return change_page
            try:
                record_review(record=record, by=request.user, approve=False, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
                return change_page
            self.message_user(request, f"已退回：{record}", messages.SUCCESS)
        else:
            self.message_user(request, "请选择审核通过或退回。", messages.ERROR)
        return change_page

    # --- import / export -----------------------------------------------------
    # xlsx only. The resource (bureau.importexport.PortalResource) validates every row,
    # writes nothing unless all rows are valid and escapes formulas on export.

    import_export_change_list_template = "admin/import_export/portal_change_list.html"
    import_template_name = "admin/import_export/portal_import.html"
    # Checks the uploaded file (size, xlsx structure, zip bomb, macros) before it is stored or parsed.
    import_form_class = PortalImportForm

    def get_urls(self):
        urls = [
            path(
                "import-template/",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import_template",
            )
        ]
        urls += [
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import_job",
            ),
            path(
                "import/<int:job_id>/status/",
                self.admin_site.admin_view(keeps_session_idle(self.import_job_status)),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import_job_status",
            ),
        ]
        if self.id_number_path:
            urls.append(
                path(
                    "find/",
                    self.admin_site.admin_view(require_POST(self.find_view)),
                    name=f"{self.opts.app_label}_{self.opts.model_name}_find",
                )
            )
        if issubclass(self.model, TownshipRecord):
            urls.append(
                path(
                    "<path:object_id>/review/",
                    self.admin_site.admin_view(require_POST(self.review_view)),
                    name=f"{self.opts.app_label}_{self.opts.model_name}_review",
                )
            )
        return [*urls, *super().get_urls()]

    # --- finding by the full ID number -------------------------------------------------

    @property
    def id_number_path(self) -> str | None:
        """The declared search on a full ID number (`=id_number`, `=person__id_number`), as a path."""
        for field in self.search_fields or ():
            if (
                field.startswith("=")
                and field.endswith("id_number")
                and masking.is_sensitive_search_field(self.model, field)
            ):
                return field[1:]
        return None

    def find_view(self, request):
        """
        POST an ID number, get the record: the number travels in the body, never in a URL
        (and so in no access log). For users who may see ID numbers; others are refused.
        The answer is the person's page, or the list filtered by the person's id.
        """
        if not can_view_sensitive(request.user) or not self.has_view_or_change_permission(request):
            raise PermissionDenied
        number = (request.POST.get("id_number") or "").strip().upper()
        changelist = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        relation = self.id_number_path.rpartition("__")[0]
        matches = self.get_queryset(request).filter(**{self.id_number_path: number}) if number else None
        if not matches:
            messages.warning(
                request, "未找到该身份证号（或不在您的管辖范围内）。" if number else "请输入完整身份证号。"
            )
            return HttpResponseRedirect(changelist)
        if not relation:
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[quote(matches[0].pk)])
            )
        person_id = matches.values_list(f"{relation}__id", flat=True)[0]
        return HttpResponseRedirect(f"{changelist}?{relation}__id__exact={person_id}")

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        if self.id_number_path and can_view_sensitive(request.user):
            extra_context["id_number_find_url"] = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_find")
        return super().changelist_view(request, extra_context)

    def import_template_view(self, request):
        """The empty xlsx to fill in for an import: the resource's Chinese headers."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource_class = self.get_import_resource_classes(request)[0]
        resource = resource_class(**self.get_import_resource_kwargs(request))
        response = HttpResponse(resource.import_template(), content_type=XLSX.CONTENT_TYPE)
        filename = f"{self.opts.verbose_name_plural}导入模板.xlsx"
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return response

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    # Imports are jobs (bureau.importexport.jobs): the upload is checked and stored here, the dry run
    # and the import itself run in the worker; the pages show the job and poll its status.

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = self.create_import_form(request)
            if form.is_valid():
                job = jobs.import_job_create(
                    user=request.user,
                    label=self.model._meta.label_lower,
                    resource_index=int(form.cleaned_data.get("resource") or 0),
                    upload=form.cleaned_data["import_file"],
                    kind=str(self.export_kind or self.model._meta.verbose_name_plural),
                )
                return redirect(self.import_job_url(job))
        response = super().import_action(request, **kwargs)
        # A refused file is a bad request (400), with the form naming what is wrong.
        form = (getattr(response, "context_data", None) or {}).get("form")
        if request.method == "POST" and form is not None and form.errors:
            response.status_code = 400
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        # The library names the exception class in English ("'BadZipFile' encountered…").
        form.add_error(
            "import_file", str(e) if isinstance(e, UploadRefused) else "无法读取该文件，请确认它是 .xlsx 工作簿。"
        )

    def import_job_url(self, job) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import_job", args=[job.pk])

    def get_import_job(self, request, job_id) -> ImportJob:
        """The user's own import job of this model; anyone else's, or a bad id, is a 404."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        jobs_of_user = ImportJob.objects.of_user(request.user).filter(model=self.model._meta.label_lower)
        return get_object_or_404(jobs_of_user, pk=job_id)

    def import_job_view(self, request, job_id: int):
        """The job's page: progress while it runs, then the preview summary (or the errors), then the result."""
        job = self.get_import_job(request, job_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"导入{self.opts.verbose_name_plural}",
            "opts": self.opts,
            "job": job,
            "rows_done": jobs.rows_done(job),
            # The broker was down when the step was queued: saved, it runs once the broker is back.
            "broker_notice": jobs.status_of(job)["notice"],
            "status_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_import_job_status", args=[job.pk]
            ),
            "import_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"),
        }
        if job.status == ImportJob.Status.VALIDATED:
            context["confirm_form"] = ImportConfirmForm(initial={"job": job.pk})
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/import_export/import_job.html", context)

    def import_job_status(self, request, job_id: int):
        """Polled by the job's page (without renewing the session): status and rows done."""
        job = self.get_import_job(request, job_id)
        return JsonResponse(jobs.status_of(job))

    def process_import(self, request, **kwargs):
        """The confirm button of the preview: import the job's file, once (a second post imports nothing)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportConfirmForm(request.POST)
        if not form.is_valid():
            raise Http404("导入任务不存在。")
        job = self.get_import_job(request, form.cleaned_data["job"])
        try:
            jobs.import_job_confirm(job=job, by=request.user)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect(self.import_job_url(job))

    def export_action(self, request):
        # The export builds the change list from the URL's filters; one the list would refuse
        # (`?township__id__exact=abc`) is a bad request, not a 500.
        try:
            return self.export_job_action(request) or super().export_action(request)
        except DisallowedModelAdminLookup as error:
            # The export takes the list's own query parameters, and refuses the same ones.
            return self.query_refused(request, error)
        except IncorrectLookupParameters:
            return render(request, "400.html", {"message": BAD_EXPORT_FILTER_MESSAGE}, status=400)

    def export_job_action(self, request):
        """
        A valid export of more than EXPORT_JOB_THRESHOLD rows becomes a job of the worker: the
        answer is 我的导出, where its file will be. Smaller ones (and exports of selected rows)
        are answered at once by the library's view.
        """
        if request.method != "POST" or "export_items" in request.POST or not self.has_export_permission(request):
            return None
        form = self.get_export_form_class()(
            self.get_export_formats(), self.get_export_resource_classes(request), data=request.POST
        )
        self.init_request_context_data(request, form)
        if not form.is_valid():
            return None
        queryset = self.get_export_queryset(request)
        if queryset.count() <= settings.EXPORT_JOB_THRESHOLD:
            return None
        cleaned = form.cleaned_data
        try:
            job = jobs.export_job_create(
                user=request.user,
                label=self.model._meta.label_lower,
                kind=str(self.export_kind or self.model._meta.verbose_name_plural),
                resource_index=self.get_resource_index(form),
                query=request.GET.urlencode(),
                export_fields=self.get_export_resource_fields_from_form(form),
                unmasked=bool(cleaned.get("unmasked")),
                purpose=cleaned.get("purpose") or "",
            )
        except ValidationError:
            # A filter too long to store: the export is answered at once, as below the threshold.
            return None
        messages.success(request, f"导出的记录较多，已转入后台生成（任务 {job.pk}），完成后可在“我的导出”中下载。")
        return redirect("my_exports")

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).visible_to(request.user)

    def get_export_form_class(self):
        return SensitiveExportForm

    def init_request_context_data(self, request, form):
        # Only a role that may see whole values is offered an export of them.
        if not can_view_sensitive(request.user):
            for name in SensitiveExportForm.sensitive_choice_fields:
                form.fields.pop(name, None)
        return super().init_request_context_data(request, form)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        form = kwargs.get("export_form")
        cleaned = getattr(form, "cleaned_data", None) or {}
        unmasked = bool(cleaned.get("unmasked"))
        if unmasked and not can_view_sensitive(request.user):
            raise PermissionDenied("您没有导出完整个人信息的权限。")
        purpose = (cleaned.get("purpose") or "").strip()
        # The log says whether the file really held whole sensitive values, as the resource wrote them.
        with masking.disclosure() as disclosed, masking.unmasked() if unmasked else nullcontext():
            data = super().get_export_data(file_format, request, queryset, **kwargs)
        query = request.GET.urlencode()
        ExportLog.objects.create(
            user=request.user,
            kind=self.export_kind or str(self.model._meta.verbose_name_plural),
            file_format=file_format.get_title(),
            row_count=queryset.count(),
            unmasked=disclosed.unmasked,
            detail=(f"用途：{purpose}；{query}" if purpose else query)[:500],
        )
        return data

    # --- change list ---------------------------------------------------------

    def declared_lookups(self, request) -> set[str]:
        declared = super().declared_lookups(request)
        # `find_view` answers with the list of one person's records.
        relation = (self.id_number_path or "").rpartition("__")[0]
        if relation:
            declared.add(f"{relation}__id__exact")
        return declared

    def get_list_select_related(self, request):
        # Without a list, Django joins only the non-null foreign keys of list_display: a nullable
        # township, founder or batch cost one query per row. Join every relation the columns name.
        declared = super().get_list_select_related(request)
        if declared is True:
            return declared
        related = list(declared or ())
        # The columns as declared: `person__township`, not the `path_…` / `masked_…` columns shown.
        for column in admin.ModelAdmin.get_list_display(self, request):
            opts, path = self.model._meta, []
            for name in str(column).split("__"):
                field = next((f for f in opts.concrete_fields if f.name == name and f.is_relation), None)
                if field is None:
                    break
                path.append(name)
                opts = field.related_model._meta
            if path and "__".join(path) not in related:
                related.append("__".join(path))
        return related


WORKFLOW_READONLY = ["review_status", "return_reason"]


class RecordAdmin(ScopedAdmin):
    """A workflow record (TownshipRecord): state shown, not edited; exported, imported only where declared."""

    readonly_fields = WORKFLOW_READONLY
    importable = False
