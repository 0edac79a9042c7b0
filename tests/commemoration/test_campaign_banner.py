"""
The memorial's campaign banner on a fixed day: the running campaign; else the last one ended
(marked 已结束, for a year after its end) and the next one scheduled; else no banner at all.
"""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache

from commemoration.models import MemorialCampaign
from tests.commemoration.factories import MemorialCampaignFactory

D = datetime.date
TODAY = D(2026, 12, 7)


@pytest.fixture(autouse=True)
def fresh_rate_limit(db):
    cache.clear()
    yield
    cache.clear()


def qingming(year: int, **kwargs):
    return MemorialCampaignFactory(
        title=f"致敬·{year}清明祭英烈", starts_on=D(year, 3, 25), ends_on=D(year, 4, 10), **kwargs
    )


def home(client, today=TODAY) -> str:
    with mock.patch("commemoration.public_views.timezone.localdate", return_value=today):
        response = client.get("/memorial/")
    assert response.status_code == 200
    return response.content.decode()


def test_in_december_the_spring_campaign_says_it_ended(client):
    qingming(2026)
    text = home(client)
    assert "致敬·2026清明祭英烈" in text
    assert "2026年3月25日—4月10日（已结束）" in text
    assert '<span class="badge">已结束</span>' in text
    assert "进行中" not in text
    assert "下一次活动" not in text


def test_the_ended_campaign_points_to_the_next_one_scheduled(client):
    qingming(2026)
    qingming(2027)
    qingming(2028)
    text = home(client)
    assert "2026年3月25日—4月10日（已结束）" in text
    assert "下一次活动：致敬·2027清明祭英烈，2027年3月25日开始" in text
    assert "致敬·2028清明祭英烈" not in text


def test_the_next_one_of_this_year_is_named_without_the_year(client):
    qingming(2025)
    qingming(2026)
    text = home(client, today=D(2026, 3, 1))
    assert "2025年3月25日—4月10日（已结束）" in text
    assert "下一次活动：致敬·2026清明祭英烈，3月25日开始" in text


def test_a_running_campaign_is_shown_alone_with_its_call(client):
    qingming(2026, intro="网上文明绿色祭扫倡议")
    qingming(2027)
    text = home(client, today=D(2026, 4, 10))  # its last day
    assert "致敬·2026清明祭英烈 <span" in text
    assert "进行中" in text
    assert "2026年3月25日—4月10日</p>" in text
    assert "网上文明绿色祭扫倡议" in text
    assert "已结束" not in text
    assert "下一次活动" not in text


def test_only_the_next_one_when_the_last_ended_over_a_year_ago(client):
    qingming(2025)
    qingming(2027)
    text = home(client)  # 2025-04-10 is 606 days before
    assert "致敬·2025清明祭英烈" not in text
    assert "下一次活动：致敬·2027清明祭英烈，2027年3月25日开始" in text


def test_no_banner_when_nothing_ran_lately_nor_is_scheduled(client):
    qingming(2025)
    qingming(2027, featured=False)  # not for the home page
    text = home(client)
    assert "memorial-campaign" not in text
    assert "清明祭英烈" not in text


def test_the_banner_of_a_day_in_the_query_set(db):
    ended, upcoming = qingming(2026), qingming(2027)
    banner = MemorialCampaign.objects.banner(TODAY)
    assert (banner.current, banner.ended, banner.upcoming) == (None, ended, upcoming)
    assert MemorialCampaign.objects.banner(D(2026, 3, 25)).current == ended
    assert not MemorialCampaign.objects.banner(D(2029, 1, 1))
    assert MemorialCampaign.objects.banner(D(2027, 4, 10)).current == upcoming
    assert ended.dates_text == "2026年3月25日—4月10日"
