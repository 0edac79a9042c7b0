"""
The placement hall reads the same at the desk and on the big screen: the batch title with its
year once, one score format (two decimals, trimmed when whole), and table headers on one line.
"""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.resettlement.factories import (
    NcoFactory,
    PlacementBatchFactory,
    PlacementCandidateFactory,
    PlacementPositionFactory,
    ScoreAdjustmentFactory,
)

TITLE = "2021年退役士兵安排工作公开选岗"


def url(name, batch):
    return reverse(f"admin:resettlement_placementbatch_{name}", args=[batch.pk])


@pytest.fixture
def in_session(db, client_for, bureau_user):
    batch = PlacementBatchFactory(year=2021, title=TITLE)
    PlacementCandidateFactory(batch=batch, person=NcoFactory(name="王一", years=16))
    half = PlacementCandidateFactory(batch=batch, person=NcoFactory(name="赵三", years=12))
    ScoreAdjustmentFactory(candidate=half, points=Decimal("0.5"), reason="补报优秀士官")
    PlacementPositionFactory(batch=batch, posts=2)
    client = client_for(bureau_user)
    assert client.post(url("start", batch)).status_code in (200, 302)
    return batch, client


def test_a_title_naming_its_year_is_shown_alone_else_the_year_comes_first(db):
    assert str(PlacementBatchFactory(year=2021, title=TITLE)) == TITLE
    other = PlacementBatchFactory(year=2022, title="退役士兵安排工作公开选岗")
    assert str(other) == "2022年退役士兵安排工作公开选岗"
    assert other.full_title == str(other)


def test_the_desk_and_the_screen_say_the_title_once(in_session):
    batch, client = in_session

    desk = client.get(url("session", batch)).content.decode()
    screen = client.get(url("live", batch)).content.decode()
    data = client.get(url("live_json", batch)).json()

    assert data["batch"] == TITLE
    assert f"<h1>{TITLE} · 公开选岗</h1>" in screen
    assert f"<title>{TITLE} · 公开选岗</title>" in screen
    for page in (desk, screen):
        assert "2021年 2021年" not in page and "2021年2021年" not in page
        assert page.count("2021年") == page.count(TITLE)
    assert TITLE in desk


def test_the_desk_and_the_screen_show_the_same_score(in_session):
    batch, client = in_session

    desk = client.get(url("session", batch)).content.decode()
    screen = client.get(url("live", batch)).content.decode()
    data = client.get(url("live_json", batch)).json()

    assert [(r["name"], r["score"]) for r in data["ranking"]] == [("王一", "16"), ("赵三", "12.50")]
    assert data["current"]["score"] == "16"
    assert "第1名 王一（总分 16）" in desk and "第1名 王一（16 分）" in screen
    for page in (desk, screen):
        assert "<td>16</td>" in page and "<td>12.50</td>" in page
        assert "16.00" not in page


def test_the_screen_keeps_table_headers_on_one_line():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "placement_live.css").read_text()
    assert ".placement-live th { white-space: nowrap; }" in css
