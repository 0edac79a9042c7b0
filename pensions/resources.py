"""
Excel import/export of the preferential-care records, declared on the import/export kit (Chinese
headers, choice labels, all rows or none, masking, formula escaping). A person is named by ID
number and name, checked against the registry; the township follows the person.

Imported: “三难” aid, conscript families' allowances, problems collected (困难问题), oral-history
interviews and exhibitions. The money of an approved aid or allowance is a ledger row, written by
the kit with the rows (bureau.importexport.ledger_rows), exported with the ledger. The payroll's
runs and lines are computed, never imported; the standards and visiting rounds are the bureau's
settings, entered one by one.
"""

from django.core.exceptions import ValidationError
from import_export import fields

from bureau.importexport import (
    ChoiceLabelWidget,
    CountWidget,
    DateWidget,
    LabelWidget,
    MoneyWidget,
    NameForeignKeyWidget,
    PersonByIdNumberWidget,
    PersonRowResource,
    PortalResource,
    TextWidget,
    YesNoWidget,
)
from bureau.models import Township, Visit
from bureau.rules.services import township_default
from pensions.models import (
    ConscriptBenefit,
    HardshipAid,
    OralHistoryExhibition,
    OralHistoryInterview,
    Problem,
    War,
    problem_due_on,
)

ACTIVITY_FIELDS = ["title", "start_date", "end_date", "venue", "township", "headcount", "cost", "online_views"]


def review_status_field(model) -> fields.Field:
    return fields.Field(
        "review_status",
        "审核状态",
        widget=ChoiceLabelWidget(model._meta.get_field("review_status").choices),
        readonly=True,
    )


def choice_field(model, name: str, column: str, *, blank_keeps_default: bool = False) -> fields.Field:
    """A choice by its Chinese label; with `blank_keeps_default`, a blank cell leaves the model's default."""
    choices = model._meta.get_field(name).choices
    if blank_keeps_default:
        return fields.Field(name, column, widget=ChoiceLabelWidget(choices, empty_value=None), saves_null_values=False)
    return fields.Field(name, column, widget=ChoiceLabelWidget(choices))


# --- “三难”救助 --------------------------------------------------------------------------------


class HardshipAidResource(PersonRowResource):
    """
    An application and, for the bureau, its decision: a granted aid, once approved, is paid as a
    ledger row of the “三难”救助 programme in the month of the decision. The decision is the
    bureau's (HardshipAid.bureau_decided_fields): a station's file leaves those columns blank.
    Found again by the person, the kind and the date applied.
    """

    kind = choice_field(HardshipAid, "kind", "困难类型")
    applied_on = fields.Field("applied_on", "申请日期", widget=DateWidget())
    reason = fields.Field("reason", "困难情况", widget=TextWidget())
    amount_requested = fields.Field("amount_requested", "申请金额（元）", widget=MoneyWidget())
    decision = choice_field(HardshipAid, "decision", "审批结果", blank_keeps_default=True)
    amount_granted = fields.Field("amount_granted", "批准金额（元）", widget=MoneyWidget())
    decided_on = fields.Field("decided_on", "审批日期", widget=DateWidget())
    township = fields.Field("township", "乡镇（街道）", widget=LabelWidget(), readonly=True)
    review_status = review_status_field(HardshipAid)

    sample_row = {
        "困难类型": "生活难",
        "申请日期": "2021-03-01",
        "困难情况": "家庭成员重病，生活困难",
        "申请金额（元）": "2000",
    }

    class Meta:
        model = HardshipAid
        fields = [
            "person",
            "person_name",
            "kind",
            "applied_on",
            "reason",
            "amount_requested",
            "decision",
            "amount_granted",
            "decided_on",
            "township",
            "review_status",
        ]
        import_id_fields = ["person", "kind", "applied_on"]


# --- 义务兵家庭优待金 ----------------------------------------------------------------------------


