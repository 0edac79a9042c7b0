"""factory_boy factories for the employment models (and the core Enterprise they point at)."""

import datetime

import factory
from stdnum.cn import uscc

from bureau.models import Enterprise, Person, ReviewStatus
from employment.models import (
    EmploymentIntention,
    EmploymentOutcome,
    FairAttendance,
    FairParticipation,
    JobFair,
    JobPosting,
    ParkTenancy,
    PublicityEvent,
    RoleModel,
    StartupPark,
    Trainee,
    TrainingClass,
    TrainingTopic,
)
from tests.factories import PersonFactory, TownshipFactory


def make_credit_code(n: int, *, prefix: str = "91320102") -> str:
    """A valid 18-character unified social credit code (GB 32100 check character) numbered `n`."""
    body = f"{prefix}{n:09d}"[:17]
    return body + uscc.calc_check_digit(body)


class VeteranFactory(PersonFactory):
    """A discharged veteran: may attend adaptive training."""

    status = Person.Status.VETERAN
    discharged_on = datetime.date(2021, 3, 1)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        django_get_or_create = ["credit_code"]

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    credit_code = factory.Sequence(make_credit_code)
    sector = "电子元件"
    township = factory.SubFactory(TownshipFactory)


class StartupParkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StartupPark

    name = factory.Sequence(lambda n: f"退役军人创业园{n}")
    location = "经济开发区"
    planned_enterprises = 8
    jobs_planned = 200
    township = factory.SubFactory(TownshipFactory)
    review_status = ReviewStatus.APPROVED


class ParkTenancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParkTenancy

    park = factory.SubFactory(StartupParkFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    moved_in_on = datetime.date(2021, 3, 1)


class JobFairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobFair

    title = factory.Sequence(lambda n: f"退役军人专场招聘会{n}")
    start_date = datetime.date(2021, 2, 28)
    venue = "区人力资源市场"
    township = None
    review_status = ReviewStatus.APPROVED


class FairParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FairParticipation

    fair = factory.SubFactory(JobFairFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    positions = 10


class FairAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FairAttendance

    fair = factory.SubFactory(JobFairFactory)
    person = factory.SubFactory(VeteranFactory)
    township = factory.LazyAttribute(lambda o: o.person.township)
    review_status = ReviewStatus.APPROVED


class EmploymentIntentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmploymentIntention

    person = factory.SubFactory(VeteranFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    fair = factory.SubFactory(JobFairFactory)
    agreed_on = factory.LazyAttribute(lambda o: o.fair.start_date if o.fair else datetime.date(2021, 2, 28))


class TrainingClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingClass

    title = factory.Sequence(lambda n: f"退役军人适应性培训班{n}")
    start_date = datetime.date(2021, 11, 8)
    end_date = datetime.date(2021, 11, 10)
    venue = "区委党校"
    topics = factory.LazyFunction(lambda: [TrainingTopic.POLITICAL_EDUCATION, TrainingTopic.EMPLOYMENT_GUIDANCE])
    township = None
    review_status = ReviewStatus.APPROVED


class TraineeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trainee

    training_class = factory.SubFactory(TrainingClassFactory)
    person = factory.SubFactory(VeteranFactory)
    days_attended = 3


class JobPostingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobPosting

    enterprise = factory.SubFactory(EnterpriseFactory)
    positions = "操作工、质检员"
    position_count = 20
    channel = "区融媒体中心公众号"
    published_on = datetime.date(2021, 4, 1)
    township = factory.LazyAttribute(lambda o: o.enterprise.township)
    review_status = ReviewStatus.APPROVED


class RoleModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleModel

    person = factory.SubFactory(VeteranFactory)
    year = 2021
    story = "退役后返乡创业，带动多名退役军人就业。"
    township = factory.LazyAttribute(lambda o: o.person.township)
    review_status = ReviewStatus.APPROVED


class PublicityEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicityEvent

    title = factory.Sequence(lambda n: f"创业典型事迹宣讲会{n}")
    kind = PublicityEvent.Kind.STORY_TALK
    start_date = datetime.date(2021, 8, 1)
    headcount = 120
    township = None
    review_status = ReviewStatus.APPROVED


class EmploymentOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmploymentOutcome

    person = factory.SubFactory(VeteranFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    started_on = datetime.date(2021, 3, 15)
    channel = EmploymentOutcome.Channel.JOB_FAIR
    township = factory.LazyAttribute(lambda o: o.person.township)
    review_status = ReviewStatus.APPROVED
