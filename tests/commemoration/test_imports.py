"""
Excel import of the commemoration records an office keeps in sheets, through the real admin pages
(the template, the import job's preview and confirm): the rows created exactly, a second file of
the same records updating them, a masked ID number refused with the kit's message, and a station's
nominees submitted without the bureau's decision.
"""

import datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.db import transaction
from django.urls import reverse

from bureau import roles
from bureau.importexport import PortalXLSX
from bureau.importexport.widgets import MASKED_ID_NUMBER
from bureau.models import ReviewStatus
from commemoration import resources
from commemoration.models import Ceremony, FacilityInspection, Martyr, MemorialFacility, Nominee
from tests.admin_imports import Case, imported, upload, xlsx_file
from tests.commemoration.factories import FallenFactory, HonourSelectionFactory, MemorialFacilityFactory
from tests.conftest import make_persona
from tests.factories import PersonFactory, TownshipFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date
MASKED_ID = "320102********1234"


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        jia = TownshipFactory(code="A01", name="甲镇", order=1)
        yi = TownshipFactory(code="B01", name="乙镇", order=2)
        MemorialFacilityFactory(name="革命纪念塔", township=jia)
        MemorialFacilityFactory(name="区革命纪念公园", township=yi)
        HonourSelectionFactory(title="最美退役军人", edition=2, year=2021)
        built = {
            "jia": jia,
            "yi": yi,
            "fallen": FallenFactory(name="赵烈", township=jia),
            "other_fallen": FallenFactory(name="钱烈", township=yi),
            "veteran": PersonFactory(name="孙典", township=jia),
            "other_veteran": PersonFactory(name="李典", township=yi),
            "clerk": make_persona("bureau_user"),
            "station": UserFactory(username="station_a", township=jia, groups=[roles.STATION_STAFF]),
        }
        yield built
        transaction.set_rollback(True)


# --- the types ---------------------------------------------------------------------------------------


def township_name(record):
    return record.township.name if record.township else ""


FACILITY_HEADERS = ["设施名称", "类型", "保护级别", "位置", "纬度", "经度", "管理单位", "设施状况", "乡镇（街道）"]
FACILITY_HEADERS += ["备注", "版本"]


def facility_rows(d):
    return [
        {
            "设施名称": "抗洪烈士纪念碑",
            "类型": "纪念碑",
            "保护级别": "区级",
            "位置": "江堤公园",
            "纬度": 28.68,
            "经度": "115.850000",
            "管理单位": "区烈士纪念设施保护中心",
            "乡镇（街道）": "甲镇",
        },
        {
            "设施名称": "烈士零散墓",
            "类型": "零散墓",
            "位置": "乙镇后山",
            "管理单位": "乙镇服务站",
            "乡镇（街道）": "乙镇",
        },
    ]


def facility_summary(f):
    return (f.name, f.kind, f.protection_level, f.latitude, f.longitude, f.managing_unit, f.condition, township_name(f))


def inspection_rows(d):
    return [
        {"纪念设施": "革命纪念塔", "巡查日期": "2021-04-02", "巡查人": "王五", "发现问题": "塔基瓷砖脱落"},
        {"纪念设施": "区革命纪念公园", "巡查日期": "2021年4月3日", "巡查人": "赵六"},
    ]


def martyr_rows(d):
    return [
        {
            "身份证号": d["fallen"].id_number,
            "姓名": "赵烈",
            "牺牲日期": "1998-08-15",
            "牺牲地点": "九江大堤",
            "生前所在单位": "某部",
            "英雄事迹": "抗洪抢险中英勇牺牲。",
            "评定日期": "1998-12-01",
            "安葬（纪念）设施": "革命纪念塔",
            "家属同意网上公开": "是",
        },
        {
            "身份证号": d["other_fallen"].id_number,
            "姓名": "钱烈",
            "牺牲日期": "1951-10-25",
            "英雄事迹": "抗美援朝战争中牺牲。",
        },
    ]


def martyr_summary(m):
    facility = m.resting_facility.name if m.resting_facility else ""
    return (m.person.name, m.sacrificed_on, m.unit, m.deeds, m.recognised_on, facility, m.publication_consent)


NOMINEE_HEADERS = ["评选", "身份证号", "姓名", "主要事迹", "评审结果", "公布顺序", "版本"]


def nominee_rows(d):
    return [
        {
            "评选": "第2届“最美退役军人”（2021年）",
            "身份证号": d["veteran"].id_number,
            "姓名": "孙典",
            "主要事迹": "退役不褪色，带领村民致富。",
        },
        {
            "评选": "第2届最美退役军人",
            "身份证号": d["other_veteran"].id_number,
            "姓名": "李典",
            "主要事迹": "见义勇为。",
            "评审结果": "当选",
            "公布顺序": 1,
        },
    ]


def nominee_summary(n):
    return (str(n.selection), n.person.name, n.deeds, n.result, n.rank, township_name(n))


