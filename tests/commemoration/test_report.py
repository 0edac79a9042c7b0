"""
Section (五) 褒扬纪念工作重点突出, from approved records of the year: the 400万元 upgrade project, the
second 最美退役军人 / 最美军嫂 selection, the 8th Martyrs' Day ceremony, the facilities under the
protection centre, the martyrs' children cared for and the Qingming campaign's tributes.
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from bureau.models import CheckUpBatch, ReviewStatus
from commemoration.models import Ceremony, MemorialFacility, Nominee, ProtectionLevel, Tribute
from commemoration.report import section
from reports.compose import compose_report
from tests.commemoration.factories import (
    CeremonyFactory,
    HonourSelectionFactory,
    MartyrFactory,
    MemorialCampaignFactory,
    MemorialDailyVisitsFactory,
    MemorialFacilityFactory,
    MessageFactory,
    NomineeFactory,
    TributeFactory,
    UpgradeProjectFactory,
)
from tests.factories import CheckUpBatchFactory, CheckUpFactory, PaymentProgrammeFactory, PersonFactory, VisitFactory

D = datetime.date
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def commemoration_only(settings):
    settings.REPORT_SECTIONS = ["commemoration.report.section"]


def figures(year=2021, township=None) -> dict:
    return {f.key: f.value for item in section(year=year, township=township).items for f in item.figures}


def item_text(key: str, year=2021, township=None) -> str:
    [rendered] = compose_report(year=year, township=township).sections
    item = {i.item.key: i for i in rendered.items}[key]
    return item.text.removeprefix(item.label)


# -- 二 设施建设投入 ------------------------------------------------------------------------------


def test_an_upgrade_project_of_4_000_000_yuan_states_400_wan(db, commemoration_only):
    tower = MemorialFacilityFactory(name="革命纪念塔", kind=MemorialFacility.Kind.TOWER)
    square = MemorialFacilityFactory(name="纪念广场", kind=MemorialFacility.Kind.SQUARE)
    UpgradeProjectFactory(
        planned_investment=Decimal("4000000"), target_level=ProtectionLevel.PROVINCIAL, facilities=[tower, square]
    )
    # Not counted: a project not approved, last year's.
    UpgradeProjectFactory(facilities=[tower], review_status=ReviewStatus.SUBMITTED)
    UpgradeProjectFactory(facilities=[tower], planned_on=D(2020, 6, 1))
    values = figures()
    assert values["projects"] == 1
    assert values["investment"] == Decimal("4000000")
    assert item_text("commemoration.upgrades") == (
        "积极参与评定，加大设施建设投入。为推动褒扬纪念工作不断深化，"
        "拟投资400万元对革命纪念塔及纪念广场进行提升改造，为申请省级烈士纪念设施做好准备。"
    )


# -- 五 选树典型 ----------------------------------------------------------------------------------


def test_the_second_edition_with_10_veterans_and_5_spouses(db, commemoration_only):
    veterans = HonourSelectionFactory(title="最美退役军人", edition=2, year=2021)
    spouses = HonourSelectionFactory(title="最美军嫂", edition=2, year=2021)
    for rank in range(10, 0, -1):  # entered in reverse: the published order decides the first
        NomineeFactory(selection=veterans, person=PersonFactory(name=f"退役军人{rank}"), rank=rank)
    for rank in range(1, 6):
        NomineeFactory(selection=spouses, person=PersonFactory(name=f"军嫂{rank}"), rank=rank)
    # Not counted: nominees not selected, pending review, or not approved; the first edition.
    NomineeFactory(selection=veterans, result=Nominee.Result.NOT_SELECTED)
    NomineeFactory(selection=veterans, result=Nominee.Result.PENDING)
    NomineeFactory(selection=spouses, rank=6, review_status=ReviewStatus.SUBMITTED)
    first = HonourSelectionFactory(title="最美退役军人", edition=1, year=2021)
    NomineeFactory(selection=first, rank=1)
    values = figures()
    assert (values["edition"], values["veterans"], values["spouses"]) == (2, 10, 5)
    assert (values["first_veteran"], values["first_spouse"]) == ("退役军人1", "军嫂1")
    # Each title once, the winners in the titles' order (not 「…为第二届“最美退役军人”」 a second time).
    assert item_text("commemoration.role_models") == (
        "积极选树优秀典型。开展第二届“最美退役军人”“最美军嫂”评选活动，评选出退役军人1等10人、军嫂1等5人，"
        "汇聚退役军人正能量，进一步提升退役军人荣誉感、尊崇感和幸福感。"
    )


# -- 六 公祭活动 ----------------------------------------------------------------------------------


def test_the_martyrs_day_ceremony_of_2021_is_the_8th(db, commemoration_only):
    park = MemorialFacilityFactory(name="区革命纪念公园", kind=MemorialFacility.Kind.SQUARE)
    CeremonyFactory(start_date=D(2021, 9, 30), facility=park, headcount=320)
    CeremonyFactory(occasion=Ceremony.Occasion.QINGMING, start_date=D(2021, 4, 4), headcount=999)
    CeremonyFactory(start_date=D(2021, 9, 29), headcount=999, review_status=ReviewStatus.SUBMITTED)
    values = figures()
    assert (values["ordinal"], values["attendees"], values["venue"]) == (8, 320, "区革命纪念公园")
    assert item_text("commemoration.ceremony") == (
        "隆重举行公祭活动。在全国第八个烈士纪念日来临之际，区四套班子领导、区委各部门、区直各单位及其他代表"
        "共计320余人在区革命纪念公园举行公祭活动，深情缅怀革命先烈的丰功伟绩和崇高精神，表达无限敬仰之情。"
    )


def test_the_ordinal_counts_from_2014(db):
    assert CeremonyFactory(start_date=D(2014, 9, 30)).ordinal == 1
    assert CeremonyFactory(start_date=D(2026, 9, 30)).ordinal == 13
    assert CeremonyFactory(occasion=Ceremony.Occasion.QINGMING).ordinal is None


# -- 一 设施, 三 烈士子女, 四 清明祭英烈 ------------------------------------------------------------


def test_facilities_by_protection_level(db, commemoration_only):
    MemorialFacilityFactory(protection_level=ProtectionLevel.PROVINCIAL)
    for _ in range(3):
        MemorialFacilityFactory(protection_level=ProtectionLevel.DISTRICT)
    MemorialFacilityFactory(review_status=ReviewStatus.SUBMITTED)
    values = figures()
    assert (values["facilities"], values["by_level"]) == (4, ["省级1处", "区级3处"])
    # The unit's name says 烈士纪念设施 once; the sentence does not repeat it.
    assert item_text("commemoration.facilities") == (
        "建立健全机构，提升保护管理能力。成立区烈士纪念设施保护中心，将全区4处纪念设施统一归口管理（省级1处、区级3处），"
        "承担设施保护以及烈士事迹和遗物收集整理等职责，为长期有效做好保护管理工作提供了有力保障。"
    )


def test_martyr_children_checked_and_visited(db, commemoration_only):
    batch = CheckUpBatchFactory(population=CheckUpBatch.Population.MARTYR_CHILDREN, start_date=D(2021, 5, 10))
    children = [PersonFactory() for _ in range(3)]
    for child in children:
        CheckUpFactory(batch=batch, person=child)
    CheckUpFactory(person=PersonFactory())  # another population's round
    programme = PaymentProgrammeFactory()
    for day, child in enumerate(children[:2], start=1):
        VisitFactory(
            area="commemoration",
            occasion="qingming",
            person=child,
            visited_on=D(2021, 4, day),
            amount=Decimal("1000"),
            programme=programme,
        )
    VisitFactory(area="pensions", person=children[2], amount=None)
    values = figures()
    assert (values["children_checked"], values["households"], values["standard"], values["total"]) == (
        3,
        2,
        Decimal("1000"),
        Decimal("2000"),
    )
    assert item_text("commemoration.martyr_children") == (
        "开展关爱烈士子女，感党恩送温暖活动。为切实关心关爱烈属，为烈属办实事，进一步增强烈士亲属的荣誉感和获得感，"
        "为3名烈士子女提供了免费健康体检，按每户1000元的标准，走访慰问两户烈士子女，共发放慰问金2000元。"
    )


def test_the_campaign_counts_flowers_and_approved_messages_during_its_dates(db, commemoration_only):
    campaign = MemorialCampaignFactory(title="致敬·2021清明祭英烈", starts_on=D(2021, 3, 25), ends_on=D(2021, 4, 10))
    martyr = MartyrFactory()
    during = datetime.datetime(2021, 4, 4, 10, 0, tzinfo=TZ)
    TributeFactory.create_batch(5, martyr=martyr, created_at=during)
    MessageFactory(martyr=martyr, created_at=during, moderation=Tribute.Moderation.APPROVED)
    MessageFactory(martyr=martyr, created_at=during)  # waiting for moderation
    MessageFactory(martyr=martyr, created_at=during, moderation=Tribute.Moderation.REJECTED)
    TributeFactory(martyr=martyr, created_at=datetime.datetime(2021, 5, 1, 10, 0, tzinfo=TZ))
    MemorialDailyVisitsFactory(day=D(2021, 4, 4), visits=1200)
    MemorialDailyVisitsFactory(day=D(2021, 5, 4), visits=50)
    values = figures()
    assert (values["tributes"], values["visitors"]) == (6, 1200)
    [rendered] = compose_report(year=2021).sections
    item = {i.item.key: i for i in rendered.items}["commemoration.qingming"]
    assert item.text.removeprefix(item.label) == (
        f"精心组织“{campaign.title}”活动。向全区发起了网上文明绿色祭扫的倡议书，精心制作了H5祭扫平台，"
        "1200人次访问，网友献花和留下寄语6条，引导社会各界传承和弘扬英烈精神，"
        "营造学习英烈、缅怀英烈、致敬英烈、守护英烈的良好社会风尚。"
    )


def test_a_year_without_records_leaves_every_item_missing(db, commemoration_only):
    items = section(year=2021).items
    assert len(items) == 6
    assert not any(item.has_data for item in items)
