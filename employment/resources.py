"""
Excel import/export of the employment records, declared on the import/export
kit (bureau.importexport): Chinese headers, all or nothing, row errors, masking.

Fair attendees and trainees are imported; the other records are exported only.
A fair or a class is named in a cell as the portal shows it, 名称（日期）, e.g.
「退役军人专场招聘会（2021-02-28）」; the name alone is enough while it is unique.
"""

from import_export import fields

from bureau.importexport import (
    ActivityWidget,
    ChoiceLabelWidget,
    CountWidget,
    LabelWidget,
    PersonRowResource,
    export_resource,
)
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
)

# --- imports: attendees and trainees --------------------------------------------------


class FairAttendanceResource(PersonRowResource):
    fair = fields.Field("fair", "招聘会", widget=ActivityWidget(JobFair, example="退役军人专场招聘会"))
    township = fields.Field("township", "乡镇（街道）", widget=LabelWidget(), readonly=True)
    review_status = fields.Field(
        "review_status",
        "审核状态",
        widget=ChoiceLabelWidget(FairAttendance._meta.get_field("review_status").choices),
        readonly=True,
    )

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


# --- exports of the other records ----------------------------------------------------

ACTIVITY_FIELDS = ["title", "start_date", "end_date", "venue", "township", "headcount", "cost", "online_views"]

StartupParkResource = export_resource(
    StartupPark,
    ["name", "founder", "founder_title", "location", "area_mu", "planned_enterprises", "jobs_planned", "opened_on"],
)
JobFairResource = export_resource(
    JobFair, [*ACTIVITY_FIELDS, "dedicated_to_veterans", "streamed_online", "unnamed_attendees", "review_status"]
)
JobPostingResource = export_resource(
    JobPosting, ["enterprise", "positions", "position_count", "channel", "published_on", "township", "review_status"]
)
RoleModelResource = export_resource(RoleModel, ["person", "year", "story", "township", "review_status"])
PublicityEventResource = export_resource(PublicityEvent, ["kind", *ACTIVITY_FIELDS, "review_status"])
EmploymentOutcomeResource = export_resource(
    EmploymentOutcome, ["person", "enterprise", "employer_name", "started_on", "channel", "township", "review_status"]
)
EmploymentIntentionResource = export_resource(EmploymentIntention, ["person", "enterprise", "fair", "agreed_on"])


class TrainingClassResource(export_resource(TrainingClass, [*ACTIVITY_FIELDS, "review_status"])):
    topics = fields.Field(column_name="培训内容", readonly=True)

    class Meta:
        model = TrainingClass
        fields = [*ACTIVITY_FIELDS, "topics", "review_status"]

    def dehydrate_topics(self, training_class):
        return "、".join(training_class.topic_labels)
