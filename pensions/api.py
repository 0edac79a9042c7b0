"""
REST API of preferential care and pensions, registered on the one router under `pensions/`.

Reads are scoped by `visible_to(user)` and writes of workflow records go through
`record_save` (the viewset bases in `bureau.api.viewsets`). Stations see and update their
township's problems (困难问题); the other records are the bureau's. Visits and check-ups are
the core's (`/api/v1/visits/?area=pensions`, `/api/v1/checkups/?population=key_beneficiaries`).

Benefit standards are read-only here, for every role that may view them (stations included):
a standard once in force is never changed, and new ones are entered in the admin, which keeps
that rule and the history of who entered them.
"""

import django_filters
from rest_framework import serializers, viewsets

from bureau.api.filters import IntegerFilter, TownshipFilterSet, YearFilterSet, refuse_sensitive_query
from bureau.api.router import router
from bureau.api.serializers import (
    WORKFLOW_FIELDS,
    PersonRecordSerializer,
    RecordSerializer,
    ScopedModelSerializer,
)
from bureau.api.viewsets import ScopedModelViewSet
from bureau.models import PreferentialCategory
from bureau.roles import reviews_records
from pensions.models import (
    BenefitStandard,
    ConscriptBenefit,
    HardshipAid,
    OralHistoryExhibition,
    OralHistoryInterview,
    PayrollRun,
    Problem,
)

WORKFLOW = list(WORKFLOW_FIELDS)
ACTIVITY_FIELDS = ["title", "start_date", "end_date", "days", "venue", "headcount", "cost", "online_views"]

# --- filters ------------------------------------------------------------------------------------


class ProblemFilterSet(YearFilterSet):
    solved = django_filters.BooleanFilter(method="filter_solved", label="已解决或办结")
    year_lookup = "reported_on__year"

    class Meta:
        model = Problem
        fields = ["township", "year", "kind", "source", "state", "solved", "supervised", "person", "visit"]

    def filter_solved(self, queryset, name, value):
        solved = {"state__in": Problem.SOLVED}
        return queryset.filter(**solved) if value else queryset.exclude(**solved)


class HardshipAidFilterSet(YearFilterSet):
    year_lookup = "applied_on__year"

    class Meta:
        model = HardshipAid
        fields = ["township", "year", "kind", "decision", "person", "review_status"]


class ConscriptBenefitFilterSet(TownshipFilterSet):
    year = IntegerFilter(field_name="benefit_year", label="优待年度", min_value=1900, max_value=2100)

    class Meta:
        model = ConscriptBenefit
        fields = ["township", "year", "enlistment_year", "region", "back_pay", "family", "review_status"]


class OralHistoryInterviewFilterSet(YearFilterSet):
    year_lookup = "interviewed_on__year"

    class Meta:
        model = OralHistoryInterview
        fields = ["township", "year", "war", "person", "review_status"]


class OralHistoryExhibitionFilterSet(YearFilterSet):
    class Meta:
        model = OralHistoryExhibition
        fields = ["township", "year", "venue_kind", "review_status"]


class BenefitStandardFilterSet(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=PreferentialCategory.choices, label="优抚类别")
    disability_grade = IntegerFilter(field_name="disability_grade", label="伤残等级", min_value=1, max_value=10)

    class Meta:
        model = BenefitStandard
        fields = ["category", "disability_grade"]


# --- serializers --------------------------------------------------------------------------------


