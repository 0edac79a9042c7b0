"""
Serializers of the shared core, and the serializer base every area app builds on.

`ScopedModelSerializer` masks the fields each model declares sensitive for users
without `view_sensitive_person` and limits every writable relation to records the
user may see, so a station cannot point a record at another township's person.
`RecordSerializer` and `PersonRecordSerializer` are the bases of workflow records.
"""

from contextlib import nullcontext

from django.db import models
from django.utils.functional import cached_property
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField

from bureau.base.masking import mask_for, shown, unmasked
from bureau.base.scoping import ScopedQuerySet, township_of
from bureau.models import BankAccount, Enterprise, Payment, Person, PersonCategory, Township, VersionedModel
from bureau.rules.disclosure import record_sensitive_view
from bureau.validators import normalize_credit_code, parse_resident_id


class CurrentTownshipDefault:
    """
    Default township of a new record: the station user's own. Bureau users have
    none; they must choose one unless the field allows a district-wide record (null).
    """

    requires_context = True

    def __call__(self, serializer_field):
        township = township_of(serializer_field.context["request"].user)
        if township is None and not serializer_field.allow_null:
            serializer_field.fail("required")
        return township

    def __repr__(self):
        return f"{self.__class__.__name__}()"


# A record the user may not see is "not found" rather than "another township's": the
# answer must not tell a station that an id exists elsewhere.
NOT_VISIBLE = "{name}不存在，或不在您可查看的乡镇（街道）范围内。"
WORKFLOW_FIELDS = ("review_status", "return_reason")
UNKNOWN_FIELD_MESSAGE = "没有这个字段，本次请求未作任何修改；请按接口文档（/api/schema/）填写字段名。"
# What the browsable API's HTML form posts besides the record's fields.
IGNORED_FORM_KEYS = {"csrfmiddlewaretoken", "_method", "_content", "_content_type"}


class ScopedModelSerializer(serializers.ModelSerializer):
    """
    The serializer base of every API endpoint: every writable relation to a scoped model
    offers only what the user may see (with the "not visible" message otherwise), and
    every output field whose source the model declares sensitive (`id_number`,
    `person.id_number`, `contact_phone` …) is masked for users without the permission.
    """

    def get_fields(self):
        fields = super().get_fields()
        if issubclass(self.Meta.model, VersionedModel) and "version" not in fields:
            # No lost updates (bureau.base.concurrency): a write names the version it read.
            fields["version"] = serializers.IntegerField(
                required=False,
                min_value=1,
                label="版本",
                help_text="记录的版本号，每次保存加一。修改时带上读取到的版本（或用 If-Match 头带上 ETag）；"
                "记录在此期间已被他人修改时返回 409（If-Match 不符时 412），不会覆盖他人的修改。",
            )
        for name in getattr(self.Meta.model, "bureau_decided_fields", ()):
            field = fields.get(name)
            if field is not None and not field.read_only:
                # Said in the schema: a station's write of it is refused (bureau.rules.services.bureau_decided_check).
                field.help_text = f"{field.help_text or ''}由区局决定：服务站填写或修改将返回 400。".lstrip()
        user = getattr(self.context.get("request"), "user", None)
        for field in fields.values():
            relation = field.child_relation if isinstance(field, ManyRelatedField) else field
            queryset = getattr(relation, "queryset", None)
            if isinstance(queryset, models.Manager):
                # ModelSerializer gives generated relations the model's default manager, not a queryset.
                queryset = queryset.all()
            if isinstance(queryset, ScopedQuerySet):
                relation.queryset = queryset.visible_to(user)
                name = queryset.model._meta.verbose_name
                relation.error_messages["does_not_exist"] = NOT_VISIBLE.format(name=name)
        return fields

    def to_internal_value(self, data):
        # A field the endpoint does not have is refused, never silently dropped: a client sending
        # `died_on` to an endpoint without it would otherwise believe it recorded a death.
        if hasattr(data, "keys"):
            unknown = sorted(name for name in data if name not in self.fields and name not in IGNORED_FORM_KEYS)
            if unknown:
                raise serializers.ValidationError({name: [UNKNOWN_FIELD_MESSAGE] for name in unknown})
        return super().to_internal_value(data)

    @cached_property
    def sensitive_masks(self) -> dict:
        """`{output field: mask}` for the fields whose source the model declares sensitive (once per serializer)."""
        masks = {}
        for name, field in self.fields.items():
            mask = None if field.write_only else mask_for(self.Meta.model, field.source.replace(".", "__"))
            if mask:
                masks[name] = mask
        return masks

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # No request (a shell, a task) means no proven permission: masked.
        request = self.context.get("request")
        user = getattr(request, "user", None)
        masks = {name: mask for name, mask in self.sensitive_masks.items() if data.get(name)}
        # A list is masked for every role; one record's answer (the viewset's `reveal`) is whole
        # for a role with the permission, and each such answer is an audit event.
        reveal = bool(masks) and self.context.get("reveal") and record_sensitive_view(request, instance, list(masks))
        with unmasked() if reveal else nullcontext():
            for name, mask in masks.items():
                data[name] = shown(user, data[name], mask)
        return data

    def get_extra_kwargs(self):
        # The review state of a workflow record changes through review only.
        extra = super().get_extra_kwargs()
        for name in WORKFLOW_FIELDS:
            extra[name] = {**extra.get(name, {}), "read_only": True}
        return extra


