"""
Excel import/export of the shared core (django-import-export).

`PortalResource` is the base every area app's resource builds on: Chinese
column headers, text cells read as text, every row validated through the
model's `full_clean()`, nothing written unless every row is valid, errors
reported with the Excel row number in Chinese, formula-like strings escaped
on export, the township scope of the importing user enforced. The
Person-specific columns are in `PersonResource` at the bottom.
"""

import datetime
import re
from collections import OrderedDict
from io import BytesIO

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from import_export import fields, resources, widgets
from import_export.formats.base_formats import XLSX
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import Result, RowResult
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bureau.masking import id_number_for, phone_for
from bureau.models import Enterprise, Payment, Person, Township, TownshipRecord
from bureau.services import ScopeError, check_township_allowed, record_save
from bureau.validators import normalize_credit_code, parse_resident_id

# A string cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The header is row 1 of the sheet, so data row n (counted from 1) is Excel row n + 1.
HEADER_ROWS = 1
TEXT_FORMAT = "@"


def escape_formula(value):
    """Prefix `'` to a string a spreadsheet would run as a formula; other values (numbers, dates) pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(value):
    """Undo `escape_formula`, so that an exported file imports back unchanged."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def excel_row(row_number: int) -> int:
    """Excel row of import-export's 1-based data row number."""
    return row_number + HEADER_ROWS


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class PortalXLSX(XLSX):
    """
    xlsx import that keeps every sheet row (blank ones too, so row numbers stay
    Excel's) and pads short rows: files written by other programs often lack
    the sheet dimension, and their rows end at the last filled cell.
    """

    def create_dataset(self, in_stream):
        workbook = load_workbook(BytesIO(in_stream), read_only=True, data_only=True)
        rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
        workbook.close()
        dataset = tablib.Dataset()
        if not rows:
            return dataset
        width = max(len(row) for row in rows)
        dataset.headers = [("" if value is None else value) for value in rows[0]] + [""] * (width - len(rows[0]))
        for row in rows[1:]:
            dataset.append(row + [None] * (width - len(row)))
        return dataset


# --- widgets -----------------------------------------------------------------


class TextWidget(widgets.Widget):
    """
    A text cell. Numbers typed into a text column (a phone) become their digits;
    with `refuse_numbers_message` a numeric cell is an error instead, for columns
    Excel would corrupt when stored as a number (18-digit ID numbers).
    """

    def __init__(self, *, refuse_numbers_message: str = "", **kwargs):
        super().__init__(**kwargs)
        self.refuse_numbers_message = refuse_numbers_message
        # Read by PortalResource.import_template: the column is formatted as text.
        self.excel_text = bool(refuse_numbers_message)

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.refuse_numbers_message:
                raise ValueError(self.refuse_numbers_message)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
        return str(value).strip()

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceLabelWidget(widgets.Widget):
    """A choice shown by its Chinese label (男, 退役军人); the stored code is accepted too."""

    def __init__(self, choices, *, empty_value="", **kwargs):
        super().__init__(**kwargs)
        self.choices = [(str(code), str(label)) for code, label in choices]
        self.empty_value = empty_value

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return self.empty_value
        text = str(value).strip()
        for code, label in self.choices:
            if text in (label, code):
                return code
        labels = "、".join(label for _, label in self.choices)
        raise ValueError(f"“{text}”不是有效的选项，应填写：{labels}。")

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(str(value), "" if value is None else str(value))

    @property
    def template_note(self) -> str:
        return "填写：" + "、".join(label for _, label in self.choices)


class DateWidget(widgets.Widget):
    """A date cell, or text such as 2021-03-01, 2021/3/1, 2021.3.1 or 2021年3月1日."""

    date_text = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        if match := self.date_text.match(text):
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
        raise ValueError(f"日期“{text}”无法识别，请填写如 2021-03-01 的日期。")

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if kwargs.get("force_native_type"):
            return value
        return value.isoformat()

    template_note = "日期，如 2021-03-01"


