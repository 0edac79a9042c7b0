"""
Excel import/export of the employment records, declared on the import/export
kit (bureau.importexport): Chinese headers, all or nothing, row errors, masking.

Imported: fair attendees, trainees, the outcomes (就业情况), the intentions reached at fairs, job
postings, role models and the activities themselves (fairs, training classes, publicity events).
The startup park is exported only: a standing facility of the district (one or two records, with
their tenants as an inline), not a list an office keeps in a spreadsheet.

A fair or a class is named in a cell as the portal shows it, 名称（日期）, e.g.
「退役军人专场招聘会（2021-02-28）」; the name alone is enough while it is unique. An enterprise
is named by its registered name, a township by its name. An activity is found again by its name
and date, so that importing a corrected file updates it.
"""

from import_export import fields

from bureau.importexport import (
    ActivityWidget,
    ChoiceLabelWidget,
    CountWidget,
    DateWidget,
    LabelWidget,
    MoneyWidget,
    NameForeignKeyWidget,
    PersonRowResource,
    PortalResource,
    TextWidget,
    YesNoWidget,
    export_resource,
)
from bureau.models import Enterprise, Township
from bureau.rules.services import township_default
from employment.models import (
    EmploymentIntention,
    EmploymentOutcome,
    FairAttendance,
    JobFair,
    JobPosting,
    PublicityEvent,
    RoleModel,
    StartupPark,
    Trainee,
    TrainingClass,
    TrainingTopic,
)


def review_status_field(model) -> fields.Field:
    return fields.Field(
        "review_status",
        "审核状态",
        widget=ChoiceLabelWidget(model._meta.get_field("review_status").choices),
        readonly=True,
    )


def enterprise_field(column: str) -> fields.Field:
    return fields.Field("enterprise", column, widget=NameForeignKeyWidget(Enterprise, "name"))


class OwnTownshipMixin:
    """
    A record whose township is its own column (not a resident's): a blank cell takes what a form
    would give it (`township_default`: the station's own township for a station, district-wide for
    the bureau), before the write scope is checked.
    """

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if self.user is not None:
            township_default(record=instance, by=self.user)


# --- imports: attendees and trainees --------------------------------------------------


class FairAttendanceResource(PersonRowResource):
    fair = fields.Field("fair", "招聘会", widget=ActivityWidget(JobFair, example="退役军人专场招聘会"))
    township = fields.Field("township", "乡镇（街道）", widget=LabelWidget(), readonly=True)
    review_status = review_status_field(FairAttendance)

    class Meta:
        model = FairAttendance
        fields = ["fair", "person", "person_name", "township", "review_status"]
        import_id_fields = ["fair", "person"]


class TraineeResource(PersonRowResource):
    training_class = fields.Field(
        "training_class", "培训班", widget=ActivityWidget(TrainingClass, example="退役军人适应性培训班")
    )
    days_attended = fields.Field("days_attended", "出勤天数", widget=CountWidget())
    township = fields.Field("person__township", "乡镇（街道）", widget=LabelWidget(), readonly=True)

    class Meta:
        model = Trainee
        fields = ["training_class", "person", "person_name", "days_attended", "township"]
        import_id_fields = ["training_class", "person"]


# --- imports: outcomes, intentions, postings, role models ------------------------------


class EmploymentOutcomeResource(PersonRowResource):
    """
    就业情况: a registered enterprise by name, or the employer's name when it is not registered.
    Found again by the person and the start date (one job begun per person a day), so that a
    corrected employer updates the record rather than adding a second one.
    """

    enterprise = enterprise_field("就业企业")
    employer_name = fields.Field("employer_name", "就业单位（未登记企业时填写）", widget=TextWidget())
    started_on = fields.Field("started_on", "就业日期", widget=DateWidget())
    channel = fields.Field("channel", "就业渠道", widget=ChoiceLabelWidget(EmploymentOutcome.Channel.choices))
    township = fields.Field("township", "乡镇（街道）", widget=LabelWidget(), readonly=True)
    review_status = review_status_field(EmploymentOutcome)

    sample_row = {"就业企业": "示例科技有限公司", "就业日期": "2021-03-01", "就业渠道": "招聘会"}

    class Meta:
        model = EmploymentOutcome
        fields = [
            "person",
            "person_name",
            "enterprise",
            "employer_name",
            "started_on",
            "channel",
            "township",
            "review_status",
        ]
        import_id_fields = ["person", "started_on"]


class EmploymentIntentionResource(PersonRowResource):
    """就业意向 reached with an enterprise, at a fair or not (达成就业意向XX人)."""

    enterprise = enterprise_field("意向企业")
    fair = fields.Field("fair", "招聘会", widget=ActivityWidget(JobFair, example="退役军人专场招聘会"))
    agreed_on = fields.Field("agreed_on", "达成日期", widget=DateWidget())
    township = fields.Field("person__township", "乡镇（街道）", widget=LabelWidget(), readonly=True)

    sample_row = {
        "意向企业": "示例科技有限公司",
        "招聘会": "退役军人专场招聘会（2021-02-28）",
        "达成日期": "2021-02-28",
    }

    class Meta:
        model = EmploymentIntention
        fields = ["person", "person_name", "enterprise", "fair", "agreed_on", "township"]
        import_id_fields = ["person", "enterprise", "agreed_on"]


