"""API endpoints of the shared core: the person registry and the payment ledger."""

from bureau.api.filters import PaymentFilterSet, PersonFilterSet
from bureau.api.serializers import PaymentSerializer, PersonSerializer
from bureau.api.viewsets import ScopedModelViewSet, ScopedReadOnlyModelViewSet
from bureau.models import Payment, Person


class PersonViewSet(ScopedModelViewSet):
    """人员登记：服务站只能看到和登记本乡镇（街道）的人员，提交后由局机关审核。"""

    queryset = Person.objects.select_related("township").prefetch_related("categories")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    protected_message = "该人员已有关联记录，不能删除。"


class PaymentViewSet(ScopedReadOnlyModelViewSet):
    """资金发放台账（只读）：按资金项目代码和年度筛选。"""

    queryset = Payment.objects.select_related("person", "programme")
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet
