from bureau.api.filters import YearFilterSet
from bureau.api.router import router
from bureau.api.serializers import PersonRecordSerializer
from bureau.api.viewsets import ScopedModelViewSet
from tests.kit_area.models import Grant


class GrantFilterSet(YearFilterSet):
    year_lookup = "granted_on__year"

    class Meta:
        model = Grant
        fields = ["township", "year", "person", "review_status"]


class GrantSerializer(PersonRecordSerializer):
    class Meta:
        model = Grant
        fields = ["id", "person", "person_name", "amount", "granted_on", "bank_account", "township", "review_status"]


class GrantViewSet(ScopedModelViewSet):
    queryset = Grant.objects.select_related("person").order_by("pk")
    serializer_class = GrantSerializer
    filterset_class = GrantFilterSet


router.register("kit-area/grants", GrantViewSet)