class JobPostingResource(OwnTownshipMixin, PortalResource):
    enterprise = enterprise_field("招聘企业")
    positions = fields.Field("positions", "招聘岗位", widget=TextWidget())
    position_count = fields.Field("position_count", "招聘人数", widget=CountWidget())
    channel = fields.Field("channel", "发布渠道", widget=TextWidget())
    published_on = fields.Field("published_on", "发布日期", widget=DateWidget())
    township = fields.Field("township", "乡镇（街道）", widget=NameForeignKeyWidget(Township, "name"))
    review_status = review_status_field(JobPosting)

    sample_row = {
        "招聘企业": "示例科技有限公司",
        "招聘岗位": "装配工、质检员",
        "招聘人数": "10",
        "发布渠道": "本地新媒体平台",
        "发布日期": "2021-03-01",
    }

    class Meta:
        model = JobPosting
        fields = ["enterprise", "positions", "position_count", "channel", "published_on", "township", "review_status"]
        import_id_fields = ["enterprise", "positions", "published_on"]


class RoleModelResource(OwnTownshipMixin, PersonRowResource):
    year = fields.Field("year", "年度", widget=CountWidget())
    story = fields.Field("story", "事迹", widget=TextWidget())
    township = fields.Field("township", "乡镇（街道）", widget=NameForeignKeyWidget(Township, "name"))
    review_status = review_status_field(RoleModel)

    sample_row = {"年度": "2021", "事迹": "创办企业，带动退役军人就业。"}

    class Meta:
        model = RoleModel
        fields = ["person", "person_name", "year", "story", "township", "review_status"]
        import_id_fields = ["person", "year"]


# --- imports: the activities ---------------------------------------------------------------

ACTIVITY_FIELDS = ["title", "start_date", "end_date", "venue", "township", "headcount", "cost", "online_views"]


def activity_fields(model) -> dict:
    """The columns every activity has (bureau.models.ActivityRecord); found again by name and date."""
    return {
        "title": fields.Field("title", "名称", widget=TextWidget()),
        "start_date": fields.Field("start_date", "开始日期", widget=DateWidget()),
        "end_date": fields.Field("end_date", "结束日期", widget=DateWidget()),
        "venue": fields.Field("venue", "地点", widget=TextWidget()),
        "township": fields.Field("township", "乡镇（街道）", widget=NameForeignKeyWidget(Township, "name")),
        "headcount": fields.Field("headcount", "参加人数", widget=CountWidget()),
        "cost": fields.Field("cost", "费用（元）", widget=MoneyWidget()),
        "online_views": fields.Field("online_views", "线上观看人次", widget=CountWidget()),
        "review_status": review_status_field(model),
    }


def activity_resource(model, names: list[str], sample_row: dict, **own_fields) -> type[PortalResource]:
    """An importable resource of an activity: the common columns and its own (`own_fields`), in `names`' order."""
    meta = type("Meta", (), {"model": model, "fields": names, "import_id_fields": ["title", "start_date"]})
    attrs = {**activity_fields(model), **own_fields, "sample_row": sample_row, "Meta": meta}
    return type(f"{model.__name__}Resource", (OwnTownshipMixin, PortalResource), attrs)


class TopicsWidget(ChoiceLabelWidget):
    """培训内容: labels of the fixed list, separated by 、 (or ，); stored as their codes, in the list's order."""

    def clean(self, value, row=None, **kwargs):
        if value is None or not str(value).strip():
            return []
        parts = [part.strip() for part in str(value).replace("，", "、").replace(",", "、").split("、")]
        codes = {super(TopicsWidget, self).clean(part) for part in parts if part}
        return [code for code, _ in self.choices if code in codes]

    def render(self, value, obj=None, **kwargs):
        labels = dict(self.choices)
        return "、".join(labels.get(code, code) for code in value or [])

    @property
    def template_note(self) -> str:
        return "可填多项，用“、”分隔：" + "、".join(label for _, label in self.choices)


JobFairResource = activity_resource(
    JobFair,
    [*ACTIVITY_FIELDS, "dedicated_to_veterans", "streamed_online", "unnamed_attendees", "review_status"],
    {"名称": "退役军人专场招聘会", "开始日期": "2021-02-28", "退役军人专场": "是", "网络同步直播": "否"},
    dedicated_to_veterans=fields.Field("dedicated_to_veterans", "退役军人专场", widget=YesNoWidget()),
    streamed_online=fields.Field("streamed_online", "网络同步直播", widget=YesNoWidget()),
    unnamed_attendees=fields.Field(
        "unnamed_attendees", "未登记姓名的参加人数", widget=CountWidget(), saves_null_values=False
    ),
)
TrainingClassResource = activity_resource(
    TrainingClass,
    [*ACTIVITY_FIELDS, "topics", "other_topics", "review_status"],
    {
        "名称": "退役军人适应性培训班",
        "开始日期": "2021-06-01",
        "结束日期": "2021-06-03",
        "培训内容": "思想政治教育、求职技巧",
    },
    topics=fields.Field("topics", "培训内容", widget=TopicsWidget(TrainingTopic.choices)),
    other_topics=fields.Field("other_topics", "其他培训内容", widget=TextWidget()),
)
PublicityEventResource = activity_resource(
    PublicityEvent,
    ["kind", *ACTIVITY_FIELDS, "review_status"],
    {"形式": "事迹宣讲会", "名称": "退役军人创业典型事迹宣讲会", "开始日期": "2021-05-10"},
    kind=fields.Field("kind", "形式", widget=ChoiceLabelWidget(PublicityEvent.Kind.choices)),
)


# --- exports only ----------------------------------------------------------------------------

StartupParkResource = export_resource(
    StartupPark,
    ["name", "founder", "founder_title", "location", "area_mu", "planned_enterprises", "jobs_planned", "opened_on"],
)
