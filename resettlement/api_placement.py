"""
The placement batch in the API: scoring rules, batches, posts, candidates with their scores,
selections. Registered on the one router under `resettlement/`.

Batches, posts and rules are entered in the admin and the session is held on its page
(`resettlement.selection` keeps the rules of the session); here they are read. Candidates may
also be added, changed and removed here while their batch prepares (the committee's list from
another system): the batch, the person, the ground claimed, the hard-area service and the
training. Whether the person may be placed, the years of service and the merits are the
registry's (`resettlement.eligibility`, checked by the model's `clean()`): a person the registry
does not show eligible is a 400 saying what it holds. Rules, batches and posts are district-wide:
the view permission (bureau staff, leadership) is their scope. Candidates and selections belong to
a person, so their reads go through `visible_to(user)` like every scoped record: a station user
(who has no view permission on them today) would see only their township's.

A candidate's score is the fixed one once the session has started; before that it is computed
from the batch's rule and the adjustments, as the ranking page shows it, and the rank is empty.
"""

from decimal import Decimal

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from bureau.api.exceptions import Conflict
from bureau.api.filters import IntegerFilter, TownshipFilterSet, refuse_sensitive_query
from bureau.api.router import router
from bureau.api.serializers import ScopedModelSerializer, person_name_field
from bureau.api.viewsets import ScopedModelViewSet, ScopedReadOnlyModelViewSet
from resettlement import selection
from resettlement.models import (
    PlacementBatch,
    PlacementCandidate,
    PlacementPosition,
    PlacementSelection,
    ScoringRule,
)

Batch = PlacementBatch.State


def count_of(model, lookup: str):
    """Rows of `model` pointing at the outer row through `lookup`, as a subquery (no join to multiply rows)."""
    rows = model.objects.filter(**{lookup: OuterRef("pk")}).order_by().values(lookup).annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")), 0)


def points(value: Decimal) -> str:
    """Points as the model stores them, two decimals."""
    return str(Decimal(value).quantize(Decimal("0.01")))


def sum_of(model, lookup: str, field: str):
    rows = model.objects.filter(**{lookup: OuterRef("pk")}).order_by().values(lookup).annotate(n=Sum(field))
    return Coalesce(Subquery(rows.values("n")), 0)


# --- filters ------------------------------------------------------------------------------------


class DistrictWideViewSet(viewsets.ReadOnlyModelViewSet):
    """A district-wide record (no township): the view permission is the scope."""

    def filter_queryset(self, queryset):
        refuse_sensitive_query(self.request, queryset.model, getattr(self, "filterset_class", None))
        return super().filter_queryset(queryset)


class PlacementBatchFilterSet(django_filters.FilterSet):
    year = IntegerFilter(field_name="year", label="年度", min_value=2000, max_value=2100)
    state = django_filters.ChoiceFilter(choices=PlacementBatch.State.choices, label="状态")

    class Meta:
        model = PlacementBatch
        fields = ["year", "state"]


class PlacementPositionFilterSet(django_filters.FilterSet):
    batch = IntegerFilter(field_name="batch", label="批次 id")
    year = IntegerFilter(field_name="batch__year", label="年度", min_value=2000, max_value=2100)

    class Meta:
        model = PlacementPosition
        fields = ["batch", "year", "fully_funded"]


class PlacementCandidateFilterSet(TownshipFilterSet):
    year = IntegerFilter(field_name="batch__year", label="年度", min_value=2000, max_value=2100)

    class Meta:
        model = PlacementCandidate
        fields = ["township", "batch", "year", "person", "eligibility"]


class PlacementSelectionFilterSet(TownshipFilterSet):
    batch = IntegerFilter(field_name="candidate__batch", label="批次 id")
    year = IntegerFilter(field_name="candidate__batch__year", label="年度", min_value=2000, max_value=2100)

    class Meta:
        model = PlacementSelection
        fields = ["township", "batch", "year", "position"]


# --- serializers --------------------------------------------------------------------------------


class ScoringRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoringRule
        fields = [
            "id",
            "name",
            "published_on",
            "document",
            "per_service_year",
            "per_hardship_year",
            "first_class_merit",
            "second_class_merit",
            "third_class_merit",
            "honour",
            "training_excellent",
            "training_good",
            "training_pass",
        ]
        read_only_fields = fields


class PlacementBatchSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True, label="量化评分办法名称")
    started_by = serializers.CharField(source="started_by.username", read_only=True, allow_null=True, label="主持人")
    candidates = serializers.IntegerField(source="candidate_count", read_only=True, label="候选人（人）")
    positions = serializers.IntegerField(source="position_count", read_only=True, label="用人单位岗位（条）")
    posts = serializers.IntegerField(source="post_count", read_only=True, label="岗位数（个）")
    placed = serializers.IntegerField(source="placed_count", read_only=True, label="已选岗（人）")
    tie_rule = serializers.SerializerMethodField(label="同分排序规则")

    class Meta:
        model = PlacementBatch
        fields = [
            "id",
            "year",
            "title",
            "rule",
            "rule_name",
            "session_on",
            "venue",
            "state",
            "started_at",
            "started_by",
            "closed_at",
            "candidates",
            "positions",
            "posts",
            "placed",
            "tie_rule",
            "notes",
            "version",
        ]
        read_only_fields = fields

    def get_tie_rule(self, batch) -> str:
        return selection.TIE_RULE


class PlacementPositionSerializer(serializers.ModelSerializer):
    taken = serializers.IntegerField(read_only=True, label="已选（个）")
    left = serializers.SerializerMethodField(label="剩余（个）")

    class Meta:
        model = PlacementPosition
        fields = ["id", "batch", "department", "institution", "fully_funded", "title", "posts", "taken", "left"]
        read_only_fields = fields

    def get_left(self, position) -> int:
        return position.posts - position.taken


class ComponentSerializer(serializers.Serializer):
    label = serializers.CharField(label="评分项")
    detail = serializers.CharField(label="计分方式")
    points = serializers.DecimalField(max_digits=8, decimal_places=2, label="得分")


class PlacementCandidateSerializer(ScopedModelSerializer):
    person_name = person_name_field()
    township = serializers.IntegerField(source="person.township_id", read_only=True, label="乡镇（街道） id")
    components = serializers.SerializerMethodField(label="评分明细")
    adjustment_points = serializers.SerializerMethodField(label="调整分值合计")
    score = serializers.SerializerMethodField(label="总分")
    status = serializers.SerializerMethodField(label="选岗状态")
    position = serializers.IntegerField(
        source="selection.position_id", read_only=True, allow_null=True, label="所选岗位 id"
    )

    class Meta:
        model = PlacementCandidate
        fields = [
            "id",
            "batch",
            "person",
            "person_name",
            "township",
            "eligibility",
            "service_years",
            "hardship_years",
            "first_class_merits",
            "second_class_merits",
            "third_class_merits",
            "honours",
            "training",
            "components",
            "adjustment_points",
            "score",
            "rank",
            "status",
            "position",
        ]
        # Written: the batch, the person, the ground claimed and the batch's own facts. The rest is the
        # registry's or the session's.
        read_only_fields = [
            name for name in fields if name not in ("batch", "person", "eligibility", "hardship_years", "training")
        ]

    @extend_schema_field(ComponentSerializer(many=True))
    def get_components(self, candidate):
        return ComponentSerializer(selection.score_components(candidate, candidate.batch.rule), many=True).data

    @extend_schema_field(serializers.DecimalField(max_digits=8, decimal_places=2))
    def get_adjustment_points(self, candidate):
        return points(sum((a.points for a in candidate.adjustments.all()), Decimal("0")))

    @extend_schema_field(serializers.DecimalField(max_digits=8, decimal_places=2))
    def get_score(self, candidate):
        # Fixed at the session's start; until then as the ranking page computes it.
        if candidate.score is not None:
            return points(candidate.score)
        components = selection.score_components(candidate, candidate.batch.rule)
        adjustments = candidate.adjustments.all()
        return points(sum((c.points for c in components), Decimal("0")) + sum((a.points for a in adjustments), 0))

    def get_status(self, candidate) -> str:
        batch = candidate.batch
        if hasattr(candidate, "selection"):
            return "已选岗"
        if batch.state == Batch.IN_SESSION and candidate.pk == self.current_candidate(batch):
            return "正在选岗"
        if hasattr(candidate, "deferral"):
            return "暂缓，最后选岗" if batch.state == Batch.IN_SESSION else "暂缓，未选岗"
        return "未选岗" if batch.state == Batch.CLOSED else "等待选岗"

    def current_candidate(self, batch) -> int | None:
        """Whose turn it is in a batch in session (once per batch and answer: one session runs at a time)."""
        current = self.context.setdefault("current_candidates", {})
        if batch.pk not in current:
            state = selection.session_state(batch)
            current[batch.pk] = state.current.candidate.pk if state.current else None
        return current[batch.pk]


