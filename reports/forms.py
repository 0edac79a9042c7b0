"""Forms of the leadership dashboard; choices are limited to what the user may request."""

from django import forms

from bureau.base.scoping import sees_all_townships
from bureau.models import Township
from reports.dashboard import dashboard_years
from reports.models import AnnualReportRun
from reports.services import may_request_district, report_years, requestable_townships


def _year_choices():
    return [(year, f"{year}年") for year in report_years()]


def _dashboard_year_choices():
    return [(year, f"{year}年") for year in dashboard_years()]


class YearForm(forms.Form):
    """
    The dashboard's picker (GET): the year, up to the current one; and, for roles that see every
    township, 全区 or one township. Station staff get no township field: their page is their township's.
    """

    year = forms.TypedChoiceField(label="年度", coerce=int, choices=_dashboard_year_choices)
    township = forms.ModelChoiceField(
        label="范围",
        queryset=Township.objects.all(),
        required=False,
        empty_label="全区",
        error_messages={"invalid_choice": "没有这个乡镇（街道），请从列表中选择。"},
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if not sees_all_townships(user):
            del self.fields["township"]


class RunRequestForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=_year_choices)
    township = forms.ModelChoiceField(label="范围", queryset=None, required=False)
    formats = forms.MultipleChoiceField(
        label="格式",
        choices=[(f, AnnualReportRun.FORMAT_LABELS[f]) for f in AnnualReportRun.FILE_FORMATS],
        widget=forms.CheckboxSelectMultiple,
        initial=list(AnnualReportRun.FILE_FORMATS),
        error_messages={"required": "请至少选择一种格式（Word 或 Excel）。"},
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("label_suffix", "")  # Chinese labels take no trailing colon here
        super().__init__(*args, **kwargs)
        township = self.fields["township"]
        township.queryset = requestable_townships(user)
        if may_request_district(user):
            township.empty_label = "全区"
        else:
            # Station staff: their own township only, so no 全区 choice either.
            township.required = True
            township.empty_label = None
        township.error_messages["invalid_choice"] = "您不能生成这个乡镇（街道）的报告。"
        township.error_messages["required"] = "请选择乡镇（街道）。"
        self.fields["year"].error_messages["invalid_choice"] = "请选择有效的年度。"


class CloseYearForm(forms.Form):
    """定稿's confirmation: the clerk says the report's figures were checked."""

    confirm = forms.BooleanField(
        label="我已核对报告中的数字，确认定稿",
        error_messages={"required": "请勾选“我已核对报告中的数字，确认定稿”。"},
    )


class ReopenYearForm(forms.Form):
    """解锁: the reason is required (kept with the year's closing and in the audit trail)."""

    reason = forms.CharField(
        label="解锁原因",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages={"required": "解锁已定稿的年度必须填写原因。"},
        help_text="如：发现某笔慰问金金额录入错误，需更正后重新定稿。",
    )
