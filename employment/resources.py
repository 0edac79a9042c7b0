"""
Excel import/export of the employment records, on the portal's base resource
(bureau.resources.PortalResource): Chinese headers, all or nothing, row errors.

Fair attendees and trainees are imported; the other records are exported only.
A fair or a class is named in a cell as the portal shows it, 名称（日期）, e.g.
「退役军人专场招聘会（2021-02-28）」; the name alone is enough while it is unique.
"""

import re

from django.core.exceptions import ValidationError
from import_export import fields, widgets

from bureau.models import TownshipRecord
from bureau.resources import (
    ChoiceLabelWidget,
    DateWidget,
    PersonByIdNumberWidget,
    PortalResource,
    TextWidget,
    YesNoWidget,
    is_blank,
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

# --- widgets -----------------------------------------------------------------


class ActivityWidget(widgets.ForeignKeyWidget):
    """A fair or class given as 名称（2021-02-28） (as exported), or by its name alone when that is unique."""

    name_and_date = re.compile(r"^(?P<title>.+?)\s*[（(]\s*(?P<date>\d{4}-\d{1,2}-\d{1,2})\s*[)）]$")

    def __init__(self, model, **kwargs):
        super().__init__(model, field="title", **kwargs)
        self._cache = {}

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        text = str(value).strip()
        if text not in self._cache:
            self._cache[text] = self._find(text)
        return self._cache[text]

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

    template_note = "名称（日期），如：退役军人专场招聘会（2021-02-28）；名称唯一时可只填名称"


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


class LabelWidget(widgets.Widget):
    """Export only: a related record as the portal names it."""

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


# --- imports: attendees and trainees --------------------------------------------------


class PersonRowResource(PortalResource):
    """
    Rows naming a person by ID number and name: the name must match the registry,
    so that a mistyped number cannot attach someone else.
    """

    person_name = fields.Field(column_name="姓名", widget=TextWidget())

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["person"].widget.user = user

    def dehydrate_person_name(self, record):
        return record.person.name

    def get_instance(self, instance_loader, row):
        # An unreadable key cell is reported by the row's own validation, with the row number.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        name = TextWidget().clean(row.get("姓名"))
        if "person" not in errors and instance.person_id:
            if not name:
                errors["person_name"] = [ValidationError("请填写姓名。")]
            elif name != instance.person.name:
                errors["person_name"] = [
                    ValidationError(f"姓名“{name}”与人员库中该身份证号登记的姓名“{instance.person.name}”不一致。")
                ]
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The record's township follows the person; set it before the scope check.
        if isinstance(instance, TownshipRecord) and instance.person_id:
            instance.assign_township()
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def column_name_for(self, key):
        # Messages about the person name them already (身份证号 …, 张三不是…).
        if key == "person":
            return None
        return super().column_name_for(key)


class FairAttendanceResource(PersonRowResource):
    fair = fields.Field("fair", "招聘会", widget=ActivityWidget(JobFair))
    person = fields.Field("person", "身份证号", widget=PersonByIdNumberWidget())
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
    training_class = fields.Field("training_class", "培训班", widget=ActivityWidget(TrainingClass))
    person = fields.Field("person", "身份证号", widget=PersonByIdNumberWidget())
    days_attended = fields.Field("days_attended", "出勤天数", widget=CountWidget())
    township = fields.Field("person__township", "乡镇（街道）", widget=LabelWidget(), readonly=True)

    class Meta:
        model = Trainee
        fields = ["training_class", "person", "person_name", "days_attended", "township"]
        import_id_fields = ["training_class", "person"]


# --- exports of the other records ----------------------------------------------------


def export_resource(model, names: list[str], **extra_fields) -> type[PortalResource]:
    """
    An export-only resource whose columns are the model fields' Chinese names:
    choices by label, yes/no as 是/否, related records as the portal names them.
    """
    attrs = {}
    for name in names:
        field = model._meta.get_field(name)
        if field.choices:
            widget = ChoiceLabelWidget(field.choices)
        elif field.get_internal_type() == "BooleanField":
            widget = YesNoWidget()
        elif field.get_internal_type() == "DateField":
            widget = DateWidget()
        elif field.is_relation:
            widget = LabelWidget()
        else:
            widget = widgets.Widget()
        attrs[name] = fields.Field(name, str(field.verbose_name), widget=widget, readonly=True)
    attrs.update(extra_fields)
    meta = type("Meta", (), {"model": model, "fields": [*names, *extra_fields]})
    return type(f"{model.__name__}Resource", (PortalResource,), {**attrs, "Meta": meta})


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