SELECTION = "第2届“最美退役军人”（2021年）"
CEREMONY_HEADERS = ["名称", "纪念时机", "开始日期", "举行地点（纪念设施）", "地点", "参加人数", "费用（元）"]
CEREMONY_HEADERS += ["参加单位", "乡镇（街道）", "版本"]


def ceremony_rows(d):
    return [
        {
            "名称": "烈士纪念日公祭活动",
            "纪念时机": "烈士纪念日",
            "开始日期": "2021-09-30",
            "举行地点（纪念设施）": "区革命纪念公园",
            "参加人数": 320,
            "参加单位": "区四套班子领导、区直各单位",
        },
        {
            "名称": "甲镇清明祭英烈",
            "纪念时机": "清明",
            "开始日期": "2021-04-04",
            "地点": "甲镇烈士墓",
            "参加人数": 80,
            "费用（元）": 1500,
            "乡镇（街道）": "甲镇",
        },
    ]


def ceremony_summary(c):
    facility = c.facility.name if c.facility else ""
    return (c.title, c.occasion, c.start_date, facility, c.venue, c.headcount, c.cost, township_name(c))


CASES = {
    "纪念设施": Case(
        MemorialFacility,
        resources.MemorialFacilityResource,
        FACILITY_HEADERS,
        facility_rows,
        facility_summary,
        lambda d: [
            ("抗洪烈士纪念碑", "monument", "district", Decimal("28.68"), Decimal("115.85"), "区烈士纪念设施保护中心")
            + ("good", "甲镇"),
            ("烈士零散墓", "grave", "unrated", None, None, "乙镇服务站", "good", "乙镇"),
        ],
        {"设施状况": "损坏待修"},
        lambda d: [
            ("抗洪烈士纪念碑", "monument", "district", Decimal("28.68"), Decimal("115.85"), "区烈士纪念设施保护中心")
            + ("damaged", "甲镇"),
            ("烈士零散墓", "grave", "unrated", None, None, "乙镇服务站", "good", "乙镇"),
        ],
    ),
    "设施巡查": Case(
        FacilityInspection,
        resources.FacilityInspectionResource,
        ["纪念设施", "巡查日期", "巡查人", "发现问题", "整改情况", "版本"],
        inspection_rows,
        lambda i: (i.facility.name, i.inspected_on, i.inspector, i.findings, i.follow_up, township_name(i)),
        lambda d: [
            ("革命纪念塔", D(2021, 4, 2), "王五", "塔基瓷砖脱落", "", "甲镇"),
            ("区革命纪念公园", D(2021, 4, 3), "赵六", "", "", "乙镇"),
        ],
        {"整改情况": "已修复"},
        lambda d: [
            ("革命纪念塔", D(2021, 4, 2), "王五", "塔基瓷砖脱落", "已修复", "甲镇"),
            ("区革命纪念公园", D(2021, 4, 3), "赵六", "", "", "乙镇"),
        ],
    ),
    "烈士": Case(
        Martyr,
        resources.MartyrResource,
        ["身份证号", "姓名", "牺牲日期", "牺牲地点", "生前所在单位", "英雄事迹", "评定日期", "批准文号"]
        + ["安葬（纪念）设施", "家属同意网上公开", "同意公开情况"],
        martyr_rows,
        martyr_summary,
        lambda d: [
            ("赵烈", D(1998, 8, 15), "某部", "抗洪抢险中英勇牺牲。", D(1998, 12, 1), "革命纪念塔", True),
            ("钱烈", D(1951, 10, 25), "", "抗美援朝战争中牺牲。", None, "", False),
        ],
        {"生前所在单位": "某部三连"},
        lambda d: [
            ("赵烈", D(1998, 8, 15), "某部三连", "抗洪抢险中英勇牺牲。", D(1998, 12, 1), "革命纪念塔", True),
            ("钱烈", D(1951, 10, 25), "", "抗美援朝战争中牺牲。", None, "", False),
        ],
        id_columns=("身份证号",),
    ),
    "典型推荐人选": Case(
        Nominee,
        resources.NomineeResource,
        NOMINEE_HEADERS,
        nominee_rows,
        nominee_summary,
        lambda d: [
            (SELECTION, "孙典", "退役不褪色，带领村民致富。", "pending", None, "甲镇"),
            (SELECTION, "李典", "见义勇为。", "winner", 1, "乙镇"),
        ],
        {"评审结果": "未当选"},
        lambda d: [
            (SELECTION, "孙典", "退役不褪色，带领村民致富。", "not_selected", None, "甲镇"),
            (SELECTION, "李典", "见义勇为。", "winner", 1, "乙镇"),
        ],
        id_columns=("身份证号",),
    ),
    "公祭活动": Case(
        Ceremony,
        resources.CeremonyResource,
        CEREMONY_HEADERS,
        ceremony_rows,
        ceremony_summary,
        lambda d: [
            ("烈士纪念日公祭活动", "martyrs_day", D(2021, 9, 30), "区革命纪念公园", "区革命纪念公园", 320, None, ""),
            ("甲镇清明祭英烈", "qingming", D(2021, 4, 4), "", "甲镇烈士墓", 80, Decimal("1500.00"), "甲镇"),
        ],
        {"参加人数": 350},
        lambda d: [
            ("烈士纪念日公祭活动", "martyrs_day", D(2021, 9, 30), "区革命纪念公园", "区革命纪念公园", 350, None, ""),
            ("甲镇清明祭英烈", "qingming", D(2021, 4, 4), "", "甲镇烈士墓", 80, Decimal("1500.00"), "甲镇"),
        ],
    ),
}
MASKED = [(name, column) for name, case in CASES.items() for column in case.id_columns]


