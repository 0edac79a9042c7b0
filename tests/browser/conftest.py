"""
Browser tests: the real pages in Debian's headless Chromium, driven by Playwright.

Playwright's own browser download is never used (`playwright install` needs the
internet); the tests run against /usr/bin/chromium and skip without it, unless
REQUIRE_BROWSER=1 (set by CI) turns the missing browser into a failure.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# the ORM calls the tests make between page actions (SynchronousOnlyOperation).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(
            f"REQUIRE_BROWSER=1 但未找到 {CHROMIUM}：请安装 Debian 的 chromium 软件包（apt-get install chromium）。"
        )
    pytest.skip("浏览器测试已跳过：未找到 /usr/bin/chromium（apt-get install chromium）")


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context per test (no cookies carried over), with a phone-sized viewport."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page):
    """`login(username)`: sign in through the station login form with the test password."""

    def sign_in(username: str, password: str = "test-password-123"):
        page.goto("/station/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        return page

    return sign_in
