import datetime
from decimal import Decimal

import factory

from bureau.models import ReviewStatus
from pensions.models import (
    BenefitStandard,
    ConscriptBenefit,
    HardshipAid,
    OralHistoryExhibition,
    OralHistoryInterview,
    PayrollLine,
    PayrollRun,
    Problem,
    VisitRound,
)
from tests.factories import PersonFactory, UserFactory


class BenefitStandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenefitStandard

    category = "disabled_soldier"
    monthly_amount = "2150.00"
    valid_from = factory.Sequence(lambda n: datetime.date(2021, 1, 1) + datetime.timedelta(days=n))


class PayrollRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayrollRun

    period = factory.Sequence(lambda n: f"{2000 + n // 12}-{n % 12 + 1:02d}")
    status = PayrollRun.Status.GENERATED
    paid_on = datetime.date(2021, 1, 10)
    generated_by = factory.SubFactory(UserFactory)


class PayrollLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayrollLine

    run = factory.SubFactory(PayrollRunFactory)
    person = factory.SubFactory(PersonFactory)
    category = "disabled_soldier"
    amount = Decimal("2150.00")
    change = PayrollLine.Change.NEW
    reason = "新增优抚对象"


class HardshipAidFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HardshipAid

    person = factory.SubFactory(PersonFactory)
    township = factory.SelfAttribute("person.township")
    kind = HardshipAid.Kind.LIVING
    applied_on = datetime.date(2021, 3, 1)
    reason = "家庭成员重病，生活困难。"
    amount_requested = Decimal("5000.00")
    review_status = ReviewStatus.APPROVED


class ConscriptBenefitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConscriptBenefit

    family = factory.SubFactory(PersonFactory, status="family")
    township = factory.SelfAttribute("family.township")
    conscript_name = factory.Sequence(lambda n: f"义务兵{n}")
    enlistment_year = 2020
    benefit_year = 2021
    amount = Decimal("26800.00")
    review_status = ReviewStatus.APPROVED


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    person = factory.SubFactory(PersonFactory)
    township = factory.SelfAttribute("person.township")
    kind = Problem.Kind.LIVING
    description = "冬季取暖困难。"
    source = Problem.Source.PHONE
    reported_on = datetime.date(2021, 1, 20)
    review_status = ReviewStatus.APPROVED


class OralHistoryInterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OralHistoryInterview

    person = factory.SubFactory(PersonFactory)
    township = factory.SelfAttribute("person.township")
    interviewed_on = factory.Sequence(lambda n: datetime.date(2021, 4, 1) + datetime.timedelta(days=n % 200))
    interviewer = "区融媒体中心"
    duration_minutes = 45
    consent_recorded = True
    review_status = ReviewStatus.APPROVED


class OralHistoryExhibitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OralHistoryExhibition

    title = factory.Sequence(lambda n: f"红色记忆展陈宣讲{n}")
    start_date = datetime.date(2021, 6, 20)
    venue_kind = OralHistoryExhibition.Venue.SCHOOL
    headcount = 300
    review_status = ReviewStatus.APPROVED


class VisitRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitRound
        django_get_or_create = ["title"]

    class Params:
        year = factory.Sequence(lambda n: 2021 + n)

    title = factory.LazyAttribute(lambda o: f"{o.year}年元旦春节走访慰问")
    occasion = "spring_festival"
    starts_on = factory.LazyAttribute(lambda o: datetime.date(o.year - 1, 12, 1))
    ends_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 2, 28))
    categories = factory.LazyFunction(lambda: ["disabled_soldier", "martyr_family"])
