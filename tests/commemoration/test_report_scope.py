"""
Section (五) by scope, on one constructed district built once for the module: 甲镇 and 乙镇 with five
facilities, the district's 400万元 project and 乙镇's own 50万元 one, the online campaign's 7 tributes,
the district's Martyrs' Day ceremony (320) and 甲镇's own (80), the winners and the martyrs' children
of each township.

A township report states its own figures in its own name, leaves out the district's work (the
protection centre, the online memorial, a project or ceremony not its own) and never says 全区; every
figure that counts or sums rows opens exactly those rows; no item repeats a phrase of 6 characters.
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models, transaction
from django.db.models import Sum

from bureau.areas import area_configs
from bureau.models import CheckUpBatch, Person
from commemoration.models import MemorialFacility, ProtectionLevel, Tribute
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
from tests.factories import (
    CheckUpBatchFactory,
    CheckUpFactory,
    PaymentProgrammeFactory,
    PersonFactory,
    TownshipFactory,
    VisitFactory,
)
from tests.report_checks import repeats

pytestmark = pytest.mark.django_db

D = datetime.date
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
GUIDE = "引导社会各界传承和弘扬英烈精神，营造学习英烈、缅怀英烈、致敬英烈、守护英烈的良好社会风尚。"
PRIDE = "汇聚退役军人正能量，进一步提升退役军人荣誉感、尊崇感和幸福感。"
CARE = "为切实关心关爱烈属，为烈属办实事，进一步增强烈士亲属的荣誉感和获得感，"
MOURN = "深情缅怀革命先烈的丰功伟绩和崇高精神，表达无限敬仰之情。"


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        jia = TownshipFactory(code="JIA", name="甲镇")
        yi = TownshipFactory(code="YI", name="乙镇")
        # 一 Five facilities: one in 甲镇, four in 乙镇.
        tower = MemorialFacilityFactory(name="革命纪念塔", township=jia)
        square = MemorialFacilityFactory(name="纪念广场", kind=MemorialFacility.Kind.SQUARE, township=yi)
        park = MemorialFacilityFactory(name="区革命纪念公园", protection_level=ProtectionLevel.MUNICIPAL, township=yi)
        MemorialFacilityFactory(name="抗洪烈士纪念碑", township=yi)
        MemorialFacilityFactory(name="烈士零散墓", protection_level=ProtectionLevel.UNRATED, township=yi)
        # 二 The district's project (no township) and 乙镇's own.
        UpgradeProjectFactory(planned_investment=Decimal("4000000"), facilities=[tower, square])
        UpgradeProjectFactory(planned_investment=Decimal("500000"), facilities=[square], township=yi)
        # 三 Martyrs' children: one of 甲镇, two of 乙镇, each checked and visited with 1000元.
        batch = CheckUpBatchFactory(population=CheckUpBatch.Population.MARTYR_CHILDREN)
        programme = PaymentProgrammeFactory()
        for n, township in enumerate([jia, yi, yi], start=1):
            child = PersonFactory(township=township)
            CheckUpFactory(batch=batch, person=child)
            VisitFactory(
                area="commemoration",
                occasion="qingming",
                person=child,
                visited_on=D(2021, 4, n),
                amount=Decimal("1000"),
                programme=programme,
            )
        # 四 The campaign: 5 flowers and 2 approved messages (a third waits), 300 visits.
        MemorialCampaignFactory()
        martyr = MartyrFactory()
        during = datetime.datetime(2021, 4, 4, 10, 0, tzinfo=TZ)
        TributeFactory.create_batch(5, martyr=martyr, created_at=during)
        MessageFactory.create_batch(2, martyr=martyr, created_at=during, moderation=Tribute.Moderation.APPROVED)
        MessageFactory(martyr=martyr, created_at=during)
        MemorialDailyVisitsFactory(day=D(2021, 4, 4), visits=300)
        # 五 Winners: 甲镇 3 veterans and 1 spouse, 乙镇 7 and 4.
        veterans = HonourSelectionFactory(title="最美退役军人", edition=2, year=2021)
        spouses = HonourSelectionFactory(title="最美军嫂", edition=2, year=2021)
        for township, names, selection in [
            (jia, ["高文", "甲二", "甲三"], veterans),
            (yi, [f"乙{n}" for n in range(7)], veterans),
            (jia, ["冯莉婷"], spouses),
            (yi, [f"乙嫂{n}" for n in range(4)], spouses),
        ]:
            for name in names:
                person = PersonFactory(name=name, township=township)
                NomineeFactory(selection=selection, person=person, rank=names.index(name) + 1)
        # 六 The district's ceremony (320) on the 29th, 甲镇's own (80, no units named) on the 30th.
        CeremonyFactory(start_date=D(2021, 9, 29), facility=park, venue="区革命纪念公园", headcount=320)
        CeremonyFactory(start_date=D(2021, 9, 30), venue="甲镇烈士陵园", headcount=80, township=jia)
        yield {"jia": jia, "yi": yi}
        transaction.set_rollback(True)


@pytest.fixture
def commemoration_only(settings):
    settings.REPORT_SECTIONS = ["commemoration.report.section"]


def texts(township=None) -> dict[str, str]:
    """The section's items as printed, without their numbers (一是…)."""
    document = compose_report(year=2021, township=township, with_previous=False)
    items = [item for rendered in document.sections for item in rendered.items]
    assert not [gap for gap in document.gaps if gap.area == "褒扬纪念"]
    return {item.item.key.split(".")[1]: item.text.removeprefix(item.label) for item in items}


