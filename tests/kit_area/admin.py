from django.contrib import admin

from bureau.admin import RecordAdmin
from tests.kit_area.models import Grant
from tests.kit_area.resources import GrantResource


@admin.register(Grant)
class GrantAdmin(RecordAdmin):
    resource_classes = [GrantResource]
    importable = True
    list_display = ["person", "person__id_number", "amount", "granted_on", "bank_account", "township", "review_status"]
    list_filter = ["township", "review_status"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person"]
    fields = ["person", "amount", "granted_on", "bank_account", "township", "review_status", "return_reason"]
    readonly_fields = ["township", "review_status", "return_reason"]
