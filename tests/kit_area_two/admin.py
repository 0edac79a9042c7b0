from django.contrib import admin

from bureau.admin import RecordAdmin
from tests.kit_area_two.models import Stipend
from tests.kit_area_two.resources import StipendResource


@admin.register(Stipend)
class StipendAdmin(RecordAdmin):
    resource_classes = [StipendResource]
    importable = True
    list_display = ["person", "person__id_number", "amount", "paid_on", "bank_account", "township", "review_status"]
    list_filter = ["township", "review_status"]
    search_fields = ["person__name", "=person__id_number"]
    autocomplete_fields = ["person"]
    fields = ["person", "amount", "paid_on", "bank_account", "township", "review_status", "return_reason"]
    readonly_fields = ["township", "review_status", "return_reason"]
