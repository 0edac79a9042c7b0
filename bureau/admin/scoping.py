"""
Scoping and writes: what a user sees and what a save may write. Every list, every relation's
choices and every export's rows go through the model's `visible_to(user)`; a save goes through
the services' write-scope check and the workflow (`record_save`); a versioned record's form
refuses a stale write; the history pages (and a revert from them) are scoped like the record.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect

from bureau.admin.placeholders import PlaceholderMixin
from bureau.base.concurrency import StaleWriteError, VersionFormMixin
from bureau.base.scoping import sees_all_townships, township_of
from bureau.models import Attachment, Township, TownshipRecord, VersionedModel
from bureau.rules.services import ScopeError, check_write_allowed, record_save


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


class ScopedChoicesMixin(PlaceholderMixin):
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


class ScopedWritesMixin:
    """
    The queryset of every page through `visible_to`, the save through the write-scope check and
    the workflow, the history pages scoped like the record, and the import/export resources told
    who the user is (they scope and mask by it).
    """

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if not hasattr(model, "history"):
            # A model without a history table gets Django's own change log page.
            self.object_history_template = None

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    def history_view(self, request, object_id, extra_context=None):
        if not hasattr(self.model, "history"):
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history finds the record outside this admin's queryset and saves its posted form
        # (a revert) for anyone who may merely view the record: scope it, and posting is a change.
        # (The masking concern audits the whole values the page then shows.)
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
        return super().history_form_view(request, object_id, version_id, extra_context)

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