# --- tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_the_import_template_is_the_imports_header_row(client_for, data, name):
    case = CASES[name]
    meta = case.model._meta

    response = client_for(data["clerk"]).get(reverse(f"admin:{meta.app_label}_{meta.model_name}_import_template"))

    assert response.status_code == 200
    header = [cell.value for cell in openpyxl.load_workbook(BytesIO(response.content)).active[1]]
    assert header == [field.column_name for field in case.resource().import_columns()] == case.headers


@pytest.mark.parametrize("name", CASES)
def test_an_import_creates_the_rows_and_a_second_file_updates_them(client_for, data, name):
    case = CASES[name]
    client = client_for(data["clerk"])
    before = set(case.model.objects.values_list("pk", flat=True))
    rows = case.rows(data)

    imported(client, case.url, case.headers, rows)

    created = case.model.objects.exclude(pk__in=before)
    assert [case.summary(record) for record in created.order_by("pk")] == case.expected(data)
    if hasattr(case.model, "review_status"):
        assert {(r.review_status, r.reviewed_by) for r in created} == {(ReviewStatus.APPROVED, data["clerk"])}

    imported(client, case.url, case.headers, [{**rows[0], **case.change}, rows[1]])

    again = case.model.objects.exclude(pk__in=before)
    assert [case.summary(record) for record in again.order_by("pk")] == case.changed(data)


@pytest.mark.parametrize(("name", "column"), MASKED)
def test_a_masked_id_number_is_refused_with_the_masked_message(client_for, data, name, column):
    case = CASES[name]
    count = case.model.objects.count()
    rows = case.rows(data)
    rows[1] = {**rows[1], column: MASKED_ID}

    preview = upload(client_for(data["clerk"]), case.url, xlsx_file(case.headers, rows))

    prefix = "" if column == "身份证号" else f"{column}，"
    assert preview.context["job"].errors == [f"第 3 行：{prefix}{MASKED_ID_NUMBER}"]
    assert "confirm_form" not in preview.context
    assert case.model.objects.count() == count


def test_a_stations_nominees_are_submitted_without_the_bureaus_decision(data):
    rows = nominee_rows(data)[:1]
    station = data["station"]

    decided = resources.NomineeResource(user=station).import_data(
        PortalXLSX().create_dataset(xlsx_file(NOMINEE_HEADERS, [{**rows[0], "评审结果": "当选", "公布顺序": 1}]))
    )
    assert Nominee.objects.count() == 0
    assert decided.row_messages == [
        "第 2 行：“评审结果”由区局决定，服务站不能填写或修改。",
        "第 2 行：“公布顺序”由区局决定，服务站不能填写或修改。",
    ]

    done = resources.NomineeResource(user=station).import_data(
        PortalXLSX().create_dataset(xlsx_file(NOMINEE_HEADERS, rows))
    )
    assert done.row_messages == []
    nominee = Nominee.objects.get()
    assert (nominee.person, nominee.result, nominee.township, nominee.review_status, nominee.submitted_by) == (
        data["veteran"],
        Nominee.Result.PENDING,
        data["jia"],
        ReviewStatus.SUBMITTED,
        station,
    )


def test_an_unknown_selection_or_facility_is_named(data):
    rows = nominee_rows(data)
    rows[0]["评选"] = "第3届“最美退役军人”"
    inspections = inspection_rows(data)
    inspections[1]["纪念设施"] = "无名纪念碑"

    nominees = resources.NomineeResource(user=data["clerk"]).import_data(
        PortalXLSX().create_dataset(xlsx_file(NOMINEE_HEADERS, rows))
    )
    checks = resources.FacilityInspectionResource(user=data["clerk"]).import_data(
        PortalXLSX().create_dataset(xlsx_file(CASES["设施巡查"].headers, inspections))
    )

    assert nominees.row_messages == [
        "第 2 行：没有名为 第3届“最美退役军人” 的评选，请按“典型评选”中的名称填写，如 第2届“最美退役军人”（2021年）。"
    ]
    assert checks.row_messages == ["第 3 行：烈士纪念设施“无名纪念碑”不存在。"]
    assert not Nominee.objects.exists() and not FacilityInspection.objects.exists()