class NameForeignKeyWidget(widgets.ForeignKeyWidget):
    """A related record given by its name (乡镇（街道） by 名称); an unknown name is a row error in Chinese."""

    def __init__(self, model, field="name", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self._cache = {}

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        text = str(value).strip()
        if text not in self._cache:
            try:
                self._cache[text] = self.get_queryset(text, row).get(**{self.field: text})
            except self.model.DoesNotExist:
                raise ValueError(f"{self.model._meta.verbose_name}“{text}”不存在。") from None
            except self.model.MultipleObjectsReturned:
                raise ValueError(f"{self.model._meta.verbose_name}“{text}”不唯一。") from None
        return self._cache[text]

    @property
    def template_note(self) -> str:
        names = list(self.model.objects.values_list(self.field, flat=True)[:200])
        return "填写名称：" + "、".join(str(name) for name in names)


# --- the base resource -----------------------------------------------------------


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


class PortalResource(resources.ModelResource):
    """
    Base resource of the portal; area apps subclass it for their models.

    - knows the requesting `user`: imports see and write only what the user
      may (`visible_to`, `check_township_allowed`), workflow records are saved
      through `record_save` (approved for bureau staff, submitted for stations);
    - every row is validated with the model's `full_clean()`; the import is
      all or nothing: any invalid row rolls the whole file back;
    - `result.row_messages` lists the problems as 「第 N 行：…」 with N the row
      number as Excel shows it (header = row 1, first data row = row 2);
    - strings starting with = + - @ tab or CR are exported with a leading `'`
      (numbers and dates stay native), and the `'` is stripped on import.
    """

    class Meta:
        clean_model_instances = True
        use_transactions = True
        instance_loader_class = PortalInstanceLoader
        # Blank lines (often left at the end of a sheet) are skipped silently.
        report_skipped = False

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.file_problem = False

    @classmethod
    def get_result_class(cls):
        return PortalResult

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

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

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
            self.user = kwargs.get("user")
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
        lookup = getattr(self._meta.model, "township_lookup", None)
        if self.user is not None and lookup:
            township = self._township_of(instance, lookup)
            if township is not None:
                try:
                    check_township_allowed(user=self.user, township=township)
                except ScopeError as error:
                    errors.setdefault(lookup.split("__")[0], []).append(ValidationError(str(error)))
        super().validate_instance(instance, errors, validate_unique)

    @staticmethod
    def _township_of(instance, lookup: str):
        value = instance
        for attribute in lookup.split("__"):
            try:
                value = getattr(value, attribute)
            except ObjectDoesNotExist:
                return None
            if value is None:
                return None
        return value

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


# --- the person registry -------------------------------------------------------------

ID_NUMBER_AS_NUMBER = "身份证号必须以文本格式填写（Excel 会把 18 位数字改写成科学计数法）。"


class IdNumberWidget(TextWidget):
    """The ID number as text; spaces dropped and a final x upper-cased so it finds the registered person."""

    def __init__(self, **kwargs):
        super().__init__(refuse_numbers_message=ID_NUMBER_AS_NUMBER, **kwargs)

    def clean(self, value, row=None, **kwargs):
        return "".join(super().clean(value, row, **kwargs).split()).upper()


class PersonResource(PortalResource):
    name = fields.Field("name", "姓名", widget=TextWidget())
    id_number = fields.Field("id_number", "身份证号", widget=IdNumberWidget())
    gender = fields.Field("gender", "性别", widget=ChoiceLabelWidget(Person.Gender.choices))
    birth_date = fields.Field("birth_date", "出生日期", widget=DateWidget(), readonly=True)
    phone = fields.Field("phone", "联系电话", widget=TextWidget())
    township = fields.Field("township", "乡镇（街道）", widget=NameForeignKeyWidget(Township, "name"))
    address = fields.Field("address", "住址", widget=TextWidget())
    # A blank status keeps the current one (the default 退役军人 for a new person).
    status = fields.Field(
        "status", "人员状态", widget=ChoiceLabelWidget(Person.Status.choices, empty_value=None), saves_null_values=False
    )
    branch = fields.Field("branch", "军种", widget=ChoiceLabelWidget(Person.Branch.choices))
    enlisted_on = fields.Field("enlisted_on", "入伍日期", widget=DateWidget())
    discharged_on = fields.Field("discharged_on", "退役日期", widget=DateWidget())
    discharge_route = fields.Field(
        "discharge_route", "安置方式", widget=ChoiceLabelWidget(Person.DischargeRoute.choices)
    )
    notes = fields.Field("notes", "备注", widget=TextWidget())

    class Meta:
        model = Person
        fields = [
            "name",
            "id_number",
            "gender",
            "birth_date",
            "phone",
            "township",
            "address",
            "status",
            "branch",
            "enlisted_on",
            "discharged_on",
            "discharge_route",
            "notes",
        ]
        import_id_fields = ["id_number"]

    def dehydrate_id_number(self, person):
        return id_number_for(self.user, person.id_number)

    def dehydrate_phone(self, person):
        return phone_for(self.user, person.phone)


class PaymentResource(PortalResource):
    person = fields.Field("person__name", "姓名", readonly=True)
    programme = fields.Field("programme__name", "资金项目", readonly=True)
    period = fields.Field("period", "期间")
    amount = fields.Field("amount", "金额（元）")
    paid_on = fields.Field("paid_on", "发放日期")

    class Meta:
        model = Payment
        fields = ["person", "programme", "period", "amount", "paid_on"]


# --- people by ID number, enterprises ---------------------------------------------------


class PersonByIdNumberWidget(widgets.ForeignKeyWidget):
    """
    A person of the registry given by their ID number (a text cell). Only people
    the importing user may see are found; an unregistered or invalid number is a
    row error in Chinese. Exported masked unless the user may see ID numbers.
    """

    def __init__(self, **kwargs):
        super().__init__(Person, field="id_number", **kwargs)
        self.user = None
        self.text = IdNumberWidget()
        # Read by PortalResource.import_template: the column is formatted as text.
        self.excel_text = True

    def get_queryset(self, value, row, *args, **kwargs):
        queryset = Person.objects.all()
        return queryset.visible_to(self.user) if self.user is not None else queryset

    def clean(self, value, row=None, **kwargs):
        number = self.text.clean(value, row, **kwargs)
        if not number:
            return None
        try:
            return self.get_queryset(number, row).get(id_number=number)
        except Person.DoesNotExist:
            try:
                parse_resident_id(number)
            except ValidationError as error:
                raise ValueError(error.messages[0]) from None
            raise ValueError(f"身份证号 {number} 未在人员库中登记。") from None

    def render(self, value, obj=None, **kwargs):
        return id_number_for(self.user, value.id_number) if value else ""

    template_note = "已在人员库中登记的身份证号"


class YesNoWidget(widgets.Widget):
    """A yes/no cell: 是 / 否 (blank is 否)."""

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return False
        text = str(value).strip()
        if text in ("是", "否"):
            return text == "是"
        raise ValueError(f"“{text}”不是有效的选项，应填写：是、否。")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"

    template_note = "填写：是、否"


CREDIT_CODE_AS_NUMBER = "统一社会信用代码必须以文本格式填写。"


class CreditCodeWidget(TextWidget):
    """The credit code as text, spaces dropped and letters upper-cased so it matches the registered one."""

    def __init__(self, **kwargs):
        super().__init__(refuse_numbers_message=CREDIT_CODE_AS_NUMBER, **kwargs)

    def clean(self, value, row=None, **kwargs):
        return normalize_credit_code(super().clean(value, row, **kwargs))


class EnterpriseResource(PortalResource):
    """Enterprises matched on their credit code; founder by ID number, masked on export."""

    name = fields.Field("name", "企业名称", widget=TextWidget())
    credit_code = fields.Field("credit_code", "统一社会信用代码", widget=CreditCodeWidget())
    sector = fields.Field("sector", "行业领域", widget=TextWidget())
    township = fields.Field("township", "所在乡镇（街道）", widget=NameForeignKeyWidget(Township, "name"))
    veteran_founded = fields.Field("veteran_founded", "退役军人创办", widget=YesNoWidget())
    founder = fields.Field("founder", "创办人身份证号", widget=PersonByIdNumberWidget())
    contact_name = fields.Field("contact_name", "联系人", widget=TextWidget())
    contact_phone = fields.Field("contact_phone", "联系电话", widget=TextWidget())

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "sector",
            "township",
            "veteran_founded",
            "founder",
            "contact_name",
            "contact_phone",
        ]
        import_id_fields = ["credit_code"]

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["founder"].widget.user = user

    def dehydrate_contact_phone(self, enterprise):
        return phone_for(self.user, enterprise.contact_phone)
