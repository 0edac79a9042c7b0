"""
Cell widgets: how one column is read from a sheet and written to it, with
Chinese messages for a cell that cannot be read (the resource adds the row).

A widget that looks records up (a township by name, a person by ID number) has
`preload(values)`: the resource hands it the whole column before the rows are
read, and it reads the table once for all of them (in chunks of `LOOKUP_CHUNK`),
not once a row. Its cache lives for one import.

A widget's `sample` (a valid-looking value: an ID number, a date, the first choice's label)
fills the import template's sample row (bureau.importexport.template).

A widget with a `user` attribute (PersonByIdNumberWidget) is given the
resource's user, so it finds only what that user may see and masks what
the user may not see whole.
"""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from import_export import widgets

from bureau.base.bulk import chunks
from bureau.base.masking import mask_for, shown
from bureau.models import Person
from bureau.validators import CENT, is_whole_fen, normalize_credit_code, parse_resident_id

ID_NUMBER_AS_NUMBER = "身份证号必须以文本格式填写（Excel 会把 18 位数字改写成科学计数法）。"
CREDIT_CODE_AS_NUMBER = "统一社会信用代码必须以文本格式填写。"


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- text and codes ------------------------------------------------------------


# A valid-looking ID number (check digit right; born 1995-03-07, male) for the templates' sample rows.
SAMPLE_ID_NUMBER = "110105199503070013"


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


# A masked value of any other sensitive column (a phone 138****5678) exported for a role without the right.
MASKED_VALUE = "该值是导出时遮蔽的值（含 *），不能用于导入；请填写完整的值，或删除该列后再导入。"
# A file exported masked (the default) cannot name people; the whole numbers need an export with a purpose.
MASKED_ID_NUMBER = (
    "身份证号是遮蔽值（含 *），不能用于导入。如需修改后导入，请导出时勾选“导出完整的身份证号”并填写用途。"
)


class IdNumberWidget(TextWidget):
    """The ID number as text; spaces dropped and a final x upper-cased so it finds the registered person."""

    #: Says itself that a masked value is masked (MASKED_ID_NUMBER), with how to export whole numbers.
    says_masked = True
    #: The template's sample row (bureau.importexport.template).
    sample = SAMPLE_ID_NUMBER

    def __init__(self, **kwargs):
        super().__init__(refuse_numbers_message=ID_NUMBER_AS_NUMBER, **kwargs)

    def clean(self, value, row=None, **kwargs):
        number = "".join(super().clean(value, row, **kwargs).split()).upper()
        if "*" in number:
            raise ValueError(MASKED_ID_NUMBER)
        return number


class CreditCodeWidget(TextWidget):
    """The credit code as text, spaces dropped and letters upper-cased so it matches the registered one."""

    sample = "91350100M000100Y43"

    def __init__(self, **kwargs):
        super().__init__(refuse_numbers_message=CREDIT_CODE_AS_NUMBER, **kwargs)

    def clean(self, value, row=None, **kwargs):
        return normalize_credit_code(super().clean(value, row, **kwargs))


# --- choices, dates, numbers -------------------------------------------------------


class ChoiceLabelWidget(widgets.Widget):
    """
    A choice shown by its Chinese label (男, 退役军人); the stored code is accepted too, and a label
    without its note in brackets when that names one choice: 战略支援部队 for 「战略支援部队（2024年4月前）」,
    as rosters written before the note was added say it.
    """

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
        bare = [code for code, label in self.choices if "（" in label and label.split("（")[0] == text]
        if len(bare) == 1:
            return bare[0]
        labels = "、".join(label for _, label in self.choices)
        raise ValueError(f"“{text}”不是有效的选项，应填写：{labels}。")

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(str(value), "" if value is None else str(value))

    def export_render(self):
        """`render` with the labels looked up once, for an export of many rows (bureau.importexport.jobs)."""
        labels = dict(self.choices)
        return lambda value: labels.get(str(value), "" if value is None else str(value))

    @property
    def template_note(self) -> str:
        return "填写：" + "、".join(label for _, label in self.choices)

    @property
    def sample(self) -> str:
        return self.choices[0][1] if self.choices else ""


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
    sample = "是"


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
    sample = "2021-05-01"


