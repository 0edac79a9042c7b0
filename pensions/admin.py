from django.contrib import admin

from pensions.models import BenefitStandard


@admin.register(BenefitStandard)
class BenefitStandardAdmin(admin.ModelAdmin):
    """
    District-wide, not a township's record. A standard in force is never changed: a new amount
    is a new standard from its date. One not yet in force may still be corrected or deleted.
    """

    list_display = ["category", "disability_grade", "monthly_amount", "valid_from", "document"]
    list_filter = ["category", "valid_from"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.in_force)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.in_force)


from pensions import admin_payroll  # noqa: E402, F401  (the monthly payroll's pages)
