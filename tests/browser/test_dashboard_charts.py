"""A leader opens the dashboard in Chromium: the charts are drawn, nothing leaves the portal, the picker works."""

from urllib.parse import urlparse

import pytest

from tests.reports.sample_section import build_records
from tests.reports.test_dashboard_figures import SECTION

# Slow: Chromium and a live server, each test a few seconds and more.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHARTS = ["payments_by_month", "activities_by_month", "payments_by_programme", "townships_compared"]


def test_the_dashboard_draws_its_charts_from_the_portal_alone_and_the_picker_changes_the_figures(
    page, login, live_server, settings, leader, township_a, township_b
):
    settings.REPORT_SECTIONS = [SECTION]
    build_records(township_a, township_b)
    requests, problems = [], []
    page.on("request", lambda request: requests.append(request.url))
    login("leader")  # the login's own redirect (/station/ is not a leader's page) is not the dashboard's
    # The browser's own favicon probe is no error of the page.
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/dashboard/?year=2021")
    for key in CHARTS:
        chart = page.locator(f"#chart-{key}")
        chart.locator("canvas, svg").first.wait_for(state="attached")
        assert chart.get_attribute("data-drawn") == "true"
    cards = page.locator(".area .figures__value")
    assert cards.all_inner_texts() == ["3人", "1.33万元"]

    # The township table beside the comparison sorts by a clicked column (乙镇 has fewer veterans).
    table = page.locator("#table-townships_compared")
    assert table.locator("tbody th").all_inner_texts() == ["甲镇", "乙镇"]
    table.get_by_role("button", name="登记在册退役军人").click()
    table.get_by_role("button", name="登记在册退役军人").click()  # again: ascending
    assert table.locator("tbody th").all_inner_texts() == ["乙镇", "甲镇"]

    # Choosing a township in the picker reloads the page with its figures.
    with page.expect_navigation():
        page.locator("#filter_township").select_option(label="甲镇")
    assert "township=" in page.url
    page.locator("#chart-payments_by_month canvas").first.wait_for(state="attached")
    assert page.locator(".area .figures__value").all_inner_texts() == ["2人", "1.25万元"]
    assert "2021年主要数据（甲镇）" in page.locator("#figures-title").inner_text()

    assert problems == []
    server = urlparse(live_server.url).netloc
    leaving = [url for url in requests if urlparse(url).scheme in ("http", "https") and urlparse(url).netloc != server]
    assert leaving == []
    assert any(url.endswith("/static/vendor/echarts/echarts.min.js") for url in requests)
