"""Leadership watches a report run finish on the dashboard without reloading the page."""

import hashlib

import pytest

from bureau import roles
from reports.models import AnnualReportRun
from reports.services import report_run_execute
from tests.factories import UserFactory

# Slow: Chromium and a live server, each test a few seconds and more.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_queued_run_turns_into_download_buttons_without_a_reload(page, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    leader = UserFactory(username="leader_b", groups=[roles.LEADERSHIP])
    # Created directly, not through the service, so no task is queued: this test plays the worker.
    run = AnnualReportRun.objects.create(year=2021, requested_by=leader)
    login("leader_b")
    page.goto("/dashboard/?year=2021")
    row = page.locator(f"#run-{run.pk}")
    assert "排队中" in row.inner_text()
    page.evaluate("window.__notReloaded = true")

    report_run_execute(run_id=run.pk)

    row.get_by_role("link", name="下载 Word").wait_for(timeout=15_000)
    assert "已完成" in row.inner_text()
    assert page.evaluate("window.__notReloaded") is True
    run.refresh_from_db()
    with page.expect_download() as download:
        row.get_by_role("link", name="下载 Excel").click()
    body = download.value.path().read_bytes()
    assert hashlib.sha256(body).hexdigest() == run.xlsx_sha256