class ConscriptBenefitResource(PortalResource):
    """
    A conscript's family's allowance of a year: the family member who receives it by ID number and
    name (checked against the registry as a person row is); once paid (a paying date) and approved,
    allowance plus supplement are a ledger row of the 义务兵家庭优待金 programme.
    """

    family = fields.Field("family", "领取人身份证号", widget=PersonByIdNumberWidget())
    family_name = fields.Field(column_name="领取人姓名", widget=TextWidget())
    conscript_name = fields.Field("conscript_name", "义务兵姓名", widget=TextWidget())
    enlistment_year = fields.Field("enlistment_year", "入伍年度", widget=CountWidget())
    benefit_year = fields.Field("benefit_year", "优待年度", widget=CountWidget())
    region = choice_field(ConscriptBenefit, "region", "服役地区", blank_keeps_default=True)
    amount = fields.Field("amount", "优待金（元）", widget=MoneyWidget())
    supplement = fields.Field("supplement", "西藏、新疆补助（元）", widget=MoneyWidget(), saves_null_values=False)
    back_pay = fields.Field("back_pay", "补发", widget=YesNoWidget())
    paid_on = fields.Field("paid_on", "发放日期", widget=DateWidget())
    township = fields.Field("township", "乡镇（街道）", widget=LabelWidget(), readonly=True)
    review_status = review_status_field(ConscriptBenefit)

    sample_row = {
        "义务兵姓名": "王小兵",
        "入伍年度": "2020",
        "优待年度": "2021",
        "服役地区": "内地",
        "优待金（元）": "26800",
    }

    class Meta:
        model = ConscriptBenefit
        fields = [
            "family",
            "family_name",
            "conscript_name",
            "enlistment_year",
            "benefit_year",
            "region",
            "amount",
            "supplement",
            "back_pay",
            "paid_on",
            "township",
            "review_status",
        ]
        import_id_fields = ["family", "benefit_year"]

    def get_queryset(self):
        return super().get_queryset().select_related("family")

    def dehydrate_family_name(self, benefit):
        return benefit.family.name

    def get_instance(self, instance_loader, row):
        # An unreadable key cell is reported by the row's own validation, with the row number.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def column_name_for(self, key):
        # Messages about the family member name them already (身份证号 …).
        if key == "family":
            return None
        return super().column_name_for(key)

    def import_instance(self, instance, row, **kwargs):
        """As a person row: the name must be the registry's, so that a mistyped number names nobody else."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        name = TextWidget().clean(row.get(self.fields["family_name"].column_name))
        if "family" not in errors and instance.family_id:
            registered = instance.family.name
            if not name:
                errors["family_name"] = [ValidationError("请填写领取人姓名。")]
            elif name != registered:
                errors["family_name"] = [
                    ValidationError(f"姓名“{name}”与人员库中该身份证号登记的姓名“{registered}”不一致。")
                ]
        if errors:
            raise ValidationError(errors)


# --- 困难问题 ----------------------------------------------------------------------------------

DUE_ON_NOT_STATIONS = "办理期限由区局确定，服务站导入时请留空本列。"
VISIT_NOT_FOUND = "该反映人在{day}没有走访记录；来源为走访收集时，走访日期须为收集该问题的走访记录的日期。"
VISIT_NOT_UNIQUE = "该反映人在{day}有多条走访记录，请在系统中逐条选择收集该问题的走访记录。"


class ProblemResource(PersonRowResource):
    """
    A problem a person reported, followed until solved. A problem collected on a visit names the
    visit by its date (走访日期): the visit of the person on that day. The deadline (办理期限) is
    the bureau's: blank, it is the report date plus 30 days (pensions.models.problem_due_on); a
    station leaves it blank, as its form offers none. Found again by person, kind and report date.
    """

    kind = choice_field(Problem, "kind", "问题类型")
    description = fields.Field("description", "问题描述", widget=TextWidget())
    source = choice_field(Problem, "source", "来源")
    visit_date = fields.Field(column_name="走访日期", widget=DateWidget())
    reported_on = fields.Field("reported_on", "反映日期", widget=DateWidget())
    assignee = fields.Field("assignee", "承办人（单位）", widget=TextWidget())
    state = choice_field(Problem, "state", "办理状态", blank_keeps_default=True)
    due_on = fields.Field("due_on", "办理期限", widget=DateWidget())
    resolution = fields.Field("resolution", "办理结果", widget=TextWidget())
    resolved_on = fields.Field("resolved_on", "解决日期", widget=DateWidget())
    supervised = fields.Field("supervised", "督办", widget=YesNoWidget())
    township = fields.Field("township", "乡镇（街道）", widget=LabelWidget(), readonly=True)
    review_status = review_status_field(Problem)

    sample_row = {"问题类型": "住房", "问题描述": "房屋漏雨需维修", "来源": "电话反映", "反映日期": "2021-03-01"}

    class Meta:
        model = Problem
        fields = [
            "person",
            "person_name",
            "kind",
            "description",
            "source",
            "visit_date",
            "reported_on",
            "assignee",
            "state",
            "due_on",
            "resolution",
            "resolved_on",
            "supervised",
            "township",
            "review_status",
        ]
        import_id_fields = ["person", "kind", "reported_on"]

    def get_queryset(self):
        return super().get_queryset().select_related("person", "visit")

    def dehydrate_visit_date(self, problem):
        return problem.visit.visited_on if problem.visit_id else None

    def import_instance(self, instance, row, **kwargs):
        stored_due_on = instance.due_on
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            self.import_visit(instance, row)
        except ValueError as error:
            errors.setdefault("visit_date", []).append(ValidationError(str(error)))
        if instance.due_on is None and instance.reported_on:
            # What Problem.save gives every path; the batch writes do not call save().
            instance.due_on = problem_due_on(instance.reported_on) if stored_due_on is None else stored_due_on
        elif not self.reviews and instance.due_on != (stored_due_on or self.default_due_on(instance)):
            errors.setdefault("due_on", []).append(ValidationError(DUE_ON_NOT_STATIONS))
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def default_due_on(problem):
        return problem_due_on(problem.reported_on) if problem.reported_on else None

    def import_visit(self, problem, row) -> None:
        """The visit of the row's person on the 走访日期 (blank: none), among the visits the user may see."""
        day = self.fields["visit_date"].widget.clean(row.get(self.fields["visit_date"].column_name))
        if day is None:
            problem.visit = None
            return
        if not problem.person_id:
            return  # the person's own error is reported
        visits = Visit.objects.all()
        if self.user is not None:
            visits = visits.visible_to(self.user)
        found = list(visits.filter(person_id=problem.person_id, visited_on=day)[:2])
        if not found:
            raise ValueError(VISIT_NOT_FOUND.format(day=f"{day:%Y-%m-%d}"))
        if len(found) > 1:
            raise ValueError(VISIT_NOT_UNIQUE.format(day=f"{day:%Y-%m-%d}"))
        problem.visit = found[0]


