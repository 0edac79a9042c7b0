from bureau.api.filters import YearFilterSet
from bureau.api.router import router
from bureau.api.serializers import PersonRecordSerializer
from bureau.api.viewsets import ScopedModelViewSet
from tests.kit_area_two.models import Stipend


class StipendFilterSet(YearFilterSet):
    year_lookup = "paid_on__year"

    class Meta:
        model = Stipend
        fields = ["township", "year", "person", "review_status"]


class StipendSerializer(PersonRecordSerializer):
    class Meta:
        model = Stipend
        fields = ["id", "person", "person_name", "amount", "paid_on", "bank_account", "township", "review_status"]


class StipendViewSet(ScopedModelViewSet):
    queryset = Stipend.objects.select_related("person").order_by("pk")
    serializer_class = StipendSerializer
    filterset_class = StipendFilterSet


router.register("kit-area-two/stipends", StipendViewSet)