def test_the_district_report_states_the_district(district, commemoration_only):
    assert texts() == {
        "facilities": "建立健全机构，提升保护管理能力。成立区烈士纪念设施保护中心，将全区5处纪念设施统一归口管理"
        "（市级1处、区级3处、未定级1处），承担设施保护以及烈士事迹和遗物收集整理等职责，"
        "为长期有效做好保护管理工作提供了有力保障。",
        "upgrades": "积极参与评定，加大设施建设投入。为推动褒扬纪念工作不断深化，"
        "拟投资450万元对革命纪念塔及纪念广场进行提升改造，为申请省级烈士纪念设施做好准备。",
        "martyr_children": f"开展关爱烈士子女，感党恩送温暖活动。{CARE}为3名烈士子女提供了免费健康体检，"
        "按每户1000元的标准，走访慰问3户烈士子女，共发放慰问金3000元。",
        "qingming": "精心组织“致敬·2021清明祭英烈”活动。向全区发起了网上文明绿色祭扫的倡议书，精心制作了H5祭扫平台，"
        f"300人次访问，网友献花和留下寄语7条，{GUIDE}",
        "role_models": "积极选树优秀典型。开展第二届“最美退役军人”“最美军嫂”评选活动，"
        f"评选出高文等10人、冯莉婷等5人，{PRIDE}",
        # The district's own ceremony, though 甲镇's came a day later.
        "ceremony": "隆重举行公祭活动。在全国第八个烈士纪念日来临之际，区四套班子领导、区委各部门、区直各单位及其他代表"
        f"共计320余人在区革命纪念公园举行公祭活动，{MOURN}",
    }


def test_a_township_report_states_only_the_township_in_its_name(district, commemoration_only):
    jia = texts(district["jia"])
    assert jia == {
        "martyr_children": f"开展关爱烈士子女，感党恩送温暖活动。{CARE}为甲镇1名烈士子女提供了免费健康体检，"
        "按每户1000元的标准，走访慰问1户烈士子女，共发放慰问金1000元。",
        "role_models": f"积极选树优秀典型。在第二届“最美退役军人”“最美军嫂”评选活动中，甲镇的高文等3人、冯莉婷分别当选，{PRIDE}",
        "ceremony": "隆重举行公祭活动。在全国第八个烈士纪念日来临之际，甲镇干部群众代表共计80余人在甲镇烈士陵园举行公祭活动，"
        f"{MOURN}",
    }
    text = "".join(jia.values())
    # None of the district's figures: 5 facilities, 450万元, 7 tributes, 300 visits, 10 and 5 winners, 320.
    for district_figure in ["全区", "5处", "万元", "7条", "300人次", "10人", "5人", "320"]:
        assert district_figure not in text

    # 乙镇 has a project of its own and no ceremony: its 50万元, and no 公祭 item.
    yi = texts(district["yi"])
    assert list(yi) == ["upgrades", "martyr_children", "role_models"]
    assert yi["upgrades"] == (
        "积极参与评定，加大设施建设投入。为推动褒扬纪念工作不断深化，"
        "拟投资50万元对纪念广场进行提升改造，为申请省级烈士纪念设施做好准备。"
    )
    assert "为乙镇两名烈士子女提供了免费健康体检" in yi["martyr_children"]
    assert "乙镇的乙0等7人、乙嫂0等4人分别当选" in yi["role_models"]
    assert "全区" not in "".join(yi.values())


def test_no_item_repeats_a_phrase_of_6_characters(district, commemoration_only):
    for township in [None, district["jia"], district["yi"]]:
        for key, text in texts(township).items():
            body = text.split("。", 1)[1]
            assert repeats(body) == set(), (township, key)


def test_every_figure_with_records_opens_exactly_the_rows_it_counts(district):
    checked = 0
    for township in [None, district["jia"], district["yi"]]:
        for item in section(year=2021, township=township).items:
            for figure in item.figures:
                if figure.records is None:
                    continue
                if figure.unit == "元":
                    assert figure.records.aggregate(total=Sum("amount"))["total"] == figure.value, figure.key
                else:
                    assert figure.records.count() == figure.value, (township, figure.key)
                checked += 1
    values = {f.key: f for item in section(year=2021).items for f in item.figures}
    assert {
        key: values[key].value for key in ["facilities", "tributes", "children_checked", "total", "investment"]
    } == {
        "facilities": 5,
        "tributes": 7,
        "children_checked": 3,
        "total": Decimal("3000"),
        "investment": Decimal("4500000"),
    }
    # Person counts open persons: the drill-down lists names.
    for key in ["children_checked", "households", "veterans", "spouses"]:
        assert values[key].records.model is Person, key
    assert sorted(values["spouses"].records.values_list("name", flat=True)) == [
        "乙嫂0",
        "乙嫂1",
        "乙嫂2",
        "乙嫂3",
        "冯莉婷",
    ]
    # 12 in the district's section; 甲镇 has no project (2 fewer), 乙镇 no ceremony (1 fewer).
    assert checked == 12 + 10 + 11
    headlines = [f.key for f in values.values() if f.headline]
    assert headlines == ["facilities", "tributes", "attendees"]


def test_the_activity_dates_are_date_fields_of_the_area():
    [config] = [c for c in area_configs() if c.label == "commemoration"]
    assert config.activity_dates
    for declared in config.activity_dates:
        app_label, model_name, field = declared.split(".")
        assert app_label == "commemoration"
        assert isinstance(apps.get_model(app_label, model_name)._meta.get_field(field), models.DateField)
