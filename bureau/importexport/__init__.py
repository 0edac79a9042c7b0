"""
Excel import and export kit (django-import-export) every app builds on.

An area app declares its resources in its `resources.py`, on these names only:

    from import_export import fields

    from bureau.importexport import ActivityWidget, PersonRowResource, export_resource

    class AttendeeResource(PersonRowResource):   # 身份证号 + 姓名 checked against the registry
        ceremony = fields.Field("ceremony", "活动", widget=ActivityWidget(Ceremony))

        class Meta:
            model = Attendee
            fields = ["ceremony", "person", "person_name"]
            import_id_fields = ["ceremony", "person"]

    CeremonyResource = export_resource(Ceremony, ["title", "start_date", "township"])

and lists them in its ModelAdmin's `resource_classes`. The kit does the rest:
Chinese headers, every row validated, nothing written unless every row is valid,
errors as 「第 N 行：…」, the user's township scope (`check_write_allowed`),
formula escaping, the import template, and masking of every field the model
declares in `sensitive_fields` (no `dehydrate_*` method needed).

Rosters as they come (`headers`, `columns`): the header row is found among the first 10 rows
(title rows and merged cells above it skipped, Excel's row numbers kept), headers match by name,
common alias (`headers.CORE_ALIASES`) or a mapping a clerk saved on the preview
(`ImportColumnMapping`); unused columns are ignored and listed. A resource may add aliases of its
columns and override the template's sample row with class attributes:

        column_aliases = {"活动": ["活动名称"]}            # column -> more names offices write
        sample_row = {"活动": "烈士纪念日公祭（2021-09-30）"}  # column -> the template's sample value
"""

from bureau.importexport.formats import PortalXLSX, UploadRefused, escape_formula, excel_row, unescape_formula
from bureau.importexport.forms import PortalImportForm
from bureau.importexport.loading import PortalInstanceLoader, PortalResult
from bureau.importexport.resources import PortalResource
from bureau.importexport.rows import (
    PersonRowResource,
    choice_column,
    export_resource,
    review_status_column,
    township_column,
    township_shown,
)
from bureau.importexport.widgets import (
    ActivityWidget,
    ChoiceLabelWidget,
    CountWidget,
    CreditCodeWidget,
    DateWidget,
    IdNumberWidget,
    LabelWidget,
    MoneyWidget,
    NameForeignKeyWidget,
    PersonByIdNumberWidget,
    TextWidget,
    YesNoWidget,
    is_blank,
)

__all__ = [
    "ActivityWidget",
    "ChoiceLabelWidget",
    "CountWidget",
    "CreditCodeWidget",
    "DateWidget",
    "IdNumberWidget",
    "LabelWidget",
    "MoneyWidget",
    "NameForeignKeyWidget",
    "PersonByIdNumberWidget",
    "PersonRowResource",
    "PortalImportForm",
    "PortalInstanceLoader",
    "PortalResource",
    "PortalResult",
    "PortalXLSX",
    "TextWidget",
    "UploadRefused",
    "YesNoWidget",
    "choice_column",
    "escape_formula",
    "excel_row",
    "export_resource",
    "is_blank",
    "review_status_column",
    "township_column",
    "township_shown",
    "unescape_formula",
]
