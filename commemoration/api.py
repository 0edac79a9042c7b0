"""
REST API of commemoration, registered on the one router under `commemoration/`.

Reads are scoped by `visible_to(user)` and writes of workflow records go through `record_save`
(the viewset bases in `bureau.api.viewsets`). Stations read the facilities of their township and
keep their inspections and nominations; the rest is the bureau's. The memorial's tributes are
read-only here (visitors leave them on the public pages, staff moderate them in the admin); the
memorial's own public endpoints (`/memorial/api/…`) show published martyrs only.
The visits and check-ups of martyrs' families are the core's
(`/api/v1/visits/?area=commemoration`, `/api/v1/checkups/?population=martyr_children`).
"""

import django_filters
from rest_framework import serializers, viewsets

from bureau.api.filters import IntegerFilter, TownshipFilterSet, YearFilterSet, refuse_sensitive_query
from bureau.api.router import router
from bureau.api.serializers import WORKFLOW_FIELDS, PersonRecordSerializer, RecordSerializer, ScopedModelSerializer
from bureau.api.viewsets import ScopedModelViewSet, ScopedReadOnlyModelViewSet
from commemoration.models import (
    Ceremony,
    FacilityInspection,
    HonourSelection,
    Martyr,
    MemorialFacility,
    Nominee,
    Tribute,
    UpgradeProject,
)

WORKFLOW = list(WORKFLOW_FIELDS)
ACTIVITY_FIELDS = ["title", "start_date", "end_date", "venue", "headcount", "cost", "online_views"]


# --- filters ------------------------------------------------------------------------------------


class MemorialFacilityFilterSet(TownshipFilterSet):
    class Meta:
        model = MemorialFacility
        fields = ["township", "kind", "protection_level", "condition", "review_status"]


class FacilityInspectionFilterSet(YearFilterSet):
    year_lookup = "inspected_on__year"

    class Meta:
        model = FacilityInspection
        fields = ["township", "year", "facility", "review_status"]


class UpgradeProjectFilterSet(YearFilterSet):
    year_lookup = "planned_on__year"

    class Meta:
        model = UpgradeProject
        fields = ["township", "year", "status", "review_status"]


class MartyrFilterSet(TownshipFilterSet):
    class Meta:
        model = Martyr
        fields = ["township", "publication_consent", "resting_facility"]


class HonourSelectionFilterSet(django_filters.FilterSet):
    year = IntegerFilter(field_name="year", label="年度", min_value=2000, max_value=2100)

    class Meta:
        model = HonourSelection
        fields = ["year", "title"]


class NomineeFilterSet(TownshipFilterSet):
    year = IntegerFilter(field_name="selection__year", label="评选年度", min_value=2000, max_value=2100)

    class Meta:
        model = Nominee
        fields = ["township", "year", "selection", "result", "person", "review_status"]


class CeremonyFilterSet(YearFilterSet):
    class Meta:
        model = Ceremony
        fields = ["township", "year", "occasion", "review_status"]


class TributeFilterSet(TownshipFilterSet):
    class Meta:
        model = Tribute
        fields = ["township", "martyr", "kind", "moderation"]


# --- serializers --------------------------------------------------------------------------------


class MemorialFacilitySerializer(RecordSerializer):
    class Meta:
        model = MemorialFacility
        fields = [
            "id",
            "name",
            "kind",
            "protection_level",
            "address",
            "latitude",
            "longitude",
            "managing_unit",
            "condition",
            "note",
            "township",
            *WORKFLOW,
        ]
        extra_kwargs = {"latitude": {"allow_null": True}, "longitude": {"allow_null": True}}


class FacilityInspectionSerializer(ScopedModelSerializer):
    facility_name = serializers.CharField(source="facility.name", read_only=True, label="设施名称")

    class Meta:
        model = FacilityInspection
        fields = [
            "id",
            "facility",
            "facility_name",
            "inspected_on",
            "inspector",
            "findings",
            "follow_up",
            "township",
            *WORKFLOW,
        ]
        # The township follows the facility.
        extra_kwargs = {"township": {"read_only": True}}


class UpgradeProjectSerializer(RecordSerializer):
    class Meta:
        model = UpgradeProject
        fields = [
            "id",
            "title",
            "facilities",
            "planned_investment",
            "funding_source",
            "target_level",
            "planned_on",
            "status",
            "milestones",
            "actual_spend",
            "completed_on",
            "township",
            *WORKFLOW,
        ]
        extra_kwargs = {"actual_spend": {"allow_null": True}, "completed_on": {"allow_null": True}}


