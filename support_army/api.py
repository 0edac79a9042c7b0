"""
REST API of military-civilian support, registered on the one router under `support-army/`.

Reads are scoped by `visible_to(user)` and writes of workflow records go through `record_save`
(the viewset bases in `bureau.api.viewsets`). Stations see and update their township's merit
notices and homecoming registrations; the other records are the bureau's. A gala shows its
programmes, a registration its checklist (steps done, with who and when, and steps still open);
those child rows are edited in the admin (programmes, roster) and on the station pages (checklist).
The check-ups of military families are the core's (`/api/v1/checkups/?population=military_families`).
"""

import django_filters
from django.db.models import Prefetch
from rest_framework import serializers

from bureau.api.filters import IntegerFilter, TownshipFilterSet, YearFilterSet
from bureau.api.router import router
from bureau.api.serializers import WORKFLOW_FIELDS, PersonRecordSerializer, RecordSerializer, ScopedModelSerializer
from bureau.api.viewsets import ScopedModelViewSet
from support_army.models import (
    AllianceMember,
    ArmyDayGala,
    GalaProgramme,
    HomecomingRegistration,
    HomecomingStep,
    HomecomingStepCompletion,
    JointActivity,
    MatchmakingEvent,
    MeritNotice,
    MeritNoticeBatch,
    ReceptionPoint,
    TroopRequest,
)

WORKFLOW = list(WORKFLOW_FIELDS)
ACTIVITY_FIELDS = ["title", "start_date", "end_date", "venue", "headcount", "cost", "online_views"]

# --- filters ------------------------------------------------------------------------------------


class MeritNoticeBatchFilterSet(YearFilterSet):
    year_lookup = "delivered_on__year"

    class Meta:
        model = MeritNoticeBatch
        fields = ["township", "year", "review_status"]


class MeritNoticeFilterSet(TownshipFilterSet):
    year = IntegerFilter(field_name="merit__year", label="立功年度", min_value=1900, max_value=2100)
    delivered = django_filters.BooleanFilter(
        field_name="delivered_on", lookup_expr="isnull", exclude=True, label="已送达"
    )

    class Meta:
        model = MeritNotice
        fields = ["township", "year", "delivered", "batch", "soldier", "review_status"]


class ReceptionPointFilterSet(YearFilterSet):
    year_lookup = "opens_on__year"

    class Meta:
        model = ReceptionPoint
        fields = ["township", "year", "review_status"]


class HomecomingRegistrationFilterSet(YearFilterSet):
    year_lookup = "received_on__year"

    class Meta:
        model = HomecomingRegistration
        fields = ["township", "year", "person", "point", "review_status"]


class TroopRequestFilterSet(YearFilterSet):
    year_lookup = "received_on__year"

    class Meta:
        model = TroopRequest
        fields = ["township", "year", "status", "review_status"]


class JointActivityFilterSet(YearFilterSet):
    class Meta:
        model = JointActivity
        fields = ["township", "year", "kind", "review_status"]


class MatchmakingEventFilterSet(YearFilterSet):
    class Meta:
        model = MatchmakingEvent
        fields = ["township", "year", "review_status"]


class ArmyDayGalaFilterSet(YearFilterSet):
    class Meta:
        model = ArmyDayGala
        fields = ["township", "year", "anniversary", "review_status"]


class AllianceMemberFilterSet(TownshipFilterSet):
    batch_number = IntegerFilter(field_name="batch_number", label="加入批次", min_value=1, max_value=1000)
    year = IntegerFilter(field_name="joined_on", lookup_expr="year", label="加入年度", min_value=1900, max_value=2100)

    class Meta:
        model = AllianceMember
        fields = ["township", "batch_number", "year", "status", "enterprise"]


# --- serializers --------------------------------------------------------------------------------


class MeritNoticeBatchSerializer(RecordSerializer):
    class Meta:
        model = MeritNoticeBatch
        fields = [
            "id",
            "delivered_on",
            "delivered_by",
            "station_staff",
            "armed_forces_staff",
            "note",
            "township",
            *WORKFLOW,
        ]