# --- 口述历史 -----------------------------------------------------------------------------------


class OralHistoryInterviewResource(PersonRowResource):
    war = fields.Field(
        "war", "参战经历", widget=ChoiceLabelWidget(War.choices, empty_value=None), saves_null_values=False
    )
    interviewed_on = fields.Field("interviewed_on", "拍摄日期", widget=DateWidget())
    interviewer = fields.Field("interviewer", "采访人", widget=TextWidget())
    duration_minutes = fields.Field("duration_minutes", "时长（分钟）", widget=CountWidget())
    video_link = fields.Field("video_link", "内网视频地址", widget=TextWidget())
    consent_recorded = fields.Field("consent_recorded", "已取得本人（或监护人）同意", widget=YesNoWidget())
    township = fields.Field("township", "乡镇（街道）", widget=LabelWidget(), readonly=True)
    review_status = review_status_field(OralHistoryInterview)

    sample_row = {
        "参战经历": "抗美援朝",
        "拍摄日期": "2021-04-01",
        "采访人": "区融媒体中心",
        "时长（分钟）": "45",
        "已取得本人（或监护人）同意": "是",
    }

    class Meta:
        model = OralHistoryInterview
        fields = [
            "person",
            "person_name",
            "war",
            "interviewed_on",
            "interviewer",
            "duration_minutes",
            "video_link",
            "consent_recorded",
            "township",
            "review_status",
        ]
        import_id_fields = ["person", "war", "interviewed_on"]


class OralHistoryExhibitionResource(PortalResource):
    """A showing at a school or in a community; found again by its name and date."""

    venue_kind = choice_field(OralHistoryExhibition, "venue_kind", "场所类型")
    title = fields.Field("title", "名称", widget=TextWidget())
    start_date = fields.Field("start_date", "开始日期", widget=DateWidget())
    end_date = fields.Field("end_date", "结束日期", widget=DateWidget())
    venue = fields.Field("venue", "地点", widget=TextWidget())
    township = fields.Field("township", "乡镇（街道）", widget=NameForeignKeyWidget(Township, "name"))
    headcount = fields.Field("headcount", "参加人数", widget=CountWidget())
    cost = fields.Field("cost", "费用（元）", widget=MoneyWidget())
    online_views = fields.Field("online_views", "线上观看人次", widget=CountWidget())
    review_status = review_status_field(OralHistoryExhibition)

    sample_row = {"场所类型": "校园", "名称": "红色记忆进校园", "开始日期": "2021-06-20"}

    class Meta:
        model = OralHistoryExhibition
        fields = ["venue_kind", *ACTIVITY_FIELDS, "review_status"]
        import_id_fields = ["title", "start_date"]

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if self.user is not None:
            # A blank township: the station's own for a station, district-wide for the bureau (as a form).
            township_default(record=instance, by=self.user)
