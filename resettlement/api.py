"""
REST API of transfer and resettlement, registered on the one router under `resettlement/`.

Insurance continuations (社保接续) are workflow records: stations read and submit their township's,
the bureau all (the kit's scoped bases, saved through `record_save`). The self-employment grant's
standards, runs and lines are read-only here: runs are calculated, approved and paid in the
admin, which keeps the two-person rule; the money is in the ledger (`/api/v1/payments/`).
The placement batch's endpoints are in `resettlement.api_placement`, registered at the end.
"""

import django_filters
from rest_framework import serializers, viewsets

from bureau.api.filters import IntegerFilter, TownshipFilterSet, YearFilterSet, refuse_sensitive_query
from bureau.api.router import router
from bureau.api.serializers import WORKFLOW_FIELDS, PersonRecordSerializer, ScopedModelSerializer
from bureau.api.viewsets import ScopedModelViewSet, ScopedReadOnlyModelViewSet
from resettlement.models import InsuranceContinuation, SubsidyLine, SubsidyRun, SubsidyStandard

WORKFLOW = list(WORKFLOW_FIELDS)

# --- insurance continuation -----------------------------------------------------------------------


class InsuranceContinuationFilterSet(YearFilterSet):
    year_lookup = "handled_on__year"

    class Meta:
        model = InsuranceContinuation
        fields = ["township", "year", "kind", "state", "person", "review_status"]


class InsuranceContinuationSerializer(PersonRecordSerializer):
    total = serializers.DecimalField(max_digits=13, decimal_places=2, read_only=True, label="合计（元）")

    class Meta:
        model = InsuranceContinuation
        fields = [
            "id",
            "person",
            "person_name",
            "kind",
            "handled_on",
            "months",
            "personal_share",
            "fiscal_share",
            "total",
            "state",
            "notes",
            "township",
            *WORKFLOW,
        ]


class InsuranceContinuationViewSet(ScopedModelViewSet):
    """社保接续：退役士兵养老、医疗、失业保险接续，退休人员职工医疗保险；服务站登记本乡镇（街道）的，提交后由局机关审核。"""

    queryset = InsuranceContinuation.objects.select_related("person")
    serializer_class = InsuranceContinuationSerializer
    filterset_class = InsuranceContinuationFilterSet


# --- self-employment grant ------------------------------------------------------------------------


class SubsidyStandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubsidyStandard
        fields = ["id", "year", "base_amount", "per_year_amount", "document"]
        read_only_fields = fields


class SubsidyStandardViewSet(viewsets.ReadOnlyModelViewSet):
    """自主就业金标准（只读）：全区统一，按退役年度；由局机关在管理后台录入。"""

    # District-wide figures: no scoping, the view permission is the scope.
    queryset = SubsidyStandard.objects.all()
    serializer_class = SubsidyStandardSerializer

    def filter_queryset(self, queryset):
        refuse_sensitive_query(self.request, queryset.model, None)
        return super().filter_queryset(queryset)


class SubsidyRunFilterSet(django_filters.FilterSet):
    cohort_year = IntegerFilter(field_name="cohort_year", label="退役年度", min_value=2000, max_value=2100)
    status = django_filters.ChoiceFilter(choices=SubsidyRun.Status.choices, label="状态")

    class Meta:
        model = SubsidyRun
        fields = ["cohort_year", "status"]


class SubsidyRunSerializer(serializers.ModelSerializer):
    calculated_by = serializers.CharField(source="calculated_by.username", read_only=True, label="核算人")
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, allow_null=True, label="审批人")

    class Meta:
        model = SubsidyRun
        fields = [
            "id",
            "cohort_year",
            "status",
            "base_amount",
            "per_year_amount",
            "persons",
            "total",
            "calculated_by",
            "calculated_at",
            "approved_by",
            "approved_at",
            "paid_on",
            "batch",
        ]
        read_only_fields = fields


class SubsidyRunViewSet(viewsets.ReadOnlyModelViewSet):
    """自主就业金核算发放（只读）：每个退役年度的人数、总额和状态；核算与审批发放在管理后台进行。"""

    # District-wide, like the ledger's batches: the view permission (bureau staff, leadership) is the scope.
    queryset = SubsidyRun.objects.select_related("calculated_by", "approved_by")
    serializer_class = SubsidyRunSerializer
    filterset_class = SubsidyRunFilterSet


class SubsidyLineFilterSet(TownshipFilterSet):
    cohort_year = IntegerFilter(field_name="run__cohort_year", label="退役年度", min_value=2000, max_value=2100)

    class Meta:
        model = SubsidyLine
        fields = ["township", "cohort_year", "run", "person"]


class SubsidyLineSerializer(ScopedModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True, label="姓名")
    cohort_year = serializers.IntegerField(source="run.cohort_year", read_only=True, label="退役年度")

    class Meta:
        model = SubsidyLine
        fields = [
            "id",
            "run",
            "cohort_year",
            "person",
            "person_name",
            "enlisted_on",
            "discharged_on",
            "years_served",
            "amount",
        ]
        read_only_fields = fields


class SubsidyLineViewSet(ScopedReadOnlyModelViewSet):
    """自主就业金明细（只读）：每人的入伍、退役时间、服役年限和金额。"""

    queryset = SubsidyLine.objects.select_related("person", "run")
    serializer_class = SubsidyLineSerializer
    filterset_class = SubsidyLineFilterSet


router.register("resettlement/insurance-continuations", InsuranceContinuationViewSet)
router.register("resettlement/subsidy-standards", SubsidyStandardViewSet)
router.register("resettlement/subsidy-runs", SubsidyRunViewSet)
router.register("resettlement/subsidy-lines", SubsidyLineViewSet)

from resettlement import api_placement  # noqa: E402, F401
