import datetime
from decimal import Decimal

import factory

from bureau.models import Person
from resettlement.models import (
    InsuranceContinuation,
    PlacementBatch,
    PlacementCandidate,
    PlacementDeferral,
    PlacementPosition,
    PlacementSelection,
    ScoreAdjustment,
    ScoringRule,
    SubsidyLine,
    SubsidyRun,
    SubsidyStandard,
)
from tests.factories import PersonFactory, UserFactory


class NcoFactory(PersonFactory):
    """
    An NCO discharged in 2021 to a government-arranged job, whose registry dates give `years` whole
    years of service (enlisted on 1 March, discharged on 1 September): eligible for placement.
    """

    class Params:
        years = 12

    rank = "四级军士长"
    discharge_route = Person.DischargeRoute.ARRANGED_JOB
    discharged_on = datetime.date(2021, 9, 1)
    enlisted_on = factory.LazyAttribute(lambda o: datetime.date(o.discharged_on.year - o.years, 3, 1))


class SubsidyStandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubsidyStandard
        django_get_or_create = ["year"]

    year = factory.Sequence(lambda n: 2000 + n % 100)
    base_amount = Decimal("8000.00")
    per_year_amount = Decimal("4500.00")


class SubsidyRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubsidyRun

    cohort_year = factory.Sequence(lambda n: 2000 + n % 100)
    base_amount = Decimal("8000.00")
    per_year_amount = Decimal("4500.00")
    calculated_by = factory.SubFactory(UserFactory)


class SubsidyLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubsidyLine

    run = factory.SubFactory(SubsidyRunFactory)
    person = factory.SubFactory(PersonFactory)
    enlisted_on = datetime.date(2016, 9, 1)
    discharged_on = datetime.date(2021, 9, 1)
    years_served = 5
    amount = Decimal("30500.00")


class InsuranceContinuationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsuranceContinuation

    person = factory.SubFactory(PersonFactory)
    township = factory.SelfAttribute("person.township")
    kind = InsuranceContinuation.Kind.PENSION
    handled_on = factory.Sequence(lambda n: datetime.date(2021, 1, 1) + datetime.timedelta(days=n % 365))
    months = 12
    personal_share = Decimal("1200.00")
    fiscal_share = Decimal("3600.00")
    state = InsuranceContinuation.State.PAID
    review_status = "approved"


class ScoringRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringRule

    name = "退役士兵安置量化评分办法"
    published_on = datetime.date(2021, 5, 1)


class PlacementBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlacementBatch

    year = 2021
    title = factory.Sequence(lambda n: f"退役士兵安排工作公开选岗（第{n}批）")
    rule = factory.SubFactory(ScoringRuleFactory)
    session_on = datetime.date(2021, 11, 20)
    venue = "区退役军人服务中心"


class PlacementPositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlacementPosition

    batch = factory.SubFactory(PlacementBatchFactory)
    department = factory.Sequence(lambda n: f"区第{n}部门")
    institution = factory.Sequence(lambda n: f"区第{n}事业服务中心")
    fully_funded = True
    title = "综合管理岗"
    posts = 1


class PlacementCandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlacementCandidate

    batch = factory.SubFactory(PlacementBatchFactory)
    person = factory.SubFactory(NcoFactory)
    eligibility = PlacementCandidate.Eligibility.TWELVE_YEARS


class ScoreAdjustmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoreAdjustment

    candidate = factory.SubFactory(PlacementCandidateFactory)
    points = Decimal("1.00")
    reason = "补报优秀士官荣誉"


class PlacementDeferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlacementDeferral

    candidate = factory.SubFactory(PlacementCandidateFactory)
    deferred_by = factory.SubFactory(UserFactory)


class PlacementSelectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlacementSelection

    candidate = factory.SubFactory(PlacementCandidateFactory)
    position = factory.SubFactory(PlacementPositionFactory, batch=factory.SelfAttribute("..candidate.batch"))
    confirmed_by = factory.SubFactory(UserFactory)
    signed = True