class PlacementSelectionSerializer(ScopedModelSerializer):
    batch = serializers.IntegerField(source="candidate.batch_id", read_only=True, label="批次 id")
    person = serializers.IntegerField(source="candidate.person_id", read_only=True, label="人员 id")
    person_name = serializers.CharField(source="candidate.person.name", read_only=True, label="姓名")
    rank = serializers.IntegerField(source="candidate.rank", read_only=True, allow_null=True, label="排名")
    score = serializers.DecimalField(
        source="candidate.score", max_digits=7, decimal_places=2, read_only=True, allow_null=True, label="总分"
    )
    department = serializers.CharField(source="position.department", read_only=True, label="主管部门")
    institution = serializers.CharField(source="position.institution", read_only=True, label="事业单位")
    position_title = serializers.CharField(source="position.title", read_only=True, label="岗位名称")
    confirmed_by = serializers.CharField(source="confirmed_by.username", read_only=True, label="确认人")
    has_signature_scan = serializers.SerializerMethodField(label="已上传签字扫描件")

    class Meta:
        model = PlacementSelection
        fields = [
            "id",
            "batch",
            "candidate",
            "person",
            "person_name",
            "rank",
            "score",
            "position",
            "department",
            "institution",
            "position_title",
            "chosen_at",
            "confirmed_by",
            "signed",
            "has_signature_scan",
            "reported_unit",
            "reported_on",
            "version",
        ]
        read_only_fields = fields

    def get_has_signature_scan(self, chosen) -> bool:
        return bool(chosen.signature_scan)


# --- viewsets -----------------------------------------------------------------------------------


class ScoringRuleViewSet(DistrictWideViewSet):
    """量化评分办法（只读）：各评分项的分值；已用于公开选岗的办法不再修改，新办法在管理后台录入。"""

    queryset = ScoringRule.objects.all()
    serializer_class = ScoringRuleSerializer


class PlacementBatchViewSet(DistrictWideViewSet):
    """安排工作选岗批次（只读）：选岗日期、地点、状态，候选人数、岗位数和已选岗人数；选岗在管理后台的选岗页面进行。"""

    queryset = PlacementBatch.objects.select_related("rule", "started_by").annotate(
        candidate_count=count_of(PlacementCandidate, "batch"),
        position_count=count_of(PlacementPosition, "batch"),
        post_count=sum_of(PlacementPosition, "batch", "posts"),
        placed_count=count_of(PlacementSelection, "candidate__batch"),
    )
    serializer_class = PlacementBatchSerializer
    filterset_class = PlacementBatchFilterSet


class PlacementPositionViewSet(DistrictWideViewSet):
    """安置岗位（只读）：主管部门、事业单位、是否全额拨款、岗位数、已选和剩余；按 ?batch= 筛选一个批次。"""

    queryset = PlacementPosition.objects.annotate(taken=count_of(PlacementSelection, "position"))
    serializer_class = PlacementPositionSerializer
    filterset_class = PlacementPositionFilterSet


class PlacementCandidateViewSet(ScopedModelViewSet):
    """
    选岗候选人：符合条件、评分明细、总分、排名（选岗开始时确定）和选岗状态；按 ?batch= 筛选一个批次。
    批次准备中可新增、修改、移出候选人：资格、服役年限和立功受奖据人员登记核实和读取，不符合的返回 400 并说明人员登记的记载。
    """

    queryset = PlacementCandidate.objects.select_related(
        "person", "batch__rule", "selection", "deferral"
    ).prefetch_related("adjustments", "person__merits")
    protected_message = "该候选人已选岗，不能移出。"

    def perform_destroy(self, instance):
        try:
            super().perform_destroy(instance)
        except DjangoValidationError as error:
            # A started batch keeps its candidates: a conflict with the batch's state, as a protected row is.
            raise Conflict(error.messages[0], code="frozen") from None

    serializer_class = PlacementCandidateSerializer
    filterset_class = PlacementCandidateFilterSet


class PlacementSelectionViewSet(ScopedReadOnlyModelViewSet):
    """选岗结果（只读）：所选岗位、确认时间、签字确认和报到情况；按 ?batch= 或 ?year= 筛选。"""

    queryset = PlacementSelection.objects.select_related("candidate__person", "position", "confirmed_by")
    serializer_class = PlacementSelectionSerializer
    filterset_class = PlacementSelectionFilterSet


router.register("resettlement/scoring-rules", ScoringRuleViewSet)
router.register("resettlement/placement-batches", PlacementBatchViewSet)
router.register("resettlement/placement-positions", PlacementPositionViewSet)
router.register("resettlement/placement-candidates", PlacementCandidateViewSet)
router.register("resettlement/placement-selections", PlacementSelectionViewSet)
