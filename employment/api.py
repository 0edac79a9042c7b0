"""
REST API of employment and entrepreneurship, registered on the one router under `employment/`.

Reads are scoped by `visible_to(user)` and writes of workflow records go through
`record_save` (both from the viewset bases in `bureau.api.viewsets`). People are
shown as id and name only, never their ID number or phone. Rows without a
township of their own (park tenancies, fair participations) are scoped through
the park or fair they belong to.
"""

import datetime

from django.db.models import Q
from rest_framework import serializers
from rest_framework.validators import UniqueTogetherValidator

from bureau.api.filters import IntegerFilter, TownshipFilterSet, YearFilterSet
from bureau.api.router import router
from bureau.api.serializers import (
    PersonRecordSerializer,
    RecordSerializer,
    ScopedModelSerializer,
    person_name_field,
)
from bureau.api.viewsets import ScopedModelViewSet
from employment.forms import DUPLICATE_ATTENDANCE_MESSAGE
from employment.models import (
    EmploymentIntention,
    EmploymentOutcome,
    FairAttendance,
    FairParticipation,
    JobFair,
    JobPosting,
    ParkTenancy,
    PublicityEvent,
    RoleModel,
    StartupPark,
    Trainee,
    TrainingClass,
    TrainingTopic,
)

# --- filters ------------------------------------------------------------------------
# Foreign keys in Meta.fields filter by id (`?person=12`), from the base.


class StartupParkFilterSet(YearFilterSet):
    year = IntegerFilter(
        method="filter_year", label="年度", min_value=1900, max_value=2100, help_text="该年末前已创建的创业园。"
    )

    class Meta:
        model = StartupPark
        fields = ["township", "year", "review_status"]

    def filter_year(self, queryset, name, value):
        year_end = datetime.date(value, 12, 31)
        return queryset.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=year_end))


class ParkTenancyFilterSet(TownshipFilterSet):
    year = IntegerFilter(
        method="filter_year", label="年度", min_value=1900, max_value=2100, help_text="该年末在园的入驻企业。"
    )

    class Meta:
        model = ParkTenancy
        fields = ["park", "enterprise", "year"]

    def filter_year(self, queryset, name, value):
        return queryset.active_on(datetime.date(value, 12, 31))


class JobFairFilterSet(YearFilterSet):
    class Meta:
        model = JobFair
        fields = ["township", "year", "review_status", "dedicated_to_veterans"]


class FairParticipationFilterSet(TownshipFilterSet):
    year = IntegerFilter(
        field_name="fair__start_date", lookup_expr="year", label="年度", min_value=1900, max_value=2100
    )

    class Meta:
        model = FairParticipation
        fields = ["fair", "enterprise", "year"]


class FairAttendanceFilterSet(YearFilterSet):
    year_lookup = "fair__start_date__year"

    class Meta:
        model = FairAttendance
        fields = ["township", "year", "fair", "person", "review_status"]


class EmploymentIntentionFilterSet(YearFilterSet):
    year_lookup = "agreed_on__year"

    class Meta:
        model = EmploymentIntention
        fields = ["township", "year", "fair", "person", "enterprise"]


class TrainingClassFilterSet(YearFilterSet):
    class Meta:
        model = TrainingClass
        fields = ["township", "year", "review_status"]


class TraineeFilterSet(YearFilterSet):
    year_lookup = "training_class__start_date__year"

    class Meta:
        model = Trainee
        fields = ["township", "year", "training_class", "person"]


class JobPostingFilterSet(YearFilterSet):
    year_lookup = "published_on__year"

    class Meta:
        model = JobPosting
        fields = ["township", "year", "enterprise", "review_status"]


class RoleModelFilterSet(YearFilterSet):
    year_lookup = "year"

    class Meta:
        model = RoleModel
        fields = ["township", "year", "review_status"]


class PublicityEventFilterSet(YearFilterSet):
    class Meta:
        model = PublicityEvent
        fields = ["township", "year", "kind", "review_status"]


class EmploymentOutcomeFilterSet(YearFilterSet):
    year_lookup = "started_on__year"

    class Meta:
        model = EmploymentOutcome
        fields = ["township", "year", "channel", "person", "review_status"]


# --- serializers ------------------------------------------------------------------------
# The review state is read-only and people are named, never identified, by the bases.

ACTIVITY_FIELDS = ["title", "start_date", "end_date", "days", "venue", "headcount", "cost", "online_views"]
WORKFLOW = ["review_status", "return_reason"]


