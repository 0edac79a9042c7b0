"""
Excel import of the support-army records an office keeps in sheets, through the real admin pages
(the template, the import job's preview and confirm): the rows created exactly, a second file of
the same records updating them, a masked ID number refused with the kit's message, and a station's
file going through the workflow in its own township only.
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
from bureau.models import Merit, ReviewStatus
from support_army import resources
from support_army.models import (
    AllianceMember,
    HomecomingRegistration,
    JointActivity,
    MeritNotice,
    ReceptionPoint,
    TroopRequest,
)
from tests.admin_imports import Case, imported, upload, xlsx_file
from tests.conftest import make_persona
from tests.employment.factories import EnterpriseFactory
from tests.factories import FamilyLinkFactory, MeritFactory, PersonFactory, TownshipFactory, UserFactory
from tests.support_army.factories import ReceptionPointFactory, SoldierFactory

pytestmark = pytest.mark.django_db

D = datetime.date
MASKED_ID = "320102********1234"


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        jia = TownshipFactory(code="A01", name="甲镇", order=1)
        yi = TownshipFactory(code="B01", name="乙镇", order=2)
        soldier = SoldierFactory(name="王兵", township=jia)
        other_soldier = SoldierFactory(name="刘兵", township=yi)
        parent = PersonFactory(name="王父", township=jia)
        FamilyLinkFactory(person=soldier, relative=parent)
        MeritFactory(person=soldier, year=2020, level=Merit.Level.THIRD_CLASS)
        MeritFactory(person=other_soldier, year=2019, level=Merit.Level.SECOND_CLASS)
        built = {
            "jia": jia,
            "yi": yi,
            "soldier": soldier,
            "other_soldier": other_soldier,
            "parent": parent,
            "veteran": PersonFactory(name="陈返", township=jia),
            "other_veteran": PersonFactory(name="周返", township=yi),
            "point": ReceptionPointFactory(name="东站退役军人报到点", opens_on=D(2021, 9, 1)),
            "shop": EnterpriseFactory(name="拥军超市有限公司", township=jia),
            "hotel": EnterpriseFactory(name="拥军宾馆有限公司", township=yi),
            "clerk": make_persona("bureau_user"),
            "station": UserFactory(username="station_a", township=jia, groups=[roles.STATION_STAFF]),
        }
        yield built
        transaction.set_rollback(True)


def merit_rows(d):
    return [
        {
            "身份证号": d["other_soldier"].id_number,
            "姓名": "刘兵",
            "立功受奖": "2019年二等功",
            "所在部队": "某部二连",
        },
        {
            "身份证号": d["soldier"].id_number,
            "姓名": "王兵",
            "立功受奖": "2020年三等功",
            "所在部队": "某部一连",
            "接收喜报家属身份证号": d["parent"].id_number,
            "送达日期": "2021-02-04",
        },
    ]


def merit_summary(n):
    recipient = n.recipient.name if n.recipient else ""
    return (n.soldier.name, str(n.merit), n.unit, recipient, n.delivered_on, n.township.name)


def homecoming_rows(d):
    return [
        {
            "身份证号": d["veteran"].id_number,
            "姓名": "陈返",
            "接站报到点": "东站退役军人报到点",
            "报到日期": "2021-09-12",
            "已举行欢迎仪式": "否",
        },
        {"身份证号": d["other_veteran"].id_number, "姓名": "周返", "报到日期": "2021.9.15", "备注": "自行返乡"},
    ]


def homecoming_summary(r):
    return (r.person.name, r.point.name if r.point else "", r.received_on, r.welcomed, r.note, r.township.name)


TROOP_HEADERS = ["驻区部队", "一句话摘要", "需求内容", "受理日期", "协调部门", "派出作业队伍（支）", "办理情况"]
TROOP_HEADERS += ["状态", "解决日期", "乡镇（街道）", "版本"]


def troop_rows(d):
    return [
        {
            "驻区部队": "某部",
            "一句话摘要": "为驻区部队建设阳光晾衣篷",
            "需求内容": "官兵晾晒衣物困难",
            "受理日期": "2021-05-10",
            "协调部门": "城管、住建",
            "状态": "办理中",
        },
        {
            "驻区部队": "某部",
            "一句话摘要": "修剪战备通道树木",
            "需求内容": "战备通道树木影响通行",
            "受理日期": "2021-03-01",
            "派出作业队伍（支）": 3,
            "状态": "已解决",
            "解决日期": "2021-03-20",
            "乡镇（街道）": "甲镇",
        },
    ]


def troop_summary(t):
    township = t.township.name if t.township else ""
    return (t.summary, t.received_on, t.departments, t.teams_sent, t.status, t.resolved_on, township)


ACTIVITY_HEADERS = ["活动形式", "名称", "开始日期", "结束日期", "地点", "乡镇（街道）", "参加人数", "费用（元）"]
ACTIVITY_HEADERS += ["线上观看人次", "参加单位", "版本"]


def activity_rows(d):
    return [
        {"活动形式": "军地联合植树", "名称": "军地联合植树", "开始日期": "2021-03-12", "参加人数": 60},
        {
            "活动形式": "节日联欢",
            "名称": "国庆军地大联欢",
            "开始日期": "2021-09-29",
            "地点": "区文化中心",
            "乡镇（街道）": "甲镇",
            "费用（元）": "12,000.50",
            "参加单位": "驻区某部",
        },
    ]


def activity_summary(a):
    township = a.township.name if a.township else ""
    return (a.title, a.kind, a.start_date, a.venue, township, a.headcount, a.cost, a.units)


def alliance_rows(d):
    return [
        {
            "会员企业": "拥军超市有限公司",
            "加入批次": 5,
            "加入日期": "2021-07-15",
            "优待服务": "凭证消费九折",
            "服务电话": "0571-88888888",
        },
        {"会员企业": "拥军宾馆有限公司", "加入批次": 4, "加入日期": "2020-07-01", "优待服务": "住宿八折"},
    ]


def alliance_summary(m):
    return (m.enterprise.name, m.batch_number, m.joined_on, m.offer, m.service_phone, m.status, m.left_on)


CASES = {
    "立功喜报": Case(
        MeritNotice,
        resources.MeritNoticeResource,
        ["身份证号", "姓名", "立功受奖", "所在部队", "接收喜报家属身份证号", "送达日期", "版本"],
        merit_rows,
        merit_summary,
        lambda d: [
            ("刘兵", "2019年二等功", "某部二连", "", None, "乙镇"),
            ("王兵", "2020年三等功", "某部一连", "王父", D(2021, 2, 4), "甲镇"),
        ],
        {"送达日期": "2021-08-01"},
        lambda d: [
            ("刘兵", "2019年二等功", "某部二连", "", D(2021, 8, 1), "乙镇"),
            ("王兵", "2020年三等功", "某部一连", "王父", D(2021, 2, 4), "甲镇"),
        ],
        id_columns=("身份证号", "接收喜报家属身份证号"),
    ),
    "报到点": Case(
        ReceptionPoint,
        resources.ReceptionPointResource,
        ["报到点名称", "地址", "启用日期", "撤点日期", "乡镇（街道）", "版本"],
        lambda d: [
            {"报到点名称": "火车站退役军人报到点", "地址": "火车站出站口", "启用日期": "2021-09-01"},
            {"报到点名称": "甲镇报到点", "地址": "甲镇服务站", "启用日期": "2021-09-05", "乡镇（街道）": "甲镇"},
        ],
        lambda p: (p.name, p.address, p.opens_on, p.closes_on, p.township.name if p.township else ""),
        lambda d: [
            ("火车站退役军人报到点", "火车站出站口", D(2021, 9, 1), None, ""),
            ("甲镇报到点", "甲镇服务站", D(2021, 9, 5), None, "甲镇"),
        ],
        {"撤点日期": "2021-09-30"},
        lambda d: [
            ("火车站退役军人报到点", "火车站出站口", D(2021, 9, 1), D(2021, 9, 30), ""),
            ("甲镇报到点", "甲镇服务站", D(2021, 9, 5), None, "甲镇"),
        ],
    ),
    "返乡报到": Case(
        HomecomingRegistration,
        resources.HomecomingRegistrationResource,
        ["身份证号", "姓名", "接站报到点", "报到日期", "已举行欢迎仪式", "备注", "版本"],
        homecoming_rows,
        homecoming_summary,
        lambda d: [
            ("陈返", "东站退役军人报到点", D(2021, 9, 12), False, "", "甲镇"),
            ("周返", "", D(2021, 9, 15), False, "自行返乡", "乙镇"),
        ],
        {"已举行欢迎仪式": "是"},
        lambda d: [
            ("陈返", "东站退役军人报到点", D(2021, 9, 12), True, "", "甲镇"),
            ("周返", "", D(2021, 9, 15), False, "自行返乡", "乙镇"),
        ],
        id_columns=("身份证号",),
    ),
    "部队需求": Case(
        TroopRequest,
        resources.TroopRequestResource,
        TROOP_HEADERS,
        troop_rows,
        troop_summary,
        lambda d: [
            ("为驻区部队建设阳光晾衣篷", D(2021, 5, 10), "城管、住建", 0, "in_progress", None, ""),
            ("修剪战备通道树木", D(2021, 3, 1), "", 3, "resolved", D(2021, 3, 20), "甲镇"),
        ],
        {"状态": "已解决", "解决日期": "2021-06-20", "派出作业队伍（支）": 1},
        lambda d: [
            ("为驻区部队建设阳光晾衣篷", D(2021, 5, 10), "城管、住建", 1, "resolved", D(2021, 6, 20), ""),
            ("修剪战备通道树木", D(2021, 3, 1), "", 3, "resolved", D(2021, 3, 20), "甲镇"),
        ],
    ),
    "共建活动": Case(
        JointActivity,
        resources.JointActivityResource,
        ACTIVITY_HEADERS,
        activity_rows,
        activity_summary,
        lambda d: [
            ("军地联合植树", "tree_planting", D(2021, 3, 12), "", "", 60, None, ""),
            ("国庆军地大联欢", "festival", D(2021, 9, 29), "区文化中心", "甲镇", None, Decimal("12000.50"), "驻区某部"),
        ],
        {"参加人数": 80},
        lambda d: [
            ("军地联合植树", "tree_planting", D(2021, 3, 12), "", "", 80, None, ""),
            ("国庆军地大联欢", "festival", D(2021, 9, 29), "区文化中心", "甲镇", None, Decimal("12000.50"), "驻区某部"),
        ],
    ),
    "拥军团成员": Case(
        AllianceMember,
        resources.AllianceMemberResource,
        ["会员企业", "加入批次", "加入日期", "优待服务", "服务地址", "服务电话", "状态", "退出日期"],
        alliance_rows,
        alliance_summary,
        lambda d: [
            ("拥军超市有限公司", 5, D(2021, 7, 15), "凭证消费九折", "0571-88888888", "active", None),
            ("拥军宾馆有限公司", 4, D(2020, 7, 1), "住宿八折", "", "active", None),
        ],
        {"状态": "已退出", "退出日期": "2021-12-01"},
        lambda d: [
            ("拥军超市有限公司", 5, D(2021, 7, 15), "凭证消费九折", "0571-88888888", "left", D(2021, 12, 1)),
            ("拥军宾馆有限公司", 4, D(2020, 7, 1), "住宿八折", "", "active", None),
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


def test_a_merit_not_registered_for_the_soldier_is_named(data):
    rows = merit_rows(data)
    rows[1]["立功受奖"] = "2019年二等功"  # 刘兵's, not 王兵's
    rows[0]["立功受奖"] = "2019年四等功"
    dataset = PortalXLSX().create_dataset(xlsx_file(CASES["立功喜报"].headers, rows))

    result = resources.MeritNoticeResource(user=data["clerk"]).import_data(dataset)

    assert result.row_messages == [
        "第 2 行：立功受奖“2019年四等功”无法识别，请填写年度和等级，如 2020年三等功。",
        "第 3 行：该现役军人未登记2019年二等功，请先在其人员信息的“立功受奖”中登记。",
    ]
    assert not MeritNotice.objects.exists()


def test_a_stations_file_is_submitted_in_its_own_township_only(data):
    rows = homecoming_rows(data)
    headers = CASES["返乡报到"].headers
    station = data["station"]

    refused = resources.HomecomingRegistrationResource(user=station).import_data(
        PortalXLSX().create_dataset(xlsx_file(headers, rows))
    )
    # 周返 is 乙镇's: out of the station's sight, the ID number is not found.
    assert refused.row_messages == [f"第 3 行：身份证号 {data['other_veteran'].id_number} 未在人员库中登记。"]
    assert not HomecomingRegistration.objects.exists()

    done = resources.HomecomingRegistrationResource(user=station).import_data(
        PortalXLSX().create_dataset(xlsx_file(headers, rows[:1]))
    )
    assert done.row_messages == []
    registration = HomecomingRegistration.objects.get()
    assert (registration.person, registration.township, registration.review_status, registration.submitted_by) == (
        data["veteran"],
        data["jia"],
        ReviewStatus.SUBMITTED,
        station,
    )


def test_a_stations_activity_without_its_township_is_refused(data):
    rows = activity_rows(data)  # the first has no township: the district's

    result = resources.JointActivityResource(user=data["station"]).import_data(
        PortalXLSX().create_dataset(xlsx_file(ACTIVITY_HEADERS, rows))
    )

    assert result.row_messages == ["第 2 行：只能登记或修改本乡镇（街道）的记录。"]
    assert not JointActivity.objects.exists()
