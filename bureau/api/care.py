"""
API of the care several areas give (bureau.models.care): visits, check-up batches and check-ups.

The records are the core's; each area reads its own through a filter: a visit's `?area=`
(pensions, 双拥, commemoration) and a batch's or a check-up's `?population=`. Registered on the
router by `bureau.api.urls`, next to the registry and the ledger.

- Visits and check-ups belong to a person: the township follows the person, and a station
  records only its own township's people (the person picker of the serializer base).
- Batches are usually district-wide (no township): every station reads those, to record
  its residents' check-ups in them; only the bureau creates and changes them.
- A check-up's result summary is health data, masked whole in every list and on one record's
  answer for roles without `view_sensitive_person` (CheckUp.sensitive_fields).
- The money of a visit goes to the ledger when the visit is saved (not written here).
"""

import django_filters
from rest_framework import serializers

from bureau.api.filters import YearFilterSet
from bureau.api.serializers import WORKFLOW_FIELDS, PersonRecordSerializer, RecordSerializer
from bureau.api.viewsets import ScopedModelViewSet
from bureau.areas import area_choices
from bureau.models import CheckUp, CheckUpBatch, PaymentProgramme, Visit

WORKFLOW = list(WORKFLOW_FIELDS)
ACTIVITY_FIELDS = ["title", "start_date", "end_date", "days", "venue", "headcount", "cost", "online_views"]


# --- filters ------------------------------------------------------------------------------------


class VisitFilterSet(YearFilterSet):
    area = django_filters.ChoiceFilter(
        choices=area_choices, label="业务领域", help_text="各业务领域只看本领域的走访（如 pensions）。"
    )
    year_lookup = "visited_on__year"

    class Meta:
        model = Visit
        fields = ["township", "year", "area", "occasion", "hardship_category", "person", "review_status"]


class CheckUpBatchFilterSet(YearFilterSet):
    class Meta:
        model = CheckUpBatch
        fields = ["township", "year", "population", "review_status"]


class CheckUpFilterSet(YearFilterSet):
    population = django_filters.ChoiceFilter(
        field_name="batch__population",
        choices=CheckUpBatch.Population.choices,
        label="体检对象",
        help_text="体检批次的对象（各业务领域只看本领域的体检）。",
    )
    year_lookup = "checked_on__year"

    class Meta:
        model = CheckUp
        fields = ["township", "year", "batch", "population", "mode", "person", "review_status"]


# --- serializers --------------------------------------------------------------------------------


class VisitSerializer(PersonRecordSerializer):
    programme = serializers.SlugRelatedField(
        slug_field="code",
        queryset=PaymentProgramme.objects.filter(active=True),
        required=False,
        allow_null=True,
        label="资金项目代码",
        help_text="慰问金记入的资金项目（代码，如 spring-festival）；未发放慰问金留空。",
        error_messages={"does_not_exist": "资金项目不存在或已停用。", "invalid": "资金项目代码无效。"},
    )
    programme_name = serializers.CharField(source="programme.name", read_only=True, allow_null=True, label="资金项目")

    class Meta:
        model = Visit
        fields = [
            "id",
            "area",
            "occasion",
            "person",
            "person_name",
            "hardship_category",
            "visited_on",
            "visitor",
            "amount",
            "programme",
            "programme_name",
            "payment",
            "note",
            "township",
            *WORKFLOW,
        ]
        read_only_fields = ["payment"]
        extra_kwargs = {"payment": {"allow_null": True}}


class CheckUpBatchSerializer(RecordSerializer):
    days = serializers.IntegerField(read_only=True, label="天数")

    class Meta:
        model = CheckUpBatch
        fields = ["id", *ACTIVITY_FIELDS, "institution", "population", "township", *WORKFLOW]


class CheckUpSerializer(PersonRecordSerializer):
    batch_title = serializers.CharField(source="batch.title", read_only=True, label="体检批次")
    population = serializers.CharField(source="batch.population", read_only=True, label="体检对象")

    class Meta:
        model = CheckUp
        fields = [
            "id",
            "batch",
            "batch_title",
            "population",
            "person",
            "person_name",
            "mode",
            "checked_on",
            "result_summary",
            "township",
            *WORKFLOW,
        ]


# --- viewsets -----------------------------------------------------------------------------------


class VisitViewSet(ScopedModelViewSet):
    """走访慰问：各业务领域按 `area` 筛选本领域的走访；服务站登记本乡镇（街道）人员的走访，提交后由局机关审核。"""

    queryset = Visit.objects.select_related("person", "programme")
    serializer_class = VisitSerializer
    filterset_class = VisitFilterSet
    protected_message = "该走访记录已有收集的问题或发放记录，不能删除。"


class CheckUpBatchViewSet(ScopedModelViewSet):
    """体检批次：按 `population`（体检对象）筛选；全区性的批次各服务站均可查看。"""

    queryset = CheckUpBatch.objects.all()
    serializer_class = CheckUpBatchSerializer
    filterset_class = CheckUpBatchFilterSet
    protected_message = "该体检批次已有体检记录，不能删除。"


class CheckUpViewSet(ScopedModelViewSet):
    """体检记录：体检结果摘要属个人健康信息，列表中一律隐藏，单条记录仅对有权限的角色显示。"""

    queryset = CheckUp.objects.select_related("person", "batch")
    serializer_class = CheckUpSerializer
    filterset_class = CheckUpFilterSet
