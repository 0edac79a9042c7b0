"""
`PortalResource`, the base resource every import/export of the portal builds on,
with its instance loader and result.
"""

from collections import OrderedDict
from io import BytesIO

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from import_export import fields, resources
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import Result, RowResult
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bureau.concurrency import StaleWriteError, version_check
from bureau.importexport.formats import HEADER_ROWS, TEXT_FORMAT, escape_formula, excel_row, unescape_formula
from bureau.importexport.widgets import CountWidget, is_blank
from bureau.masking import Mask, mask_for, shown
from bureau.models import TownshipRecord, VersionedModel
from bureau.scoping import township_of_record
from bureau.services import ScopeError, check_write_allowed, record_save


class PortalInstanceLoader(ModelInstanceLoader):
    """
    Finds the existing records of all rows in a few queries (through the
    resource's scoped queryset). A key cell that cannot be read is left to the
    row's own validation, which reports it with the other errors of that row.
    """

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.instances = {}
        id_fields = resource.get_import_id_fields()
        self.key_field = resource.fields.get(id_fields[0]) if len(id_fields) == 1 else None
        if self.key_field is None or dataset is None or self.key_field.column_name not in (dataset.headers or []):
            return
        keys = sorted({key for row in dataset.dict if (key := self._key(row)) not in (None, "")})
        lookup = f"{self.key_field.attribute}__in"
        for start in range(0, len(keys), 500):
            for instance in self.get_queryset().filter(**{lookup: keys[start : start + 500]}):
                self.instances[self.key_field.get_value(instance)] = instance

    def _key(self, row):
        try:
            return self.key_field.clean(row)
        except (ValueError, KeyError, ValidationError):
            return None

    def get_instance(self, row):
        if self.key_field is None:
            return super().get_instance(row)
        return self.instances.get(self._key(row))


class PortalResult(Result):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: Every problem of the file in Chinese, naming its Excel row; set by `PortalResource.import_data`.
        self.row_messages: list[str] = []


class MaskedDiff(resources.Diff):
    """The import preview's before/after values, masked like an export."""

    # The library's Diff reads the values through `Diff._read_field_values` by name, so both reads are replaced.
    def __init__(self, resource, instance, new):
        super().__init__(resource, instance, new)
        self.left = self.shown_values(resource, instance)

    def compare_with(self, resource, instance):
        self.right = self.shown_values(resource, instance)

    @staticmethod
    def shown_values(resource, instance):
        return [resource.shown_value(field, field.export(instance)) for field in resource.get_import_fields()]


class VersionWidget(CountWidget):
    template_note = "导出的表格修改后再导入时保留本列，用于发现导出后他人所做的修改；新增的记录留空"