class ParkTenancySerializer(ScopedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, label="企业名称")
    sector = serializers.CharField(source="enterprise.sector", read_only=True, label="行业领域")

    class Meta:
        model = ParkTenancy
        fields = ["id", "park", "enterprise", "enterprise_name", "sector", "moved_in_on", "moved_out_on"]


class StartupParkSerializer(RecordSerializer):
    # Not default=None: DRF skips a field's default in a partial update, and PATCH answered without it.
    founder_name = serializers.CharField(source="founder.name", read_only=True, allow_null=True, label="发起人姓名")
    tenancies = ParkTenancySerializer(many=True, read_only=True, label="入驻企业")

    class Meta:
        model = StartupPark
        fields = [
            "id",
            "name",
            "township",
            "founder",
            "founder_name",
            "founder_title",
            "location",
            "area_mu",
            "planned_enterprises",
            "jobs_planned",
            "opened_on",
            "tenancies",
            *WORKFLOW,
        ]


class FairParticipationSerializer(ScopedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, label="企业名称")

    class Meta:
        model = FairParticipation
        fields = ["id", "fair", "enterprise", "enterprise_name", "positions"]


class JobFairSerializer(RecordSerializer):
    days = serializers.IntegerField(read_only=True, label="天数")
    participations = FairParticipationSerializer(many=True, read_only=True, label="参会企业")

    class Meta:
        model = JobFair
        fields = [
            "id",
            *ACTIVITY_FIELDS,
            "township",
            "dedicated_to_veterans",
            "streamed_online",
            "unnamed_attendees",
            "participations",
            *WORKFLOW,
        ]


class FairAttendanceSerializer(PersonRecordSerializer):
    fair_title = serializers.CharField(source="fair.title", read_only=True, label="招聘会名称")
    fair_date = serializers.DateField(source="fair.start_date", read_only=True, label="招聘会日期")

    class Meta:
        model = FairAttendance
        fields = [
            "id",
            "fair",
            "fair_title",
            "fair_date",
            "person",
            "person_name",
            "township",
            *WORKFLOW,
        ]
        validators = [
            UniqueTogetherValidator(
                queryset=FairAttendance.objects.all(), fields=["fair", "person"], message=DUPLICATE_ATTENDANCE_MESSAGE
            )
        ]


class EmploymentIntentionSerializer(ScopedModelSerializer):
    person_name = person_name_field()
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, label="企业名称")

    class Meta:
        model = EmploymentIntention
        fields = ["id", "person", "person_name", "enterprise", "enterprise_name", "fair", "agreed_on"]


class TrainingClassSerializer(RecordSerializer):
    days = serializers.IntegerField(read_only=True, label="天数")
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=TrainingTopic.choices),
        required=False,
        label="培训内容",
        help_text="固定列表中的代码；列表外的内容写在 other_topics。",
    )
    topic_labels = serializers.ListField(child=serializers.CharField(), read_only=True, label="培训内容（名称）")

    class Meta:
        model = TrainingClass
        fields = ["id", *ACTIVITY_FIELDS, "township", "topics", "other_topics", "topic_labels", *WORKFLOW]


class TraineeSerializer(ScopedModelSerializer):
    training_class_title = serializers.CharField(source="training_class.title", read_only=True, label="培训班")
    person_name = person_name_field()

    class Meta:
        model = Trainee
        fields = ["id", "training_class", "training_class_title", "person", "person_name", "days_attended"]


class JobPostingSerializer(RecordSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, label="企业名称")

    class Meta:
        model = JobPosting
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "positions",
            "position_count",
            "channel",
            "published_on",
            "township",
            *WORKFLOW,
        ]


class RoleModelSerializer(RecordSerializer):
    person_name = person_name_field()

    class Meta:
        model = RoleModel
        fields = ["id", "person", "person_name", "year", "story", "township", *WORKFLOW]


class PublicityEventSerializer(RecordSerializer):
    days = serializers.IntegerField(read_only=True, label="天数")

    class Meta:
        model = PublicityEvent
        fields = ["id", *ACTIVITY_FIELDS, "township", "kind", "role_models", *WORKFLOW]


class EmploymentOutcomeSerializer(PersonRecordSerializer):
    employer = serializers.CharField(read_only=True, label="就业单位")

    class Meta:
        model = EmploymentOutcome
        fields = [
            "id",
            "person",
            "person_name",
            "enterprise",
            "employer_name",
            "employer",
            "started_on",
            "channel",
            "township",
            *WORKFLOW,
        ]


# --- viewsets ------------------------------------------------------------------------