class ProblemSerializer(PersonRecordSerializer):
    """The deadline (due_on) is shown to all; set by bureau staff only (blank: the report date plus 30 days)."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or not reviews_records(request.user):
            fields["due_on"].read_only = True
        return fields

    class Meta:
        model = Problem
        fields = [
            "id",
            "person",
            "person_name",
            "kind",
            "description",
            "source",
            "visit",
            "reported_on",
            "assignee",
            "state",
            "resolution",
            "resolved_on",
            "due_on",
            "supervised",
            "township",
            *WORKFLOW,
        ]


class HardshipAidSerializer(PersonRecordSerializer):
    class Meta:
        model = HardshipAid
        fields = [
            "id",
            "person",
            "person_name",
            "kind",
            "applied_on",
            "reason",
            "amount_requested",
            "decision",
            "amount_granted",
            "decided_on",
            "payment",
            "township",
            *WORKFLOW,
        ]
        extra_kwargs = {"payment": {"allow_null": True}}


class ConscriptBenefitSerializer(ScopedModelSerializer):
    family_name = serializers.CharField(source="family.name", read_only=True, label="领取人姓名")
    total = serializers.DecimalField(max_digits=13, decimal_places=2, read_only=True, label="合计（元）")

    class Meta:
        model = ConscriptBenefit
        fields = [
            "id",
            "family",
            "family_name",
            "conscript_name",
            "enlistment_year",
            "benefit_year",
            "region",
            "amount",
            "supplement",
            "total",
            "back_pay",
            "paid_on",
            "payment",
            "township",
            *WORKFLOW,
        ]
        # The township follows the family member who receives the benefit.
        extra_kwargs = {"township": {"read_only": True}, "payment": {"allow_null": True}}


class OralHistoryInterviewSerializer(PersonRecordSerializer):
    class Meta:
        model = OralHistoryInterview
        fields = [
            "id",
            "person",
            "person_name",
            "war",
            "interviewed_on",
            "interviewer",
            "duration_minutes",
            "video_link",
            "consent_recorded",
            "township",
            *WORKFLOW,
        ]


class OralHistoryExhibitionSerializer(RecordSerializer):
    days = serializers.IntegerField(read_only=True, label="天数")

    class Meta:
        model = OralHistoryExhibition
        fields = ["id", *ACTIVITY_FIELDS, "venue_kind", "township", *WORKFLOW]


class BenefitStandardSerializer(serializers.ModelSerializer):
    in_force = serializers.BooleanField(read_only=True, label="已执行")

    class Meta:
        model = BenefitStandard
        fields = [
            "id",
            "category",
            "disability_grade",
            "monthly_amount",
            "valid_from",
            "in_force",
            "document",
            "created_at",
        ]
        read_only_fields = fields


# --- viewsets -----------------------------------------------------------------------------------


class ProblemViewSet(ScopedModelViewSet):
    """困难问题：服务站登记并跟进本乡镇（街道）人员反映的问题（办理状态、办理结果、解决日期），提交后由局机关审核。"""

    queryset = Problem.objects.select_related("person")
    serializer_class = ProblemSerializer
    filterset_class = ProblemFilterSet


class HardshipAidViewSet(ScopedModelViewSet):
    """“三难”救助（住房难、医疗难、生活难）：申请、审批结果与批准金额；批准金额记入资金发放台账。"""

    queryset = HardshipAid.objects.select_related("person")
    serializer_class = HardshipAidSerializer
    filterset_class = HardshipAidFilterSet


class ConscriptBenefitViewSet(ScopedModelViewSet):
    """义务兵家庭优待金：按入伍年度和优待年度，含西藏、新疆服役补助；`year` 为优待年度。"""

    queryset = ConscriptBenefit.objects.select_related("family")
    serializer_class = ConscriptBenefitSerializer
    filterset_class = ConscriptBenefitFilterSet


class OralHistoryInterviewViewSet(ScopedModelViewSet):
    """口述历史拍摄：须已取得本人（或监护人）同意。"""

    queryset = OralHistoryInterview.objects.select_related("person")
    serializer_class = OralHistoryInterviewSerializer
    filterset_class = OralHistoryInterviewFilterSet


class OralHistoryExhibitionViewSet(ScopedModelViewSet):
    """口述历史展陈宣讲（校园、社区）。"""

    queryset = OralHistoryExhibition.objects.all()
    serializer_class = OralHistoryExhibitionSerializer
    filterset_class = OralHistoryExhibitionFilterSet


class BenefitStandardViewSet(viewsets.ReadOnlyModelViewSet):
    """抚恤补助标准（只读）：全区统一，按类别、伤残等级和执行日期；新标准由局机关在管理后台录入。"""

    # District-wide figures, the same for every township: no scoping, only the view permission.
    queryset = BenefitStandard.objects.all()
    serializer_class = BenefitStandardSerializer
    filterset_class = BenefitStandardFilterSet

    def filter_queryset(self, queryset):
        refuse_sensitive_query(self.request, queryset.model, self.filterset_class)
        return super().filter_queryset(queryset)


class PayrollRunFilterSet(django_filters.FilterSet):
    year = IntegerFilter(field_name="period", lookup_expr="startswith", label="年度", min_value=2000, max_value=2100)
    status = django_filters.ChoiceFilter(choices=PayrollRun.Status.choices, label="状态")

    class Meta:
        model = PayrollRun
        fields = ["year", "status"]


class PayrollRunSerializer(serializers.ModelSerializer):
    generated_by = serializers.CharField(source="generated_by.username", read_only=True, label="生成人")
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, allow_null=True, label="审批人")

    class Meta:
        model = PayrollRun
        fields = [
            "id",
            "period",
            "status",
            "paid_on",
            "persons",
            "total",
            "generated_by",
            "generated_at",
            "approved_by",
            "approved_at",
            "paid_at",
            "batch",
            "done",
            "steps",
            "progress",
        ]
        read_only_fields = fields


class PayrollRunViewSet(viewsets.ReadOnlyModelViewSet):
    """按月发放（只读）：每月的发放人数、总额、状态和进度；生成与审批在管理后台进行，资金明细见资金发放台账。"""

    # District-wide, like the ledger's batches: the view permission (bureau staff, leadership) is the scope.
    queryset = PayrollRun.objects.select_related("generated_by", "approved_by")
    serializer_class = PayrollRunSerializer
    filterset_class = PayrollRunFilterSet


router.register("pensions/problems", ProblemViewSet)
router.register("pensions/hardship-aid", HardshipAidViewSet)
router.register("pensions/conscript-benefits", ConscriptBenefitViewSet)
router.register("pensions/oral-history-interviews", OralHistoryInterviewViewSet)
router.register("pensions/oral-history-exhibitions", OralHistoryExhibitionViewSet)
router.register("pensions/benefit-standards", BenefitStandardViewSet)
router.register("pensions/payroll-runs", PayrollRunViewSet)
