"""
The demo district's 2021 section (五) as the leader reads it: each title once in the 典型 item, no phrase
of 6 characters twice in an item, and 东城街道's report without the district's work or the word 全区.
"""

import pytest

from bureau.models import Township
from reports.compose import compose_report
from tests.report_checks import repeats

pytestmark = pytest.mark.django_db


@pytest.fixture
def commemoration_only(settings):
    settings.REPORT_SECTIONS = ["commemoration.report.section"]


def texts(township=None) -> dict[str, str]:
    document = compose_report(year=2021, township=township, with_previous=False)
    return {
        item.item.key: item.text.removeprefix(item.label) for rendered in document.sections for item in rendered.items
    }


def test_the_demo_section_reads_without_repeats(demo_district, commemoration_only):
    district = texts()
    assert len(district) == 6
    assert district["commemoration.role_models"] == (
        "积极选树优秀典型。开展第二届“最美退役军人”“最美军嫂”评选活动，评选出高文等10人、冯莉婷等5人，"
        "汇聚退役军人正能量，进一步提升退役军人荣誉感、尊崇感和幸福感。"
    )
    dongcheng = texts(Township.objects.get(code="dongcheng"))
    # The protection centre, the upgrade, the online campaign and the ceremony are the district's.
    assert list(dongcheng) == ["commemoration.role_models"]
    assert dongcheng["commemoration.role_models"].startswith(
        "积极选树优秀典型。在第二届“最美退役军人”“最美军嫂”评选活动中，东城街道的"
    )
    for township, items in [("全区", district), ("东城街道", dongcheng)]:
        for key, text in items.items():
            assert repeats(text.split("。", 1)[1]) == set(), (township, key)
    assert "全区" not in "".join(dongcheng.values())