class MeritNoticeSerializer(ScopedModelSerializer):
    soldier_name = serializers.CharField(source="soldier.name", read_only=True, label="现役军人姓名")
    level = serializers.CharField(source="merit.get_level_display", read_only=True, label="立功等级")
    merit_year = serializers.IntegerField(source="merit.year", read_only=True, label="立功年度")
    recipient_name = serializers.CharField(
        source="recipient.name", read_only=True, allow_null=True, label="接收家属姓名"
    )

    class Meta:
        model = MeritNotice
        fields = [
            "id",
            "soldier",
            "soldier_name",
            "merit",
            "level",
            "merit_year",
            "recipient",
            "recipient_name",
            "unit",
            "batch",
            "delivered_on",
            "township",
            *WORKFLOW,
        ]
        # The township follows the soldier.
        extra_kwargs = {
            "township": {"read_only": True},
            "recipient": {"allow_null": True},
            "batch": {"allow_null": True},
        }


class ReceptionPointSerializer(RecordSerializer):
    class Meta:
        model = ReceptionPoint
        fields = ["id", "name", "address", "opens_on", "closes_on", "township", *WORKFLOW]


class StepCompletionSerializer(serializers.ModelSerializer):
    step_name = serializers.CharField(source="step.name", read_only=True, label="事项")
    done_by = serializers.CharField(source="done_by.username", read_only=True, allow_null=True, label="经办人")

    class Meta:
        model = HomecomingStepCompletion
        fields = ["step", "step_name", "done_on", "done_by", "note"]
        read_only_fields = fields


class HomecomingRegistrationSerializer(PersonRecordSerializer):
    completions = StepCompletionSerializer(many=True, read_only=True, label="已办结事项")
    open_steps = serializers.SerializerMethodField(label="待办事项")

    class Meta:
        model = HomecomingRegistration
        fields = [
            "id",
            "person",
            "person_name",
            "point",
            "received_on",
            "welcomed",
            "note",
            "completions",
            "open_steps",
            "township",
            *WORKFLOW,
        ]
        extra_kwargs = {"point": {"allow_null": True}}

    def get_open_steps(self, registration) -> list[str]:
        if "active_steps" not in self.context:  # once per answer, not once per row
            self.context["active_steps"] = list(HomecomingStep.objects.filter(active=True))
        steps = self.context["active_steps"]
        done = {c.step_id for c in registration.completions.all()}
        return [step.name for step in steps if step.pk not in done]


class TroopRequestSerializer(RecordSerializer):
    class Meta:
        model = TroopRequest
        fields = [
            "id",
            "unit",
            "request",
            "received_on",
            "departments",
            "teams_sent",
            "actions",
            "status",
            "resolved_on",
            "summary",
            "township",
            *WORKFLOW,
        ]


class JointActivitySerializer(RecordSerializer):
    class Meta:
        model = JointActivity
        fields = ["id", "kind", *ACTIVITY_FIELDS, "units", "township", *WORKFLOW]


class MatchmakingEventSerializer(RecordSerializer):
    class Meta:
        model = MatchmakingEvent
        fields = [
            "id",
            *ACTIVITY_FIELDS,
            "partner_unit",
            "theme",
            "women",
            "soldiers",
            "duration_hours",
            "couples",
            "township",
            *WORKFLOW,
        ]


class GalaProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = GalaProgramme
        fields = ["order", "title", "kind", "performers"]
        read_only_fields = fields


class ArmyDayGalaSerializer(RecordSerializer):
    programmes = GalaProgrammeSerializer(many=True, read_only=True, label="节目")

    class Meta:
        model = ArmyDayGala
        fields = ["id", "anniversary", *ACTIVITY_FIELDS, "programmes", "township", *WORKFLOW]