class CountWidget(widgets.Widget):
    """A whole number of days or people; blank is none."""

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if not text.isdigit():
            raise ValueError(f"“{text}”不是有效的整数。")
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value

    template_note = "整数"
    sample = "1"


class MoneyWidget(widgets.Widget):
    """
    An amount in 元 with at most two decimals: a number cell, or text such as 1,234.50 or 1234.5元.
    Read exactly (a float cell by its shortest decimal form, 0.1 as 0.10, never 0.1000000000000000055).
    """

    money = re.compile(r"^-?\d+(\.\d+)?$")
    sample = "1200.00"

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, bool):
            raise ValueError(f"金额“{value}”不是有效的数字。")
        text = repr(value) if isinstance(value, float) else str(value).strip().replace(",", "").replace("，", "")
        text = text.removesuffix("元").strip()
        if not self.money.match(text):
            raise ValueError(f"金额“{value}”不是有效的数字。")
        amount = Decimal(text)
        if not is_whole_fen(amount):
            raise ValueError(f"金额“{value}”最多保留两位小数（到分）。")
        return amount.quantize(CENT)

    def render(self, value, obj=None, **kwargs):
        return value


class LabelWidget(widgets.Widget):
    """Export only: a related record as the portal names it."""

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


# --- related records ---------------------------------------------------------------


