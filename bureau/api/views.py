"""API endpoints of the shared core: the person registry, the payment ledger and enterprises."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from bureau.api.exceptions import NOT_FOUND_MESSAGE
from bureau.api.filters import EnterpriseFilterSet, PaymentFilterSet, PersonFilterSet
from bureau.api.serializers import EnterpriseSerializer, PaymentSerializer, PersonSerializer
from bureau.api.viewsets import ScopedModelViewSet, ScopedReadOnlyModelViewSet
from bureau.models import Enterprise, Payment, Person


# Exempt like DRF's views: it changes nothing, and a POST with a cookie must get this answer, not the CSRF page.
@csrf_exempt
def not_found(request, path: str = "") -> JsonResponse:
    """
    Any other address under the API, such as a record id that is not a number (`/persons/1.5/`,
    which the router's patterns do not match): a JSON 404 like the API's own, not the site's HTML page.
    """
    return JsonResponse({"detail": NOT_FOUND_MESSAGE}, status=404, json_dumps_params={"ensure_ascii": False})


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


class EnterpriseViewSet(ScopedModelViewSet):
    """企业：招聘会参会企业、创业园入驻企业等；统一社会信用代码按 GB 32100 校验。"""

    queryset = Enterprise.objects.select_related("township", "founder")
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    protected_message = "该企业已有关联记录（招聘会、创业园、就业等），不能删除。"
