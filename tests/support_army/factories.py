import datetime
from decimal import Decimal

import factory

from bureau.models import Person, ReviewStatus
from support_army.models import (
    AllianceMember,
    ArmyDayGala,
    DutyShift,
    GalaProgramme,
    HomecomingRegistration,
    HomecomingStep,
    HomecomingStepCompletion,
    JointActivity,
    MatchmakingEvent,
    MeritNotice,
    MeritNoticeBatch,
    ReceptionPoint,
    TroopRequest,
)
from tests.employment.factories import EnterpriseFactory
from tests.factories import FamilyLinkFactory, MeritFactory, PersonFactory, TownshipFactory, UserFactory


class SoldierFactory(PersonFactory):
    """An active-duty soldier registered in the district."""

    status = Person.Status.ACTIVE_DUTY
    discharged_on = None


class MeritNoticeBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeritNoticeBatch

    township = factory.SubFactory(TownshipFactory)
    delivered_on = datetime.date(2021, 2, 4)
    delivered_by = "区退役军人事务局"
    station_staff = "服务站站长"
    armed_forces_staff = "区人武部干事"
    review_status = ReviewStatus.APPROVED


class MeritNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeritNotice

    soldier = factory.SubFactory(SoldierFactory)
    township = factory.SelfAttribute("soldier.township")
    merit = factory.SubFactory(MeritFactory, person=factory.SelfAttribute("..soldier"), year=2020)
    recipient = factory.LazyAttribute(
        lambda o: FamilyLinkFactory(person=o.soldier, relative__township=o.soldier.township).relative
    )
    unit = "某部"
    review_status = ReviewStatus.APPROVED


class ReceptionPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReceptionPoint

    name = factory.Sequence(lambda n: f"退役军人报到点{n}")
    address = "火车站出站口"
    opens_on = datetime.date(2021, 9, 1)
    closes_on = datetime.date(2021, 9, 30)
    township = None
    review_status = ReviewStatus.APPROVED


class DutyShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyShift

    point = factory.SubFactory(ReceptionPointFactory)
    date = factory.Sequence(lambda n: datetime.date(2021, 9, 1) + datetime.timedelta(days=n % 30))
    staff = "王值班、李值班"


class HomecomingStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HomecomingStep
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"报到事项{n}")
    order = factory.Sequence(lambda n: 100 + n)


class HomecomingRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HomecomingRegistration

    person = factory.SubFactory(PersonFactory, discharged_on=datetime.date(2021, 9, 1))
    township = factory.SelfAttribute("person.township")
    received_on = datetime.date(2021, 9, 10)
    welcomed = True
    review_status = ReviewStatus.APPROVED


class HomecomingStepCompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HomecomingStepCompletion

    registration = factory.SubFactory(HomecomingRegistrationFactory)
    step = factory.SubFactory(HomecomingStepFactory)
    done_on = datetime.date(2021, 9, 12)
    done_by = factory.SubFactory(UserFactory)


class TroopRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TroopRequest

    unit = "驻区某部"
    request = "营区内树木影响战备通道，需修剪。"
    received_on = datetime.date(2021, 4, 1)
    departments = "城管、供电"
    teams_sent = 3
    actions = "派出3支专业作业队伍修剪树木。"
    status = TroopRequest.Status.RESOLVED
    resolved_on = datetime.date(2021, 4, 10)
    summary = "派出3支专业作业队伍修剪战备通道和营区内的树木，排除安全隐患"
    township = None
    review_status = ReviewStatus.APPROVED


class JointActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JointActivity

    title = factory.Sequence(lambda n: f"军地联合植树{n}")
    kind = JointActivity.Kind.TREE_PLANTING
    start_date = datetime.date(2021, 3, 12)
    units = "驻区某部、区退役军人事务局"
    headcount = 80
    cost = Decimal("3000.00")
    township = None
    review_status = ReviewStatus.APPROVED


class MatchmakingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchmakingEvent

    title = "2021年军地线上相亲联谊会"
    theme = "百里挑一、情定军旅"
    start_date = datetime.date(2021, 5, 20)
    partner_unit = "中国人民解放军某部队"
    women = 30
    soldiers = 30
    duration_hours = Decimal("3")
    online_views = 35000
    couples = 8
    township = None
    review_status = ReviewStatus.APPROVED


class ArmyDayGalaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArmyDayGala
        django_get_or_create = ["anniversary"]

    title = factory.LazyAttribute(lambda o: f"庆祝建军{o.anniversary}周年文艺晚会")
    anniversary = factory.Sequence(lambda n: 94 + n)
    start_date = factory.LazyAttribute(lambda o: datetime.date(1927 + o.anniversary, 7, 30))
    venue = "区文化中心"
    headcount = 800
    online_views = 50000
    township = None
    review_status = ReviewStatus.APPROVED


class GalaProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GalaProgramme

    gala = factory.SubFactory(ArmyDayGalaFactory)
    order = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"节目{n}")
    kind = "合唱"


class AllianceMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AllianceMember

    enterprise = factory.SubFactory(EnterpriseFactory)
    batch_number = 5
    joined_on = datetime.date(2021, 7, 15)
    offer = "现役军人家属、退役军人凭证消费享受九折优惠。"
    address = "人民路1号"
    service_phone = "0571-88888888"