class MartyrSerializer(PersonRecordSerializer):
    class Meta:
        model = Martyr
        fields = [
            "id",
            "person",
            "person_name",
            "sacrificed_on",
            "sacrifice_place",
            "unit",
            "deeds",
            "recognised_on",
            "recognition_document",
            "resting_facility",
            "publication_consent",
            "consent_note",
        ]
        extra_kwargs = {"resting_facility": {"allow_null": True}, "recognised_on": {"allow_null": True}}


class HonourSelectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = HonourSelection
        fields = ["id", "title", "edition", "year", "announced_on"]
        read_only_fields = fields


class NomineeSerializer(PersonRecordSerializer):
    class Meta:
        model = Nominee
        fields = ["id", "selection", "person", "person_name", "deeds", "result", "rank", "township", *WORKFLOW]
        extra_kwargs = {"rank": {"allow_null": True}}


class CeremonySerializer(RecordSerializer):
    ordinal = serializers.IntegerField(read_only=True, allow_null=True, label="烈士纪念日届次")

    class Meta:
        model = Ceremony
        fields = ["id", "occasion", "ordinal", *ACTIVITY_FIELDS, "facility", "units", "township", *WORKFLOW]
        extra_kwargs = {"facility": {"allow_null": True}}


class TributeSerializer(ScopedModelSerializer):
    class Meta:
        model = Tribute
        fields = ["id", "martyr", "kind", "message", "signature", "moderation", "moderated_at", "created_at"]
        read_only_fields = fields


# --- viewsets -----------------------------------------------------------------------------------


class MemorialFacilityViewSet(ScopedModelViewSet):
    """烈士纪念设施：类型、保护级别、位置（经纬度）、管理单位、设施状况。"""

    queryset = MemorialFacility.objects.all()
    serializer_class = MemorialFacilitySerializer
    filterset_class = MemorialFacilityFilterSet
    protected_message = "该纪念设施已有巡查、改造项目、烈士或公祭记录，不能删除。"


class FacilityInspectionViewSet(ScopedModelViewSet):
    """纪念设施巡查：巡查日期、巡查人、发现问题、整改情况（照片在管理后台上传）。"""

    queryset = FacilityInspection.objects.select_related("facility")
    serializer_class = FacilityInspectionSerializer
    filterset_class = FacilityInspectionFilterSet


class UpgradeProjectViewSet(ScopedModelViewSet):
    """纪念设施提升改造项目：计划投资（元）、资金来源、申报级别、进度与实际支出。"""

    queryset = UpgradeProject.objects.prefetch_related("facilities")
    serializer_class = UpgradeProjectSerializer
    filterset_class = UpgradeProjectFilterSet


class MartyrViewSet(ScopedModelViewSet):
    """烈士：牺牲时间地点、生前单位、事迹、评定情况、安葬设施、家属是否同意网上公开。"""

    queryset = Martyr.objects.select_related("person")
    serializer_class = MartyrSerializer
    filterset_class = MartyrFilterSet


class HonourSelectionViewSet(viewsets.ReadOnlyModelViewSet):
    """典型评选（只读）：称号、届次、年度；由局机关在管理后台录入。"""

    queryset = HonourSelection.objects.all()
    serializer_class = HonourSelectionSerializer
    filterset_class = HonourSelectionFilterSet

    def filter_queryset(self, queryset):
        refuse_sensitive_query(self.request, queryset.model, self.filterset_class)
        return super().filter_queryset(queryset)


class NomineeViewSet(ScopedModelViewSet):
    """典型推荐人选：服务站推荐本乡镇（街道）人选，区局评审。"""

    queryset = Nominee.objects.select_related("person", "selection")
    serializer_class = NomineeSerializer
    filterset_class = NomineeFilterSet


class CeremonyViewSet(ScopedModelViewSet):
    """公祭活动：纪念时机（烈士纪念日届次自2014年起算）、地点、参加人数、参加单位。"""

    queryset = Ceremony.objects.select_related("facility")
    serializer_class = CeremonySerializer
    filterset_class = CeremonyFilterSet


class TributeViewSet(ScopedReadOnlyModelViewSet):
    """网上祭扫献花寄语（只读）：寄语在管理后台审核。"""

    queryset = Tribute.objects.all()
    serializer_class = TributeSerializer
    filterset_class = TributeFilterSet


router.register("commemoration/facilities", MemorialFacilityViewSet)
router.register("commemoration/inspections", FacilityInspectionViewSet)
router.register("commemoration/upgrade-projects", UpgradeProjectViewSet)
router.register("commemoration/martyrs", MartyrViewSet)
router.register("commemoration/selections", HonourSelectionViewSet)
router.register("commemoration/nominees", NomineeViewSet)
router.register("commemoration/ceremonies", CeremonyViewSet)
router.register("commemoration/tributes", TributeViewSet)
