"""
The station portal on a phone (390 × 844): the home page shows every area's figures, and on the
deepest page of the last area the current menu entry is on screen, in a menu that wraps.
"""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from bureau import roles
from bureau.models import ReviewStatus
from tests.commemoration.factories import FacilityInspectionFactory, MemorialFacilityFactory
from tests.employment.factories import FairAttendanceFactory
from tests.factories import PersonFactory, TownshipFactory, UserFactory, VisitFactory

# Slow: Chromium and a live server, each test a few seconds and more.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844
AREAS = ["人员与公共台账", "就业创业", "移交安置", "优待抚恤", "双拥共建", "褒扬纪念"]


@pytest.fixture
def township():
    return TownshipFactory(code="A01", name="甲镇", order=1)


@pytest.fixture
def station_clerk(township):
    # Transactional tests flush the database; the role groups must come back with post_migrate.
    assert Group.objects.filter(name=roles.STATION_STAFF).exists()
    return UserFactory(username="station_a", first_name="甲镇站", township=township, groups=[roles.STATION_STAFF])


@pytest.fixture
def inspection(township, station_clerk):
    veteran = PersonFactory(name="张甲", township=township, review_status=ReviewStatus.SUBMITTED)
    VisitFactory(person=veteran, review_status=ReviewStatus.RETURNED, return_reason="照片不清楚")
    FairAttendanceFactory(person=veteran, review_status=ReviewStatus.APPROVED)
    facility = MemorialFacilityFactory(township=township)
    FacilityInspectionFactory(facility=facility, review_status=ReviewStatus.APPROVED)
    return FacilityInspectionFactory(
        facility=facility, review_status=ReviewStatus.SUBMITTED, submitted_by=station_clerk
    )


def no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def on_screen_and_unclipped(page, locator) -> None:
    """Inside the viewport without scrolling, and the topmost thing at its centre (no overflow clips it)."""
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, box
    hit = locator.evaluate(
        """element => {
            const r = element.getBoundingClientRect();
            const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return top !== null && (top === element || element.contains(top));
        }"""
    )
    assert hit, "the current menu entry is covered or clipped"


def test_the_home_page_shows_every_areas_counts(page, login, station_clerk, inspection):
    login("station_a")
    expect(page.get_by_role("heading", name="甲镇退役军人服务站")).to_be_visible()
    for area in AREAS:
        expect(page.get_by_role("heading", name=area, exact=True)).to_be_visible()
    # The figures of each type: submitted / returned / approved.
    rows = {
        "bureau.person": ["1", "0", "0"],
        "bureau.visit": ["0", "1", "0"],
        "employment.fairattendance": ["0", "0", "1"],
        "commemoration.facilityinspection": ["1", "0", "1"],
        "resettlement.insurancecontinuation": ["0", "0", "0"],
        "support_army.homecomingregistration": ["0", "0", "0"],
        "pensions.problem": ["0", "0", "0"],
    }
    for key, figures in rows.items():
        cells = page.locator(f'tr[data-type="{key}"] td')
        expect(cells).to_have_text(figures)
        for index in range(3):
            expect(cells.nth(index)).to_be_visible()
    no_horizontal_scroll(page)

    # The returned visit's figure leads to the visits the bureau returned.
    page.locator('tr[data-type="bureau.visit"] td[data-status="returned"] a').click()
    expect(page.locator(".record-list")).to_contain_text("照片不清楚")
    assert page.url.endswith("/station/pensions/visits/?status=returned")


def test_the_current_entry_of_the_deepest_page_is_on_screen(page, login, station_clerk, inspection):
    login("station_a")
    page.goto(f"/station/commemoration/inspections/{inspection.pk}/edit/")
    current = page.locator('nav [aria-current="page"]')
    expect(current).to_have_count(1)
    expect(current).to_have_text("纪念设施巡查")
    on_screen_and_unclipped(page, current)
    no_horizontal_scroll(page)
    # The top row: home, submissions and registration on screen too.
    for name in ("首页", "提交记录", "登记人员"):
        on_screen_and_unclipped(page, page.get_by_role("navigation", name="服务站门户").get_by_role("link", name=name))

    # 「业务」 opens every area with its entries, within the screen's width.
    page.locator(".station-nav summary").click()
    panel = page.locator(".station-nav__panel")
    expect(panel).to_be_visible()
    for area in AREAS[1:]:
        expect(panel).to_contain_text(area)
    entry = panel.get_by_role("link", name="走访慰问")
    on_screen_and_unclipped(page, entry)
    no_horizontal_scroll(page)
    entry.click()
    expect(page.locator('nav [aria-current="page"]')).to_have_text("走访慰问")
    on_screen_and_unclipped(page, page.locator('nav [aria-current="page"]'))
