"""
API of the registry's facts about a person besides the person's own row: merits (立功受奖) and
family links (家庭关系), which the areas read (a merit notice goes to a linked relative of the
soldier whose merit it is; martyr care follows the links).

- Bureau staff list, create, change and delete them.
- A station reads and adds its own township's (the person's township; a relative it links must
  be one of its people too, by the scoped choices of the serializer base); a change or a removal
  of a fact on file is the bureau's (403), as in the admin where the inlines are the bureau's.
- No ID number or phone is shown: people are named by id and name.
"""

from rest_framework import serializers
from rest_framework.permissions import BasePermission

from bureau.api.filters import TownshipFilterSet
from bureau.api.serializers import ScopedModelSerializer, person_name_field
from bureau.api.viewsets import ScopedModelViewSet
from bureau.models import FamilyLink, Merit
from bureau.roles import reviews_records

STATION_READS_AND_ADDS = "服务站只能查看和新增本乡镇（街道）人员的{name}；修改或删除请联系区局办理。"


class BureauChangesFacts(BasePermission):
    """A change or a removal of a registry fact is the bureau's (the permission to review records)."""

    def has_permission(self, request, view):
        if view.action in ("update", "partial_update", "destroy") and not reviews_records(request.user):
            self.message = STATION_READS_AND_ADDS.format(name=view.queryset.model._meta.verbose_name)
            return False
        return True


class MeritFilterSet(TownshipFilterSet):
    class Meta:
        model = Merit
        fields = ["township", "person", "level", "year"]


class FamilyLinkFilterSet(TownshipFilterSet):
    class Meta:
        model = FamilyLink
        fields = ["township", "person", "relative", "relation"]


class MeritSerializer(ScopedModelSerializer):
    person_name = person_name_field()
    level_label = serializers.CharField(source="get_level_display", read_only=True, label="等级名称")

    class Meta:
        model = Merit
        fields = ["id", "person", "person_name", "level", "level_label", "year", "unit"]


class FamilyLinkSerializer(ScopedModelSerializer):
    person_name = person_name_field()
    relative_name = serializers.CharField(source="relative.name", read_only=True, label="亲属姓名")
    relation_label = serializers.CharField(source="get_relation_display", read_only=True, label="关系名称")

    class Meta:
        model = FamilyLink
        fields = ["id", "person", "person_name", "relative", "relative_name", "relation", "relation_label"]


class MeritViewSet(ScopedModelViewSet):
    """立功受奖：局机关登记、修改和删除；服务站查看和新增本乡镇（街道）人员的立功受奖。"""

    queryset = Merit.objects.select_related("person")
    serializer_class = MeritSerializer
    filterset_class = MeritFilterSet
    permission_classes = [*ScopedModelViewSet.permission_classes, BureauChangesFacts]


class FamilyLinkViewSet(ScopedModelViewSet):
    """家庭关系（亲属是该人员的…）：局机关登记、修改和删除；服务站查看和新增本乡镇（街道）人员的家庭关系。"""

    queryset = FamilyLink.objects.select_related("person", "relative").order_by("pk")
    serializer_class = FamilyLinkSerializer
    filterset_class = FamilyLinkFilterSet
    permission_classes = [*ScopedModelViewSet.permission_classes, BureauChangesFacts]
