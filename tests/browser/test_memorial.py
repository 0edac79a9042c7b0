"""The online memorial on a phone, without signing in: a visitor opens a martyr's page and offers a flower."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.commemoration.factories import FallenFactory, MartyrFactory, TributeFactory

# Slow: Chromium and a live server, each test a few seconds and more.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_visitor_offers_a_flower_and_the_count_goes_up(page, live_server):
    cache.clear()
    martyr = MartyrFactory(person=FallenFactory(name="李英雄"), deeds="在抗洪抢险中英勇牺牲。")
    TributeFactory.create_batch(3, martyr=martyr)
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto("/memorial/")
    assert response.status == 200 and "/login/" not in page.url
    page.get_by_role("link", name="李英雄 烈士").click()

    expect(page.get_by_role("heading", name="李英雄 烈士")).to_be_visible()
    expect(page.get_by_text("在抗洪抢险中英勇牺牲。")).to_be_visible()
    expect(page.locator("#flower-count")).to_have_text("3")
    page.get_by_role("button", name="献花").click()
    expect(page.get_by_text("献花成功，向英烈致敬！")).to_be_visible()
    expect(page.locator("#flower-count")).to_have_text("4")

    # Phone-friendly: nothing wider than the screen; every file from this server (no CDN).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert requested and all(url.startswith(live_server.url) for url in requested)
    assert martyr.person.id_number not in page.content()
