"""
Item 二 of section (二), 安置工作三方满意, from the year's placement batch: 15 eligible NCOs, the posts of
15 fully funded institutions under 9 departments, every candidate placed in the public session.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from bureau.reporting import Section
from reports.compose import compose_report
from resettlement import selection
from resettlement.models import PlacementCandidate
from resettlement.report_placement import placement_item
from tests.factories import UserFactory
from tests.resettlement.factories import (
    NcoFactory,
    PlacementBatchFactory,
    PlacementCandidateFactory,
    PlacementPositionFactory,
)

pytestmark = pytest.mark.django_db

# Department -> its fully funded institutions: 9 departments, 15 institutions, one post each.
UNITS = {
    "区委政法委": ["区社会治安综合治理中心", "区网格化服务管理中心"],
    "区政协办": ["区政协委员服务中心"],
    "区政府办": ["区政务服务中心", "区大数据管理中心"],
    "区自然资源局": ["区不动产登记中心", "区土地储备中心"],
    "区住房城乡建设局": ["区建设工程质量安全监督站", "区城市建设档案馆"],
    "区水利局": ["区河道管理所"],
    "区农业农村局": ["区农业技术推广中心", "区动物疫病预防控制中心"],
    "区卫生健康委": ["区疾病预防控制中心"],
    "区民政局": ["区社会福利中心", "区殡葬管理所"],
}
ALL_PLACED = (
    "安置工作三方满意。今年我区共有15名退役士官符合政府安排工作条件，共提供了区委政法委、区政协办、区政府办、"
    "区自然资源局等9个部门15个全额拨款事业单位的15个优质岗位以供选择，15名转业士官按照量化标准得分从高到低"
    "依次公开选岗，并当场签字确认，每位转业士官都选到了心仪的岗位。"
)


def placement_section(*, year: int, township=None) -> Section:
    """Section (二) with this item alone (the funds item is another module's)."""
    return Section(
        app_label="resettlement",
        area="移交安置",
        heading="移交安置工作更有力度",
        items=[placement_item(year=year, township=township)],
    )


@pytest.fixture
def placement_only(settings):
    settings.REPORT_SECTIONS = [f"{__name__}.placement_section"]


def item_text(document) -> str:
    [(label, text)] = [(i.label, i.text) for s in document.sections for i in s.items]
    return text.removeprefix(label)


def figures(year=2021, township=None) -> dict:
    return {f.key: f.value for f in placement_item(year=year, township=township).figures}


@pytest.fixture
def host(db):
    user = UserFactory(username="host", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="run_placement_session"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def batch(township_a, township_b):
    """The 2021 batch, prepared: 15 candidates (the first ten of 甲镇, five of 乙镇) scoring 26 down to 12."""
    batch = PlacementBatchFactory(
        year=2021, title="2021年退役士兵安排工作公开选岗", session_on=datetime.date(2021, 11, 20)
    )
    for department, institutions in UNITS.items():
        for institution in institutions:
            PlacementPositionFactory(batch=batch, department=department, institution=institution)
    for n in range(15):
        PlacementCandidateFactory(
            batch=batch,
            person=NcoFactory(township=township_a if n < 10 else township_b, name=f"候选人{n + 1:02d}", years=26 - n),
        )
    return batch


def hold_session(batch, host, *, placed: int = 15) -> None:
    """Start the session and let the first `placed` candidates choose the posts in the order entered."""
    selection.start_session(batch=batch, by=host)
    posts = list(batch.positions.order_by("id"))
    for candidate, post in zip(batch.candidates.order_by("rank")[:placed], posts, strict=False):
        selection.confirm(batch=batch, candidate_id=candidate.pk, position_id=post.pk, by=host, signed=True)
    if placed < 15:
        selection.close_session(batch=batch, by=host)


def test_a_year_of_15_ncos_9_departments_15_institutions_all_placed(batch, host, placement_only):
    hold_session(batch, host)

    result = figures()
    assert [result[key] for key in ("eligible_ncos", "departments", "institutions", "positions", "candidates")] == [
        15,
        9,
        15,
        15,
        15,
    ]
    assert result["placed_share"] == "100%"
    assert item_text(compose_report(year=2021, with_previous=False)) == ALL_PLACED


def test_one_left_unplaced_gives_the_share(batch, host, placement_only):
    hold_session(batch, host, placed=14)

    text = item_text(compose_report(year=2021, with_previous=False))
    assert "14名转业士官按照量化标准得分从高到低依次公开选岗，并当场签字确认，选岗率93.3%。" in text
    assert "每位转业士官" not in text


def test_the_detail_rows_are_the_candidates_in_rank_order(batch, host):
    hold_session(batch, host, placed=14)
    item = placement_item(year=2021)

    assert item.detail_headers == ["排名", "姓名", "总分", "主管部门", "事业单位", "岗位"]
    assert item.detail_rows[0] == [
        1,
        "候选人01",
        Decimal("26.00"),
        "区委政法委",
        "区社会治安综合治理中心",
        "综合管理岗",
    ]
    assert item.detail_rows[-1] == [15, "候选人15", Decimal("12.00"), "", "", "未选岗"]
    assert len(item.detail_rows) == 15


def test_a_township_report_counts_its_candidates_not_the_district_s_posts(batch, host, township_b, placement_only):
    hold_session(batch, host)

    result = figures(township=township_b)
    # 乙镇's five candidates; the departments, institutions and posts are the district's offer to all.
    assert [result[key] for key in ("eligible_ncos", "departments", "institutions", "positions", "candidates")] == [
        5,
        9,
        15,
        15,
        5,
    ]
    text = item_text(compose_report(year=2021, township=township_b, with_previous=False))
    assert text == (
        "安置工作三方满意。今年乙镇共有5名退役士官符合政府安排工作条件，5名转业士官按照量化标准得分从高到低"
        "依次公开选岗，并当场签字确认，每位转业士官都选到了心仪的岗位。"
    )


def test_a_year_without_a_batch_is_a_gap_not_zero(batch, host, placement_only):
    hold_session(batch, host)

    assert all(value is None for value in figures(year=2022).values())
    document = compose_report(year=2022, with_previous=False)
    assert document.sections == []
    assert {gap.figure for gap in document.gaps} >= {"符合安排工作条件的退役士官", "选岗率"}


def test_a_batch_whose_session_is_not_held_yet_has_no_selection_figures(batch, placement_only):
    result = figures()

    assert (result["eligible_ncos"], result["positions"], result["candidates"], result["placed_share"]) == (
        15,
        15,
        None,
        None,
    )
    assert not placement_item(year=2021).has_data


def test_only_fully_funded_institutions_count_as_such(batch, host):
    PlacementPositionFactory(batch=batch, department="区政府办", institution="区差额拨款中心", fully_funded=False)
    hold_session(batch, host)

    result = figures()
    assert (result["departments"], result["institutions"], result["positions"]) == (9, 15, 16)
    assert PlacementCandidate.objects.filter(selection__isnull=False).count() == 15
