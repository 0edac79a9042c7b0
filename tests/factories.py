"""factory_boy factories shared by every test module."""

import datetime
import random

import factory
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bureau.models import (
    AuditEvent,
    BankAccount,
    CheckUp,
    CheckUpBatch,
    ClosedYear,
    ExportLog,
    FamilyLink,
    HeldPayment,
    Merit,
    PasswordReset,
    Payment,
    PaymentBatch,
    PaymentProgramme,
    PaymentProposal,
    PaymentProposalLine,
    PendingChange,
    Person,
    PersonCategory,
    PreferentialCategory,
    ReviewStatus,
    SiteProfile,
    Township,
    TransferRequest,
    User,
    Visit,
)
from reports.models import AnnualReportRun, FinalReport, Narrative, ReportDownload, ReportYear

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def make_id_number(
    *,
    region: str = "320102",
    birth_date: datetime.date = datetime.date(1980, 1, 1),
    sequence: int = 123,
    male: bool = True,
) -> str:
    """A valid 18-character resident ID number (GB 11643 check digit)."""
    sequence = sequence % 1000
    if (sequence % 10) % 2 != (1 if male else 0):
        sequence = (sequence + 1) % 1000
    body = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, WEIGHTS, strict=True))
    return body + CHECK_CHARACTERS[total % 11]


def _id_number(n: int) -> str:
    rng = random.Random(n)
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 50))
    return make_id_number(birth_date=birth, sequence=n, male=rng.random() < 0.8)


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"测试镇{n}")
    order = factory.Sequence(int)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试人员{n}")
    id_number = factory.Sequence(_id_number)
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    township = factory.SubFactory(TownshipFactory)
    status = Person.Status.VETERAN
    review_status = ReviewStatus.APPROVED


class PayeeFactory(PersonFactory):
    """A person who can be paid: a bank account in use (a person without one is held, not paid)."""

    account = factory.RelatedFactory("tests.factories.BankAccountFactory", factory_related_name="person")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "test-password-123")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            from django.contrib.auth.models import Group

            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


class PaymentProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentProgramme
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: f"资金项目{n}")
    area = "pensions"
    frequency = PaymentProgramme.Frequency.MONTHLY


class PaymentBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentBatch

    programme = factory.SubFactory(PaymentProgrammeFactory)
    title = factory.Sequence(lambda n: f"发放批次{n}")
    paid_on = datetime.date(2021, 1, 15)
    created_by = factory.SubFactory(UserFactory)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    person = factory.SubFactory(PersonFactory)
    programme = factory.SubFactory(PaymentProgrammeFactory)
    amount = "1200.00"
    period = "2021-01"
    paid_on = datetime.date(2021, 1, 15)


class PaymentProposalFactory(factory.django.DjangoModelFactory):
    """A proposal awaiting approval, with one line (`person`, `amount`) unless `person=None`."""

    class Meta:
        model = PaymentProposal
        skip_postgeneration_save = True

    programme = factory.SubFactory(PaymentProgrammeFactory)
    period = "2021-01"
    paid_on = datetime.date(2021, 1, 15)
    title = factory.Sequence(lambda n: f"发放申请{n}")
    prepared_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def person(self, create, extracted, **kwargs):
        if create and extracted is not None:
            PaymentProposalLine.objects.create(proposal=self, person=extracted, amount=kwargs.get("amount", "1200.00"))


class PersonCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonCategory

    person = factory.SubFactory(PersonFactory)
    category = PreferentialCategory.DISABLED_SOLDIER
    started_on = datetime.date(2010, 1, 1)


class FamilyLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyLink

    person = factory.SubFactory(PersonFactory)
    relative = factory.SubFactory(PersonFactory, status=Person.Status.FAMILY)
    relation = FamilyLink.Relation.SPOUSE


class MeritFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merit

    person = factory.SubFactory(PersonFactory)
    level = Merit.Level.THIRD_CLASS
    year = 2005


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试组{n}")


class BankAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankAccount

    person = factory.SubFactory(PersonFactory)
    bank = "中国农业银行南京玄武支行"
    account_number = factory.Sequence(lambda n: f"62284800{n:011d}")
    account_name = factory.LazyAttribute(lambda account: account.person.name)


class PasswordResetFactory(factory.django.DjangoModelFactory):
    """An administrator's reset of an account's password, waiting for the security administrator."""

    class Meta:
        model = PasswordReset

    user = factory.SubFactory(UserFactory)
    password = "md5$salt$0123456789abcdef0123456789abcdef"
    set_by = factory.SubFactory(UserFactory)


class HeldPaymentFactory(factory.django.DjangoModelFactory):
    """Money held for want of a bank account in use (待补发)."""

    class Meta:
        model = HeldPayment

    person = factory.SubFactory(PersonFactory)
    programme = factory.SubFactory(PaymentProgrammeFactory)
    amount = "800.00"
    period = factory.Sequence(lambda n: f"{2000 + n % 100}")
    paid_on = datetime.date(2021, 1, 20)
    batch = factory.SubFactory(PaymentBatchFactory, programme=factory.SelfAttribute("..programme"))


class TokenFactory(factory.django.DjangoModelFactory):
    """An API token; the key is generated on save."""

    class Meta:
        model = Token

    user = factory.SubFactory(UserFactory)


class AccessAttemptFactory(factory.django.DjangoModelFactory):
    """Failed logins of one username from one address, as django-axes records them."""

    class Meta:
        model = AccessAttempt

    username = factory.Sequence(lambda n: f"user{n}")
    ip_address = factory.Sequence(lambda n: f"10.0.{n // 250}.{n % 250 + 1}")
    user_agent = "pytest"
    http_accept = "*/*"
    path_info = "/station/login/"
    get_data = ""
    post_data = ""
    failures_since_start = 1


class AccessLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessLog

    username = factory.Sequence(lambda n: f"user{n}")
    ip_address = "10.0.0.1"
    user_agent = "pytest"
    http_accept = "*/*"
    path_info = "/station/login/"


class AccessFailureLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessFailureLog

    username = factory.Sequence(lambda n: f"user{n}")
    ip_address = "10.0.0.1"
    user_agent = "pytest"
    http_accept = "*/*"
    path_info = "/station/login/"


class SiteProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteProfile

    district_name = "测试区"
    bureau_name = "退役军人事务局"


class ExportLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExportLog

    user = factory.SubFactory(UserFactory)
    kind = "人员名册"
    file_format = "xlsx"
    row_count = 10


class ContentTypeFactory(factory.django.DjangoModelFactory):
    """The content type of Person: content types are Django's, one per model, never made up."""

    class Meta:
        model = ContentType
        django_get_or_create = ("app_label", "model")

    app_label = "bureau"
    model = "person"


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    kind = AuditEvent.Kind.LOGIN
    user = factory.SubFactory(UserFactory)
    username = factory.LazyAttribute(lambda event: event.user.username if event.user else "")
    ip_address = "10.0.0.1"
    path = "/admin/login/"
    # Every relation filled here: the trail refuses the UPDATE that would fill one later.
    content_type = factory.SubFactory(ContentTypeFactory)


class PendingChangeFactory(factory.django.DjangoModelFactory):
    """A station's proposed change of an approved person's phone."""

    class Meta:
        model = PendingChange
        exclude = ["person"]

    person = factory.SubFactory(PersonFactory)
    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Person))
    object_id = factory.LazyAttribute(lambda change: change.person.pk)
    township = factory.LazyAttribute(lambda change: change.person.township)
    changes = factory.LazyAttribute(lambda change: {"phone": {"old": change.person.phone, "new": "13900000000"}})
    base_version = 1
    proposed_by = factory.SubFactory(UserFactory)
    proposed_at = factory.LazyFunction(timezone.now)


# --- the annual report -------------------------------------------------------------


class NarrativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Narrative

    year = 2021
    key = factory.Sequence(lambda n: f"test.item_{n}")
    text = "全年举办招聘会 {{ employment.job_fairs }} 场。"


class ReportYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportYear

    year = factory.Sequence(lambda n: 2000 + n)


class AnnualReportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualReportRun

    year = 2021
    requested_by = factory.SubFactory(UserFactory)
    status = AnnualReportRun.Status.DONE
    progress = 100


class FinalReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinalReport

    year = 2021
    version = factory.Sequence(lambda n: n + 1)
    closed_by = factory.SubFactory(UserFactory)
    figures = factory.LazyFunction(dict)


class ReportDownloadFactory(factory.django.DjangoModelFactory):
    """A download of a run's file, or of a final version's with `of_final=True` (every other row by default)."""

    class Meta:
        model = ReportDownload

    class Params:
        of_final = factory.Sequence(lambda n: n % 2 == 1)

    run = factory.Maybe("of_final", yes_declaration=None, no_declaration=factory.SubFactory(AnnualReportRunFactory))
    final = None
    user = factory.SubFactory(UserFactory)
    file_format = "docx"

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # A download is of a run's file or of a final version's, never both (a check constraint): one
        # built for a given run stays that run's; otherwise every other row is a final version's.
        if kwargs.get("run") is None and kwargs.get("final") is None:
            kwargs["final"] = FinalReportFactory()
        return kwargs


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    class Params:
        # A visit built for a ledger row (VisitFactory(payment=…)) is the visit that pays it: the
        # ledger (bureau.rules.payments.ledger) would otherwise delete a row its approved visit does not pay.
        paying = factory.LazyAttribute(lambda o: o.payment is not None)

    payment = None
    area = "pensions"
    occasion = "spring_festival"
    person = factory.Maybe("paying", factory.SelfAttribute("payment.person"), factory.SubFactory(PersonFactory))
    township = factory.SelfAttribute("person.township")
    hardship_category = "hardship_veteran"
    visited_on = factory.Maybe(
        "paying",
        factory.SelfAttribute("payment.paid_on"),
        factory.Sequence(lambda n: datetime.date(2021, 1, 1) + datetime.timedelta(days=n % 360)),
    )
    visitor = "局机关走访组"
    amount = factory.Maybe("paying", factory.SelfAttribute("payment.amount"), None)
    programme = factory.Maybe("paying", factory.SelfAttribute("payment.programme"), None)
    review_status = ReviewStatus.APPROVED


class CheckUpBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckUpBatch

    title = factory.Sequence(lambda n: f"重点优抚对象免费体检{n}")
    start_date = datetime.date(2021, 5, 10)
    institution = "区人民医院体检中心"
    population = CheckUpBatch.Population.KEY_BENEFICIARIES
    review_status = ReviewStatus.APPROVED


class CheckUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckUp

    batch = factory.SubFactory(CheckUpBatchFactory)
    person = factory.SubFactory(PersonFactory)
    township = factory.SelfAttribute("person.township")
    mode = CheckUp.Mode.ON_SITE
    checked_on = datetime.date(2021, 5, 10)
    result_summary = "血压偏高，建议复查。"
    review_status = ReviewStatus.APPROVED


class TransferRequestFactory(factory.django.DjangoModelFactory):
    """A station's registration of a number another township holds: a request to move the person to its township."""

    class Meta:
        model = TransferRequest

    person = factory.SubFactory(PersonFactory)
    from_township = factory.LazyAttribute(lambda transfer: transfer.person.township)
    to_township = factory.SubFactory(TownshipFactory)
    submitted_name = factory.LazyAttribute(lambda transfer: transfer.person.name)
    requested_by = factory.SubFactory(UserFactory)


class ClosedYearFactory(factory.django.DjangoModelFactory):
    """A closed year (bureau.rules.closing.year_close writes them; this builds rows for the admin's list)."""

    class Meta:
        model = ClosedYear
        django_get_or_create = ["year"]

    year = factory.Sequence(lambda n: 2000 + n % 100)
    closed_at = factory.LazyFunction(timezone.now)
    closed_by = factory.SubFactory(UserFactory)