class StartupParkViewSet(ScopedModelViewSet):
    """退役军人创业园，含入驻企业（只读；增改入驻企业用 park-tenancies）。"""

    queryset = StartupPark.objects.select_related("founder").prefetch_related("tenancies__enterprise")
    serializer_class = StartupParkSerializer
    filterset_class = StartupParkFilterSet
    protected_message = "该创业园已有关联记录，不能删除。"


class ParkTenancyViewSet(ScopedModelViewSet):
    """创业园入驻企业：入驻、迁出日期；`year` 为该年末在园的企业。"""

    queryset = ParkTenancy.objects.select_related("enterprise")
    serializer_class = ParkTenancySerializer
    filterset_class = ParkTenancyFilterSet


class JobFairViewSet(ScopedModelViewSet):
    """招聘会，含参会企业及提供岗位（只读；增改参会企业用 fair-participations）。"""

    queryset = JobFair.objects.prefetch_related("participations__enterprise")
    serializer_class = JobFairSerializer
    filterset_class = JobFairFilterSet
    protected_message = "该招聘会已有参加人员或就业意向，不能删除。"


class FairParticipationViewSet(ScopedModelViewSet):
    """招聘会参会企业及提供岗位数。"""

    queryset = FairParticipation.objects.select_related("enterprise").order_by("fair", "pk")
    serializer_class = FairParticipationSerializer
    filterset_class = FairParticipationFilterSet


class FairAttendanceViewSet(ScopedModelViewSet):
    """招聘会参加人员：服务站登记本乡镇（街道）的退役军人，提交后由局机关审核。"""

    queryset = FairAttendance.objects.select_related("fair", "person")
    serializer_class = FairAttendanceSerializer
    filterset_class = FairAttendanceFilterSet


class EmploymentIntentionViewSet(ScopedModelViewSet):
    """就业意向（人员 × 企业）。"""

    queryset = EmploymentIntention.objects.select_related("person", "enterprise")
    serializer_class = EmploymentIntentionSerializer
    filterset_class = EmploymentIntentionFilterSet


class TrainingClassViewSet(ScopedModelViewSet):
    """适应性培训班。"""

    queryset = TrainingClass.objects.all()
    serializer_class = TrainingClassSerializer
    filterset_class = TrainingClassFilterSet
    protected_message = "该培训班已有学员，不能删除。"


class TraineeViewSet(ScopedModelViewSet):
    """适应性培训学员：须为已退役的退役军人。"""

    queryset = Trainee.objects.select_related("training_class", "person").order_by("training_class", "pk")
    serializer_class = TraineeSerializer
    filterset_class = TraineeFilterSet


class JobPostingViewSet(ScopedModelViewSet):
    """招聘信息发布。"""

    queryset = JobPosting.objects.select_related("enterprise")
    serializer_class = JobPostingSerializer
    filterset_class = JobPostingFilterSet


class RoleModelViewSet(ScopedModelViewSet):
    """创业典型。"""

    queryset = RoleModel.objects.select_related("person")
    serializer_class = RoleModelSerializer
    filterset_class = RoleModelFilterSet
    protected_message = "该创业典型已有宣传活动，不能删除。"


class PublicityEventViewSet(ScopedModelViewSet):
    """创业典型宣传活动（事迹宣讲会、经验交流座谈会、宣传月等）。"""

    queryset = PublicityEvent.objects.prefetch_related("role_models")
    serializer_class = PublicityEventSerializer
    filterset_class = PublicityEventFilterSet


class EmploymentOutcomeViewSet(ScopedModelViewSet):
    """就业情况：服务站登记本乡镇（街道）人员的就业单位、日期和渠道，提交后由局机关审核。"""

    queryset = EmploymentOutcome.objects.select_related("person", "enterprise")
    serializer_class = EmploymentOutcomeSerializer
    filterset_class = EmploymentOutcomeFilterSet


router.register("employment/parks", StartupParkViewSet)
router.register("employment/park-tenancies", ParkTenancyViewSet)
router.register("employment/job-fairs", JobFairViewSet)
router.register("employment/fair-participations", FairParticipationViewSet)
router.register("employment/fair-attendances", FairAttendanceViewSet)
router.register("employment/intentions", EmploymentIntentionViewSet)
router.register("employment/training-classes", TrainingClassViewSet)
router.register("employment/trainees", TraineeViewSet)
router.register("employment/postings", JobPostingViewSet)
router.register("employment/role-models", RoleModelViewSet)
router.register("employment/publicity-events", PublicityEventViewSet)
router.register("employment/outcomes", EmploymentOutcomeViewSet)