class NameForeignKeyWidget(widgets.ForeignKeyWidget):
    """A related record given by its name (乡镇（街道） by 名称); an unknown name is a row error in Chinese."""

    def __init__(self, model, field="name", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.preload([])

    def preload(self, values) -> None:
        """Read the records the column names, once: {name: record, or the message of a name that does not fit}."""
        self._found = {}
        names = sorted({str(value).strip() for value in values if not is_blank(value)})
        for chunk in chunks(names):
            for record in self.get_queryset(None, None).filter(**{f"{self.field}__in": chunk}):
                name = str(getattr(record, self.field))
                self._found[name] = self.not_unique(name) if name in self._found else record
        for name in names:
            self._found.setdefault(name, self.missing(name))

    def export_related(self):
        """
        The related record's field this column shows and its cell from that field's value (what `render`
        gives for the record), for an export that reads values rather than records (bureau.importexport.jobs).
        """
        if self.use_natural_foreign_keys or self.key_is_id or "__" in self.field:
            return None
        return self.field, lambda value: value

    def missing(self, text: str) -> ValueError:
        return ValueError(f"{self.model._meta.verbose_name}“{text}”不存在。")

    def not_unique(self, text: str) -> ValueError:
        return ValueError(f"{self.model._meta.verbose_name}“{text}”不唯一。")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        text = str(value).strip()
        if text not in self._found:
            # A value not handed to `preload` (a resource used row by row): looked up on its own.
            try:
                self._found[text] = self.get_queryset(text, row).get(**{self.field: text})
            except self.model.DoesNotExist:
                self._found[text] = self.missing(text)
            except self.model.MultipleObjectsReturned:
                self._found[text] = self.not_unique(text)
        found = self._found[text]
        if isinstance(found, ValueError):
            raise ValueError(str(found))
        return found

    @property
    def template_note(self) -> str:
        names = list(self.model.objects.values_list(self.field, flat=True)[:200])
        return "填写名称：" + "、".join(str(name) for name in names)

    @property
    def sample(self) -> str:
        first = self.model.objects.values_list(self.field, flat=True).first()
        return "" if first is None else str(first)


class ActivityWidget(widgets.ForeignKeyWidget):
    """
    An activity record (bureau.models.ActivityRecord: a fair, a class, a ceremony)
    given as 名称（2021-02-28）, as the portal names it, or by its title alone
    while that is unique. `example` is a typical title, shown in the template notes.
    """

    name_and_date = re.compile(r"^(?P<title>.+?)\s*[（(]\s*(?P<date>\d{4}-\d{1,2}-\d{1,2})\s*[)）]$")

    def __init__(self, model, *, example: str = "", **kwargs):
        super().__init__(model, field="title", **kwargs)
        self.example = example or f"某{model._meta.verbose_name}"
        self._cache = {}

    def preload(self, values) -> None:
        # A file names a handful of activities; each is looked up once (by `clean`), per import.
        self._cache = {}

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        text = str(value).strip()
        if text not in self._cache:
            try:
                self._cache[text] = self._find(text)
            except ValueError as error:
                self._cache[text] = error
        found = self._cache[text]
        if isinstance(found, ValueError):
            raise ValueError(str(found))
        return found

    def _find(self, text):
        label = self.model._meta.verbose_name
        lookup = {"title": text}
        if match := self.name_and_date.match(text):
            lookup = {"title": match["title"], "start_date": DateWidget().clean(match["date"])}
        matches = list(self.model.objects.filter(**lookup)[:2])
        if not matches:
            raise ValueError(f"{label}“{text}”不存在。")
        if len(matches) > 1:
            raise ValueError(f"{label}“{text}”不唯一，请在名称后注明日期，如“{matches[0]}”。")
        return matches[0]

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""

    @property
    def template_note(self) -> str:
        return f"名称（日期），如：{self.example}（2021-02-28）；名称唯一时可只填名称"

    @property
    def sample(self) -> str:
        return f"{self.example}（2021-02-28）"


class PersonByIdNumberWidget(widgets.ForeignKeyWidget):
    """
    A person of the registry given by their ID number (a text cell). Only people
    the importing user may see are found; an unregistered or invalid number is a
    row error in Chinese. Exported as `Person.sensitive_fields` masks it for the user.
    """

    #: A masked number is said to be masked (its IdNumberWidget's MASKED_ID_NUMBER).
    says_masked = True

    def __init__(self, **kwargs):
        super().__init__(Person, field="id_number", **kwargs)
        # Set by PortalResource to its user; None (code, not a person) finds everyone and masks.
        self.user = None
        self.text = IdNumberWidget()
        # Read by PortalResource.import_template: the column is formatted as text.
        self.excel_text = True

    def get_queryset(self, value, row, *args, **kwargs):
        queryset = Person.objects.all()
        return queryset.visible_to(self.user) if self.user is not None else queryset

    def preload(self, values) -> None:
        """Find the people of the whole column at once: {ID number: person} of those the user may see."""
        self._found = {}
        self._preloaded = set()
        numbers = set()
        for value in values:
            try:
                numbers.add(self.text.clean(value))
            except ValueError:
                continue  # reported by `clean`, with the row
        numbers.discard("")
        for chunk in chunks(sorted(numbers)):
            queryset = self.get_queryset(None, None).filter(id_number__in=chunk).select_related("township")
            self._found.update((person.id_number, person) for person in queryset)
        self._preloaded = numbers

    def clean(self, value, row=None, **kwargs):
        number = self.text.clean(value, row, **kwargs)
        if not number:
            return None
        found = getattr(self, "_found", {})
        if number in found:
            return found[number]
        if number not in getattr(self, "_preloaded", ()):
            try:
                return self.get_queryset(number, row).get(id_number=number)
            except Person.DoesNotExist:
                pass
        try:
            parse_resident_id(number)
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None
        raise ValueError(f"身份证号 {number} 未在人员库中登记。") from None

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return shown(self.user, getattr(value, self.field), mask_for(self.model, self.field))

    def export_related(self):
        """The person's ID number, masked for the user as `render` shows it (NameForeignKeyWidget.export_related)."""
        user, mask = self.user, mask_for(self.model, self.field)
        return self.field, lambda number: shown(user, number, mask)

    template_note = "已在人员库中登记的身份证号"
    sample = SAMPLE_ID_NUMBER
