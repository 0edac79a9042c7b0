"""
The demo's 2021 reports read as the bureau would write them: no item says a phrase twice, no stray space
after a full stop, and the bureau's own words (opening, closing) follow the same rule.

The rule, as the issue's acceptance states it: in each item's body (the text after 「一是<title>。」), no
run of 6 characters without a digit occurs twice without overlapping. Every offender of both reports is
listed in one failure, by report and item.
"""

import re

import pytest

from bureau.models import Township
from reports.compose import compose_report
from tests.report_checks import repeats

pytestmark = pytest.mark.django_db


def test_the_checker_finds_what_the_reference_repeats():
    assert repeats("评选出高文等10人为第二届“最美退役军人”，开展第二届“最美退役军人”评选") >= {"第二届“最美"}
    assert repeats("为退役军人、军属就业，为退役军人、军属搭建平台") == {"为退役军人、", "退役军人、军", "役军人、军属"}
    assert repeats("共2021年入伍义务兵；2022年入伍义务兵") == {"年入伍义务兵"}  # the year differs, the words do not
    assert repeats("军人" * 6) == {"军人军人军人"}  # overlapping runs do not count: 8 characters would not do
    assert repeats("2021年2021年2021年") == set()  # runs with a digit are figures, not phrases


@pytest.fixture(scope="module")
def reports(demo_district, django_db_blocker) -> dict:
    """The demo's 2021 report of the district and of 东城街道, composed once for the module."""
    with django_db_blocker.unblock():
        dongcheng = Township.objects.get(name="东城街道")
        return {
            "全区": compose_report(year=2021, with_previous=False, with_charts=False),
            "东城街道": compose_report(year=2021, township=dongcheng, with_previous=False, with_charts=False),
        }


def items(reports):
    for scope, document in reports.items():
        for section in document.sections:
            for item in section.items:
                yield scope, item


def test_no_item_of_the_demo_reports_repeats_a_phrase(reports):
    offenders = []
    for scope, item in items(reports):
        head = f"{item.label}{item.item.title}。"
        assert item.text.startswith(head)
        found = repeats(item.text.removeprefix(head))
        if found:
            offenders.append(f"{scope} {item.item.key}: {'、'.join(sorted(found))}")
    assert sum(len(d.sections) for d in reports.values()) >= 8  # both reports have their sections
    assert not offenders, "items that say a phrase twice:\n" + "\n".join(offenders)


def test_the_years_words_say_each_phrase_once(reports):
    for document in reports.values():
        for text in (document.opening, document.closing):
            assert text
            assert repeats(text) == set()


def test_no_stray_space_after_a_full_stop(reports):
    texts = [(scope, item.item.key, item.text) for scope, item in items(reports)]
    for scope, document in reports.items():
        texts += [(scope, "opening", document.opening), (scope, "closing", document.closing)]
        texts += [(scope, f"{s.section.app_label}.lead", s.lead) for s in document.sections]
    assert [(scope, key) for scope, key, text in texts if re.search(r"[。，；：、]\s", text)] == []
