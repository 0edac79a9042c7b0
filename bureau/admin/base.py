"""
The kit's admins, composed of one mixin per concern:

- `scoping`    (ScopedWritesMixin, VersionedAdminMixin, ScopedChoicesMixin): what the user sees, what a save may write;
- `masking`    (MaskingMixin): sensitive fields masked, whole values audited;
- `review`     (ReviewMixin): approve / return, the pending change of a record;
- `imports`, `exports` (ImportJobsMixin, ExportJobsMixin): xlsx in and out, as jobs of the worker;
- `find`       (FindByIdMixin): a record by the full ID number, POSTed;
- `closing`    (ClosedYearAdminMixin): a closed year's record refused a delete with the year's message;
- `changelist` (ChangeListMixin), `listcost` (ListCostMixin) and `lookups` (SensitiveQueryMixin): the list's
  columns, a cost that does not grow with the table (capped count, cached filter choices, one
  reverse per list) and the query parameters it takes.

Every mixin overrides a Django hook at most once and calls `super()`, so the order below is the
order of the chain (`ScopedAdmin.__mro__`). What the order decides:

- `changelist_view`: ClosedYearAdminMixin turns a closed year's refusal of an action into a message,
  FindByIdMixin adds the find link, then the allow-list turns a refused
  parameter into its 400 page;
- `get_list_display`: MaskingMixin turns a sensitive column into `masked_<path>` before
  ChangeListMixin turns a related field's into `path_<path>` (so ChangeListMixin comes first:
  it calls super() and then sees what masking left);
- `change_view`, `history_form_view`: the scope checks and the pending change come before the
  page is made, the audit of whole values after (MaskingMixin wraps them);
- `get_urls`: the kit's own URLs (find, review, import jobs) before the library's and Django's
  `<path:object_id>/` patterns;
- `declared_lookups`: the find's answer (`person__id__exact`) added to the allow-list's.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from bureau.admin.changelist import ChangeListMixin
from bureau.admin.closing import ClosedYearAdminMixin
from bureau.admin.exports import ExportJobsMixin
from bureau.admin.find import FindByIdMixin
from bureau.admin.imports import ImportJobsMixin
from bureau.admin.listcost import ListCostMixin, admin_url
from bureau.admin.lookups import SensitiveQueryMixin
from bureau.admin.masking import MaskingMixin
from bureau.admin.review import ReviewMixin
from bureau.admin.scoping import ScopedChoicesMixin, ScopedWritesMixin, VersionedAdminMixin


class ReadOnlyAdmin(SensitiveQueryMixin, ListCostMixin, admin.ModelAdmin):
    """Rows the portal writes itself (audit trail, history, report runs): shown, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedAdmin(
    ClosedYearAdminMixin,
    FindByIdMixin,
    ChangeListMixin,
    MaskingMixin,
    ReviewMixin,
    ImportJobsMixin,
    ExportJobsMixin,
    ScopedWritesMixin,
    VersionedAdminMixin,
    SensitiveQueryMixin,
    ListCostMixin,
    ScopedChoicesMixin,
    ImportExportMixin,
    SimpleHistoryAdmin,
):
    """
    Base admin: queryset through `visible_to`, the sensitive fields the model declares
    (bureau.base.masking) masked for roles without `view_sensitive_person`, the write-scope
    check and the workflow on save, xlsx import/export only.

    A column of a related person's ID number is declared as a path, e.g.
    `list_display = ["person", "person__id_number"]`: shown whole to roles with the
    permission, masked (and not sortable) to others.
    """


WORKFLOW_READONLY = ["review_status", "return_reason"]


class RecordAdmin(ScopedAdmin):
    """A workflow record (TownshipRecord): state shown, not edited; exported, imported only where declared."""

    readonly_fields = WORKFLOW_READONLY
    importable = False


class LedgerRecordAdmin(RecordAdmin):
    """
    A workflow record paying through the ledger (bureau.rules.payments.ledger). Its form checks the ledger first
    (the model's clean); a payment written by someone else between that check and the save, or
    before an approval, refuses the save: the admin says so instead of failing, nothing is written.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description="审核通过所选记录")
    def approve_selected(self, request, queryset):
        try:
            return super().approve_selected(request, queryset)
        except ValidationError as error:
            self.message_user(request, "未审核通过任何记录：" + "；".join(error.messages), messages.ERROR)
            return None

    @admin.display(description="台账记录")
    def payment_link(self, obj):
        payment = getattr(obj, "payment", None) if obj is not None else None
        if payment is None:
            return "（未记入台账：未审核通过或未发放金额）"
        return format_html(
            '<a href="{}">{} {} 元（{}）</a>',
            admin_url("admin:bureau_payment_change", payment.pk),
            payment.programme,
            payment.amount,
            payment.period,
        )
