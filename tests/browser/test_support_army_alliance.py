"""The public page of the 爱心拥军团 alliance on a phone, without signing in: its members and their offers."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.support_army.factories import AllianceMemberFactory

# Slow: Chromium and a live server, each test a few seconds and more.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_alliance_page_shows_members_and_offers_without_login(page, live_server):
    AllianceMemberFactory(
        enterprise__name="示范区爱心超市有限公司",
        enterprise__contact_name="赵联系",
        enterprise__contact_phone="13912345678",
        batch_number=5,
        offer="凭优待证购物享受九折优惠",
    )
    AllianceMemberFactory(
        enterprise__name="示范区爱心餐饮有限公司",
        batch_number=1,
        joined_on=datetime.date(2017, 7, 1),
        offer="就餐八八折",
    )
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto("/support-army/alliance/")

    assert response.status == 200 and "/login/" not in page.url
    expect(page.get_by_role("heading", name="“爱心拥军团”成员及优待服务")).to_be_visible()
    expect(page.get_by_role("heading", name="第1批成员")).to_be_visible()
    expect(page.get_by_role("heading", name="第5批成员")).to_be_visible()
    expect(page.get_by_text("示范区爱心超市有限公司")).to_be_visible()
    expect(page.get_by_text("凭优待证购物享受九折优惠")).to_be_visible()
    expect(page.get_by_text("就餐八八折")).to_be_visible()
    content = page.content()
    assert "赵联系" not in content and "13912345678" not in content
    # Phone-friendly: nothing wider than the screen; every file from this server (no CDN).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert requested and all(url.startswith(live_server.url) for url in requested)
