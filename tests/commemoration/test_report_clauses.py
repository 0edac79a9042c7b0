"""
No clause of section (五) states a zero or leaves a dangling comma: a campaign without tributes or visits,
check-ups without visits, visits without money, a selection with one winner of one title.
"""

import datetime
from decimal import Decimal

import pytest

from bureau.models import CheckUpBatch
from reports.compose import compose_report
from tests.commemoration.factories import (
    HonourSelectionFactory,
    MemorialCampaignFactory,
    MemorialDailyVisitsFactory,
    MemorialFacilityFactory,
    NomineeFactory,
    TributeFactory,
    UpgradeProjectFactory,
)
from tests.factories import CheckUpBatchFactory, CheckUpFactory, PersonFactory, VisitFactory

pytestmark = pytest.mark.django_db

D = datetime.date
GUIDE = "引导社会各界传承和弘扬英烈精神，营造学习英烈、缅怀英烈、致敬英烈、守护英烈的良好社会风尚。"
CARE = "为切实关心关爱烈属，为烈属办实事，进一步增强烈士亲属的荣誉感和获得感，"


@pytest.fixture(autouse=True)
def commemoration_only(settings):
    settings.REPORT_SECTIONS = ["commemoration.report.section"]


def item_text(key: str) -> str:
    [rendered] = compose_report(year=2021, with_previous=False).sections
    item = {i.item.key: i for i in rendered.items}[key]
    return item.text.removeprefix(item.label)


def test_a_campaign_without_tributes_or_visits_leaves_both_clauses_out():
    MemorialCampaignFactory()
    TributeFactory(created_at=datetime.datetime(2021, 5, 1, 10, 0, tzinfo=datetime.UTC))  # after the campaign
    MemorialDailyVisitsFactory(day=D(2021, 5, 1), visits=40)
    assert item_text("commemoration.qingming") == (
        f"精心组织“致敬·2021清明祭英烈”活动。向全区发起了网上文明绿色祭扫的倡议书，精心制作了H5祭扫平台，{GUIDE}"
    )


def test_visits_without_tributes_state_the_visits_only():
    MemorialCampaignFactory()
    MemorialDailyVisitsFactory(day=D(2021, 4, 4), visits=35)
    assert item_text("commemoration.qingming") == (
        "精心组织“致敬·2021清明祭英烈”活动。向全区发起了网上文明绿色祭扫的倡议书，精心制作了H5祭扫平台，"
        f"35人次访问，{GUIDE}"
    )


def test_check_ups_without_visits_end_the_sentence_there():
    batch = CheckUpBatchFactory(population=CheckUpBatch.Population.MARTYR_CHILDREN)
    CheckUpFactory.create_batch(2, batch=batch)
    assert item_text("commemoration.martyr_children") == (
        f"开展关爱烈士子女，感党恩送温暖活动。{CARE}为两名烈士子女提供了免费健康体检。"
    )


def test_visits_without_money_state_no_standard_nor_total():
    batch = CheckUpBatchFactory(population=CheckUpBatch.Population.MARTYR_CHILDREN)
    children = PersonFactory.create_batch(3)
    for child in children:
        CheckUpFactory(batch=batch, person=child)
        VisitFactory(area="commemoration", occasion="qingming", person=child, visited_on=D(2021, 4, 2), amount=None)
    assert item_text("commemoration.martyr_children") == (
        f"开展关爱烈士子女，感党恩送温暖活动。{CARE}为3名烈士子女提供了免费健康体检，走访慰问3户烈士子女。"
    )


def test_one_winner_of_one_title_is_named_without_a_count():
    veterans = HonourSelectionFactory(title="最美退役军人", edition=3, year=2021)
    NomineeFactory(selection=veterans, person=PersonFactory(name="高文"), rank=1)
    assert item_text("commemoration.role_models") == (
        "积极选树优秀典型。开展第三届“最美退役军人”评选活动，评选出高文，"
        "汇聚退役军人正能量，进一步提升退役军人荣誉感、尊崇感和幸福感。"
    )


def test_an_upgrade_without_planned_investment_is_a_gap_not_zero():
    UpgradeProjectFactory(planned_investment=Decimal("0"), facilities=[MemorialFacilityFactory()])
    document = compose_report(year=2021, with_previous=False)
    # Only the facility's item is stated, never 「拟投资0元」.
    assert [i.item.key for s in document.sections for i in s.items] == ["commemoration.facilities"]
    upgrade_gaps = [g.figure for g in document.gaps if g.item == "积极参与评定，加大设施建设投入"]
    assert upgrade_gaps == ["计划投资"]
