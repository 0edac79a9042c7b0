import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from bureau.models import Person, ReviewStatus
from commemoration.models import (
    Ceremony,
    DailyFlower,
    FacilityInspection,
    HonourSelection,
    Martyr,
    MartyrRelic,
    MemorialCampaign,
    MemorialDailyVisits,
    MemorialFacility,
    Nominee,
    ProtectionLevel,
    Tribute,
    UpgradeProject,
)
from tests.factories import PersonFactory, TownshipFactory


class FallenFactory(PersonFactory):
    """A deceased person: the martyr's Person."""

    status = Person.Status.DECEASED
    died_on = datetime.date(1998, 8, 15)


class MemorialFacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemorialFacility

    name = factory.Sequence(lambda n: f"革命纪念塔{n}")
    kind = MemorialFacility.Kind.TOWER
    protection_level = ProtectionLevel.DISTRICT
    address = "区革命纪念公园内"
    latitude = Decimal("28.680000")
    longitude = Decimal("115.850000")
    township = factory.SubFactory(TownshipFactory)
    review_status = ReviewStatus.APPROVED


class FacilityInspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FacilityInspection

    facility = factory.SubFactory(MemorialFacilityFactory)
    township = factory.SelfAttribute("facility.township")
    inspected_on = datetime.date(2021, 3, 20)
    inspector = "保护中心巡查员"
    findings = "碑体局部苔藓。"
    follow_up = "已清理。"
    review_status = ReviewStatus.APPROVED


class UpgradeProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UpgradeProject

    title = factory.Sequence(lambda n: f"革命纪念塔提升改造工程{n}")
    planned_investment = Decimal("4000000.00")
    funding_source = "区财政"
    target_level = ProtectionLevel.PROVINCIAL
    planned_on = datetime.date(2021, 5, 1)
    township = None
    review_status = ReviewStatus.APPROVED

    @factory.post_generation
    def facilities(self, create, extracted, **kwargs):
        if create and extracted:
            self.facilities.set(extracted)


class MartyrFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Martyr

    person = factory.SubFactory(FallenFactory)
    sacrificed_on = datetime.date(1998, 8, 15)
    sacrifice_place = "九江抗洪大堤"
    unit = "某部一营"
    deeds = "在抗洪抢险中奋不顾身，英勇牺牲。"
    recognised_on = datetime.date(1998, 10, 1)
    recognition_document = "民烈字〔1998〕12号"
    publication_consent = True


class MartyrRelicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MartyrRelic

    martyr = factory.SubFactory(MartyrFactory)
    kind = MartyrRelic.Kind.STORY
    title = "战友回忆"
    collected_on = datetime.date(2021, 4, 1)


class HonourSelectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HonourSelection
        django_get_or_create = ("title", "edition")

    title = "最美退役军人"
    edition = factory.Sequence(lambda n: n + 1)
    year = 2021


class NomineeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nominee

    selection = factory.SubFactory(HonourSelectionFactory)
    person = factory.SubFactory(PersonFactory)
    township = factory.SelfAttribute("person.township")
    deeds = "退役不褪色，带领村民致富。"
    result = Nominee.Result.WINNER
    review_status = ReviewStatus.APPROVED


class CeremonyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ceremony

    title = "烈士纪念日公祭活动"
    occasion = Ceremony.Occasion.MARTYRS_DAY
    start_date = datetime.date(2021, 9, 30)
    venue = "区革命纪念公园"
    headcount = 300
    township = None
    review_status = ReviewStatus.APPROVED


class MemorialCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemorialCampaign

    title = "致敬·2021清明祭英烈"
    starts_on = datetime.date(2021, 3, 25)
    ends_on = datetime.date(2021, 4, 10)
    featured = True


class TributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tribute

    martyr = factory.SubFactory(MartyrFactory)
    kind = Tribute.Kind.FLOWER
    moderation = Tribute.Moderation.APPROVED
    created_at = factory.LazyFunction(timezone.now)


class MessageFactory(TributeFactory):
    kind = Tribute.Kind.MESSAGE
    message = "英雄不朽，浩气长存！"
    moderation = Tribute.Moderation.PENDING


class MemorialDailyVisitsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemorialDailyVisits
        django_get_or_create = ("day",)

    day = factory.Sequence(lambda n: datetime.date(2021, 4, 4) + datetime.timedelta(days=n))
    visits = 100


class DailyFlowerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DailyFlower

    visitor = factory.Sequence(lambda n: f"visitor-{n}")
    martyr = factory.SubFactory(MartyrFactory)
    day = datetime.date(2021, 4, 4)
