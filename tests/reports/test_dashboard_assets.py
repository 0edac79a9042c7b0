"""The dashboard's chart library: Apache ECharts at package.json's pinned version, served by the portal (no CDN)."""

import json
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

ROOT = Path(settings.BASE_DIR)
ECHARTS = "vendor/echarts/echarts.min.js"
MISSING = "static/vendor/echarts/echarts.min.js 不存在：请运行 make assets（需要 Node.js 和 npm）。"


def pinned_version() -> str:
    pin = json.loads((ROOT / "package.json").read_text())["dependencies"]["echarts"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pin), f"echarts must be pinned exactly in package.json, not {pin!r}"
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    assert lock[""]["dependencies"]["echarts"] == pin
    assert lock["node_modules/echarts"]["version"] == pin
    return pin


def test_echarts_is_pinned_exactly_in_package_json_and_its_lock():
    assert pinned_version() == "6.1.0"


def test_the_portal_serves_the_pinned_echarts_itself():
    assert finders.find(ECHARTS), MISSING
    response = Client().get(f"/{settings.STATIC_URL.strip('/')}/{ECHARTS}")
    assert response.status_code == 200, MISSING
    body = b"".join(response.streaming_content).decode()
    versions = set(re.findall(r'\.version="(\d+\.\d+\.\d+)"', body))
    assert versions == {pinned_version()}


def test_the_vendored_copy_and_node_modules_stay_out_of_git():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "node_modules/" in ignored
    assert "/static/vendor/" in ignored
