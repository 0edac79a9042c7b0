"""The big screen of a public selection session, in Chromium: it shows the ranking and follows a confirm without a reload."""

import pytest

from bureau import roles
from resettlement import selection
from tests.factories import UserFactory
from tests.resettlement.factories import (
    NcoFactory,
    PlacementBatchFactory,
    PlacementCandidateFactory,
    PlacementPositionFactory,
)

# Slow: Chromium and a live server, each test a few seconds and more.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_live_page_shows_the_ranking_and_updates_after_a_confirm(page, login):
    clerk = UserFactory(username="clerk_live", is_staff=True, groups=[roles.BUREAU_STAFF])
    batch = PlacementBatchFactory(title="公开选岗演示")
    first = PlacementCandidateFactory(batch=batch, person=NcoFactory(name="王一", years=16))
    PlacementCandidateFactory(batch=batch, person=NcoFactory(name="李二", years=14))
    archive = PlacementPositionFactory(batch=batch, department="区委办", institution="区档案馆", posts=1)
    PlacementPositionFactory(batch=batch, department="区政府办", institution="区政务服务中心", posts=1)
    selection.start_session(batch=batch, by=clerk)
    page.set_viewport_size({"width": 1920, "height": 1080})
    login("clerk_live")

    page.goto(f"/admin/resettlement/placementbatch/{batch.pk}/live/")
    assert page.locator("#current").inner_text().strip() == "正在选岗：第1名 王一（16 分）"
    rows = page.locator("#ranking tr")
    assert rows.nth(0).inner_text().split("\t")[:4] == ["1", "王一", "16", "正在选岗"]
    assert rows.nth(1).inner_text().split("\t")[:4] == ["2", "李二", "14", "等待选岗"]
    page.evaluate("window.__notReloaded = true")

    selection.confirm(batch=batch, candidate_id=first.pk, position_id=archive.pk, by=clerk, signed=True)

    page.locator("#current", has_text="第2名 李二").wait_for(timeout=15_000)
    assert page.locator("#ranking tr").nth(0).inner_text().split("\t") == [
        "1",
        "王一",
        "16",
        "已选岗",
        "区档案馆·综合管理岗",
    ]
    assert page.locator("#posts tr").nth(0).inner_text().split("\t") == ["区委办｜区档案馆", "综合管理岗", "0 / 1"]
    assert page.locator("#placed").inner_text() == "1"
    assert page.evaluate("window.__notReloaded") is True