class PortalResource(resources.ModelResource):
    """
    Base resource of the portal; area apps subclass it for their models.

    - knows the requesting `user`: imports see only what the user may
      (`visible_to`) and write only what `check_write_allowed` lets them;
      workflow records are saved through `record_save` (approved for bureau
      staff, submitted for stations);
    - every value of a field the model declares sensitive (`sensitive_fields`,
      followed through relations: `person__id_number`) is exported through
      `masking.shown`: whole for users with the permission, masked otherwise
      (and without a user), counted by an open `masking.disclosure()`;
    - every row is validated with the model's `full_clean()`; the import is
      all or nothing: any invalid row rolls the whole file back;
    - `result.row_messages` lists the problems as 「第 N 行：…」 with N the row
      number as Excel shows it (header = row 1, first data row = row 2);
    - strings starting with = + - @ tab or CR are exported with a leading `'`
      (numbers and dates stay native), and the `'` is stripped on import;
    - a versioned record has a 版本 column: an exported file edited and imported
      again is refused, row by row, where the record has changed since the export
      (bureau.concurrency); a blank 版本 (a new record, a hand-made list) is not checked.
    """

    class Meta:
        clean_model_instances = True
        use_transactions = True
        instance_loader_class = PortalInstanceLoader
        # Blank lines (often left at the end of a sheet) are skipped silently.
        report_skipped = False

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        if issubclass(self._meta.model, VersionedModel) and "version" not in self.fields:
            self.fields["version"] = fields.Field("version", "版本", widget=VersionWidget(), saves_null_values=False)
        self.file_problem = False
        self.set_user(user)

    def set_user(self, user) -> None:
        """The user the resource works for; widgets that look people up or mask get it too."""
        self.user = user
        for field in self.fields.values():
            if hasattr(field.widget, "user"):
                field.widget.user = user

    @classmethod
    def get_result_class(cls):
        return PortalResult

    def get_diff_class(self):
        return MaskedDiff

    def get_queryset(self):
        # Without a user the resource is used by code (a command, a test), not by a person.
        queryset = super().get_queryset()
        if self.user is not None and hasattr(queryset, "visible_to"):
            return queryset.visible_to(self.user)
        return queryset

    # --- columns -------------------------------------------------------------

    def import_columns(self) -> list[fields.Field]:
        """The columns a user fills in: the template's header row."""
        return [field for field in self.get_import_fields() if not field.readonly]

    def column_name_for(self, key: str) -> str | None:
        """Column (or, failing that, model field label) of an error-dict key."""
        if key == NON_FIELD_ERRORS:
            return None
        for name, field in self.fields.items():
            if key in (name, field.attribute):
                return field.column_name
        try:
            return str(self._meta.model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            return key

    def import_template(self) -> bytes:
        """An empty xlsx to fill in: the header row, text columns formatted as text, notes on a second sheet."""
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(self._meta.model._meta.verbose_name_plural)[:31]
        notes = workbook.create_sheet("填写说明")
        notes.append(["列", "说明"])
        for index, field in enumerate(self.import_columns(), start=1):
            letter = get_column_letter(index)
            cell = sheet.cell(row=1, column=index, value=field.column_name)
            cell.font = Font(bold=True)
            sheet.column_dimensions[letter].width = max(12, 2 * len(field.column_name) + 4)
            note = getattr(field.widget, "template_note", "")
            if getattr(field.widget, "excel_text", False):
                # Typed into a text column, an 18-digit number keeps all its digits.
                sheet.column_dimensions[letter].number_format = TEXT_FORMAT
                sheet.column_dimensions[letter].width = 22
                cell.number_format = TEXT_FORMAT
                note = "以文本格式填写（本列已设为文本格式）"
            notes.append([field.column_name, note])
        notes.append(
            [
                "",
                f"第 1 行为表头，请勿修改；从第 {HEADER_ROWS + 1} 行起每行一条记录。任何一行有错误时，整个文件都不会导入。",
            ]
        )
        notes.column_dimensions["A"].width = 16
        notes.column_dimensions["B"].width = 80
        sheet.freeze_panes = "A2"
        stream = BytesIO()
        workbook.save(stream)
        return stream.getvalue()

    # --- export --------------------------------------------------------------

    def mask_of(self, field: fields.Field) -> Mask | None:
        """The mask the model declares for the field's attribute path; None when it is not sensitive."""
        return mask_for(self._meta.model, field.attribute) if field.attribute else None

    def shown_value(self, field: fields.Field, value):
        """A rendered value as the user may see it: sensitive fields through `masking.shown`."""
        mask = self.mask_of(field)
        return value if mask is None else shown(self.user, value, mask)

    def export_field(self, field, instance, **kwargs):
        return escape_formula(self.shown_value(field, super().export_field(field, instance, **kwargs)))

    # --- import --------------------------------------------------------------

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        # All or nothing, whoever calls: the admin's confirm step does not ask for a
        # rollback on validation errors, so a file changed between the two steps
        # (or a crafted confirm request) would otherwise write its valid rows.
        if self.user is None:
            self.set_user(kwargs.get("user"))
        result = super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )
        result.row_messages = self.error_messages(result)
        return result

    def before_import(self, dataset, **kwargs):
        dataset.headers = ["" if header is None else str(header).strip() for header in dataset.headers or []]
        known = {field.column_name for field in self.fields.values()}
        required = [self.fields[key].column_name for key in self.get_import_id_fields() if key in self.fields]
        missing = [column for column in required if column not in dataset.headers]
        unknown = [header for header in dataset.headers if header and header not in known]
        problems = []
        if missing:
            problems.append("缺少必需的列：" + "、".join(missing))
        if unknown:
            problems.append("无法识别的列：" + "、".join(unknown))
        if problems:
            self.file_problem = True
            raise ValueError("；".join(problems) + "。请使用“下载导入模板”得到的表格填写，表头在第 1 行。")

    def import_row(self, row, instance_loader, **kwargs):
        row = OrderedDict((column, unescape_formula(value)) for column, value in row.items())
        if self.file_problem or all(is_blank(value) for value in row.values()):
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            return row_result
        return super().import_row(row, instance_loader, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        # The record's township follows what it is about (the person); set it before it is checked.
        if hasattr(instance, "assign_township"):
            instance.assign_township()
        if self.user is not None:
            try:
                check_write_allowed(user=self.user, record=instance)
            except ScopeError as error:
                # A township that cannot be read because a cell could not (an unknown person
                # or township) is that cell's error, already reported; not also "out of scope".
                if not (errors and township_of_record(instance) is None):
                    lookup = instance.township_lookup
                    errors.setdefault(lookup.split("__")[0], []).append(ValidationError(str(error)))
        if isinstance(instance, VersionedModel) and "version" not in errors:
            try:
                version_check(instance)
            except StaleWriteError as error:
                errors["version"] = [error]
        super().validate_instance(instance, errors, validate_unique)

    def do_instance_save(self, instance, is_create):
        # Workflow records go through the one service that decides approved vs submitted.
        if isinstance(instance, TownshipRecord) and self.user is not None:
            record_save(record=instance, by=self.user)
        else:
            super().do_instance_save(instance, is_create)

    # --- error messages ------------------------------------------------------

    def row_message(self, row_number: int, message: str, column: str | None = None) -> str:
        """「第 N 行：…」; the column is named unless the message already names it."""
        if column and column not in message:
            message = f"{column}，{message}"
        return f"第 {excel_row(row_number)} 行：{message}"

    def error_messages(self, result) -> list[str]:
        messages = [str(error.error) for error in result.base_errors]
        by_row = []
        for invalid in result.invalid_rows:
            for key, texts in invalid.error_dict.items():
                column = self.column_name_for(key)
                by_row += [(invalid.number, self.row_message(invalid.number, str(text), column)) for text in texts]
        for error_row in result.error_rows:
            by_row += [
                (error_row.number, self.row_message(error_row.number, f"无法导入（{error.error}）。"))
                for error in error_row.errors
            ]
        by_row.sort(key=lambda item: item[0])
        return messages + [message for _, message in by_row]