class AllianceMemberSerializer(ScopedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, label="企业名称")

    class Meta:
        model = AllianceMember
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "batch_number",
            "joined_on",
            "offer",
            "address",
            "service_phone",
            "status",
            "left_on",
        ]
        extra_kwargs = {"left_on": {"allow_null": True}}


# --- viewsets -----------------------------------------------------------------------------------


class MeritNoticeBatchViewSet(ScopedModelViewSet):
    """送喜报批次：送达日期、送喜报人员，服务站、人武部参加人员（三级联动）。"""

    queryset = MeritNoticeBatch.objects.all()
    serializer_class = MeritNoticeBatchSerializer
    filterset_class = MeritNoticeBatchFilterSet


class MeritNoticeViewSet(ScopedModelViewSet):
    """立功喜报：本区籍现役军人荣立三等功以上，送达其家属；未填送达日期的为待送达。"""

    queryset = MeritNotice.objects.select_related("soldier", "merit", "recipient")
    serializer_class = MeritNoticeSerializer
    filterset_class = MeritNoticeFilterSet


class ReceptionPointViewSet(ScopedModelViewSet):
    """退役军人报到点（值班表在管理后台维护）。"""

    queryset = ReceptionPoint.objects.all()
    serializer_class = ReceptionPointSerializer
    filterset_class = ReceptionPointFilterSet


class HomecomingRegistrationViewSet(ScopedModelViewSet):
    """返乡报到登记：报到点、报到日期、欢迎仪式，及返乡报到事项的办结情况（已办结、待办）。"""

    queryset = HomecomingRegistration.objects.select_related("person").prefetch_related(
        Prefetch("completions", HomecomingStepCompletion.objects.select_related("step", "done_by"))
    )
    serializer_class = HomecomingRegistrationSerializer
    filterset_class = HomecomingRegistrationFilterSet


class TroopRequestViewSet(ScopedModelViewSet):
    """驻区部队需求：协调部门、派出队伍、办理情况、状态，及写入年度报告的一句话摘要。"""

    queryset = TroopRequest.objects.all()
    serializer_class = TroopRequestSerializer
    filterset_class = TroopRequestFilterSet


class JointActivityViewSet(ScopedModelViewSet):
    """双拥共建活动（植树、捐赠、文化进军营、节日联欢等）。"""

    queryset = JointActivity.objects.all()
    serializer_class = JointActivitySerializer
    filterset_class = JointActivityFilterSet


class MatchmakingEventViewSet(ScopedModelViewSet):
    """军地线上相亲联谊会。"""

    queryset = MatchmakingEvent.objects.all()
    serializer_class = MatchmakingEventSerializer
    filterset_class = MatchmakingEventFilterSet


class ArmyDayGalaViewSet(ScopedModelViewSet):
    """建军节文艺晚会，含节目单（节目在管理后台维护）。"""

    queryset = ArmyDayGala.objects.prefetch_related("programmes")
    serializer_class = ArmyDayGalaSerializer
    filterset_class = ArmyDayGalaFilterSet


class AllianceMemberViewSet(ScopedModelViewSet):
    """爱心拥军团成员企业：加入批次、日期、优待服务、状态。"""

    queryset = AllianceMember.objects.select_related("enterprise")
    serializer_class = AllianceMemberSerializer
    filterset_class = AllianceMemberFilterSet


router.register("support-army/merit-notice-batches", MeritNoticeBatchViewSet)
router.register("support-army/merit-notices", MeritNoticeViewSet)
router.register("support-army/reception-points", ReceptionPointViewSet)
router.register("support-army/homecoming-registrations", HomecomingRegistrationViewSet)
router.register("support-army/troop-requests", TroopRequestViewSet)
router.register("support-army/joint-activities", JointActivityViewSet)
router.register("support-army/matchmaking-events", MatchmakingEventViewSet)
router.register("support-army/army-day-galas", ArmyDayGalaViewSet)
router.register("support-army/alliance-members", AllianceMemberViewSet)