def person_name_field() -> serializers.CharField:
    """The person's name next to the person id (never their ID number or phone)."""
    return serializers.CharField(source="person.name", read_only=True, label="姓名")


class RecordSerializer(ScopedModelSerializer):
    """A workflow record (TownshipRecord) of a township, or of the whole district (township left empty)."""

    township = serializers.PrimaryKeyRelatedField(
        queryset=Township.objects.all(),
        allow_null=True,
        default=CurrentTownshipDefault(),
        label="乡镇（街道）",
        help_text="乡镇（街道）id；全区性的记录留空。服务站用户默认为本乡镇（街道），且只能是本乡镇（街道）。",
    )


class PersonRecordSerializer(ScopedModelSerializer):
    """A record about one resident: the person's name alongside the id; the township follows the person."""

    person_name = person_name_field()

    def get_extra_kwargs(self):
        extra = super().get_extra_kwargs()
        extra["township"] = {**extra.get("township", {}), "read_only": True}
        return extra


class PersonCategorySerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_category_display", read_only=True, label="类别名称")

    class Meta:
        model = PersonCategory
        fields = ["category", "label", "started_on", "ended_on"]
        read_only_fields = fields


class PersonSerializer(ScopedModelSerializer):
    # Declared without the model's max_length so a number of the wrong length gets
    # the registry's own message ("身份证号应为 18 位…") rather than a generic one.
    id_number = serializers.CharField(
        label="身份证号", help_text="18 位居民身份证号；出生日期和性别由号码得出。无权查看者看到的是遮蔽后的号码。"
    )
    township = serializers.PrimaryKeyRelatedField(
        queryset=Township.objects.all(),
        default=CurrentTownshipDefault(),
        label="乡镇（街道）",
        help_text="乡镇（街道）id。服务站用户可不填，默认为本乡镇（街道），且只能是本乡镇（街道）。",
    )
    categories = PersonCategorySerializer(many=True, read_only=True, label="优抚类别")

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number",
            "gender",
            "birth_date",
            "phone",
            "township",
            "address",
            "status",
            "branch",
            "enlisted_on",
            "discharged_on",
            "rank",
            "discharge_route",
            "died_on",
            "moved_out_on",
            "moved_in_on",
            "notes",
            "review_status",
            "return_reason",
            "categories",
        ]
        read_only_fields = ["birth_date", "review_status", "return_reason"]

    def validate_id_number(self, value: str) -> str:
        return parse_resident_id(value).number


class PaymentSerializer(ScopedModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True, label="姓名")
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True, label="资金项目代码")
    programme_name = serializers.CharField(source="programme.name", read_only=True, label="资金项目")

    class Meta:
        model = Payment
        fields = [
            "id",
            "person",
            "person_name",
            "programme",
            "programme_name",
            "amount",
            "period",
            "paid_on",
            "fiscal_share",
            "personal_share",
            "batch",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class EnterpriseSerializer(ScopedModelSerializer):
    # Not default=None: DRF skips a field's default in a partial update, and PATCH answered without it.
    founder_name = serializers.CharField(source="founder.name", read_only=True, allow_null=True, label="创办人姓名")

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            "sector",
            "township",
            "veteran_founded",
            "founder",
            "founder_name",
            "contact_name",
            "contact_phone",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def validate_credit_code(self, value: str) -> str:
        return normalize_credit_code(value)


class BankAccountSerializer(ScopedModelSerializer):
    """
    A person's bank account. The number is masked in every list, and on one account's answer for
    roles without `view_sensitive_person`. An account's person and number never change: a new
    number is a new account, and the old one is set not in use (its history stays).
    """

    person_name = person_name_field()
    # Declared without the model's pattern: a list shows the number masked (`****…1234`), which the
    # schema must allow; the number written is still checked (validate_account_number).
    account_number = serializers.CharField(
        label="银行账号", max_length=30, help_text="10 至 30 位数字。无权查看者看到的是遮蔽后的账号。"
    )

    class Meta:
        model = BankAccount
        fields = ["id", "person", "person_name", "bank", "account_number", "account_name", "active", "created_at"]
        read_only_fields = ["created_at"]

    def validate_account_number(self, value: str) -> str:
        BankAccount._meta.get_field("account_number").run_validators(value)
        return value

    def validate(self, attrs):
        if self.instance is not None:
            errors = {}
            if "person" in attrs and attrs["person"] != self.instance.person:
                errors["person"] = ACCOUNT_FIXED_MESSAGE
            if "account_number" in attrs and attrs["account_number"] != self.instance.account_number:
                errors["account_number"] = ACCOUNT_FIXED_MESSAGE
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


ACCOUNT_FIXED_MESSAGE = "账户的人员和账号不能修改：新账号请新增一个账户，并将原账户设为不在用。"
