"""API endpoints of the shared core: the person registry, the payment ledger, bank accounts and enterprises."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from bureau.api.exceptions import NOT_FOUND_MESSAGE
from bureau.api.filters import BankAccountFilterSet, EnterpriseFilterSet, PaymentFilterSet, PersonFilterSet
from bureau.api.pagination import KeysetPagination
from bureau.api.serializers import BankAccountSerializer, EnterpriseSerializer, PaymentSerializer, PersonSerializer
from bureau.api.viewsets import REPLAYED_HEADER, ScopedModelViewSet, ScopedReadOnlyModelViewSet
from bureau.base.masking import can_view_sensitive
from bureau.models import BankAccount, Enterprise, Payment, Person
from bureau.roles import reviews_records
from bureau.rules.transfers import person_register, registers_existing_number
from bureau.station.kit import SUBMITTED_MESSAGE


class SubmittedSerializer(serializers.Serializer):
    detail = serializers.CharField(label="结果", help_text=f"服务站登记的回答，一律为「{SUBMITTED_MESSAGE}」。")


class IdNumberSerializer(serializers.Serializer):
    id_number = serializers.CharField(
        label="身份证号", max_length=18, min_length=18, error_messages={"min_length": "请输入完整的 18 位身份证号。"}
    )

    def validate_id_number(self, value):
        return value.strip().upper()


class MayFindByIdNumber(BasePermission):
    message = "您没有查看完整身份证号的权限，不能按身份证号查找。"

    def has_permission(self, request, view):
        return can_view_sensitive(request.user) and request.user.has_perm("bureau.view_person")


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
    # Deep pages cost what page 1 costs (bureau.api.pagination): in order of registration.
    pagination_class = KeysetPagination
    keyset = ("id",)
    protected_message = "该人员已有关联记录，不能删除。"

    @extend_schema(
        description="局机关登记后返回该人员；服务站的每次新登记都只返回「已提交，等待区局审核」（201），"
        "身份证号已在本区登记的，转为迁入申请由局机关审核，回答与新登记相同。",
        responses={
            201: PolymorphicProxySerializer(
                component_name="PersonCreated",
                serializers=[PersonSerializer, SubmittedSerializer],
                resource_type_field_name=None,
            )
        },
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        if reviews_records(self.request.user):
            return super().perform_create(serializer)
        # A station: the same answer for a new person and for a number the district already holds
        # (a transfer request, `save_record`), so that registering does not tell where, or whether,
        # a person is registered. The person's id is not in it either; the station finds its own
        # people in its list or by number (`persons/find/`).
        data = {name: value for name, value in serializer.validated_data.items() if name != "version"}
        self._save(Person(), data)
        self.created_record = None
        serializer._data = {"detail": SUBMITTED_MESSAGE}  # what `serializer.data` answers, for both

    def save_record(self, record):
        if isinstance(record, Person) and registers_existing_number(person=record, by=self.request.user):
            return person_register(person=record, by=self.request.user)
        return super().save_record(record)

    def replay(self, earlier, fingerprint: str) -> Response:
        if reviews_records(self.request.user) or not earlier.matches(fingerprint):
            return super().replay(earlier, fingerprint)
        return Response({"detail": SUBMITTED_MESSAGE}, status=earlier.status_code, headers={REPLAYED_HEADER: "true"})

    @extend_schema(
        summary="按完整身份证号查找人员",
        description="身份证号放在请求体中（不放在网址中）；返回该人员的完整信息，并记入审计日志。",
        request=IdNumberSerializer,
        responses={200: PersonSerializer},
    )
    @action(detail=False, methods=["post"], url_path="find", permission_classes=[MayFindByIdNumber])
    def find(self, request, *args, **kwargs):
        serializer = IdNumberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = self.get_queryset().filter(id_number=serializer.validated_data["id_number"]).first()
        if person is None:
            raise NotFound("未找到该身份证号的人员，或不在您的管辖范围内。")
        return Response(self.get_serializer(person).data, headers={"ETag": f'"{person.version}"'})


class PaymentViewSet(ScopedReadOnlyModelViewSet):
    """资金发放台账（只读）：按资金项目代码和年度筛选。"""

    queryset = Payment.objects.select_related("person", "programme")
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet
    # Newest first by the ledger's own indexed columns (Payment.Meta), never through the person.
    pagination_class = KeysetPagination
    keyset = ("-paid_on", "-id")


class EnterpriseViewSet(ScopedModelViewSet):
    """企业：招聘会参会企业、创业园入驻企业等；统一社会信用代码按 GB 32100 校验。"""

    queryset = Enterprise.objects.select_related("township", "founder")
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    protected_message = "该企业已有关联记录（招聘会、创业园、就业等），不能删除。"


class BankAccountViewSet(ScopedModelViewSet):
    """银行账户：局机关登记和停用；账号在列表中一律遮蔽，单个账户仅对有权限的角色完整显示并记入审计日志。"""

    queryset = BankAccount.objects.select_related("person")
    serializer_class = BankAccountSerializer
    filterset_class = BankAccountFilterSet
    protected_message = "该银行账户已有关联记录，不能删除。"
