"""The resettlement part of the person file: the grant (run line and ledger row), continuations, placement."""

import datetime

import pytest
from django.urls import reverse

from resettlement import subsidies
from tests.resettlement.factories import (
    InsuranceContinuationFactory,
    PlacementCandidateFactory,
    PlacementPositionFactory,
    PlacementSelectionFactory,
)

pytestmark = pytest.mark.django_db


def test_the_person_file_shows_the_grant_continuations_and_placement(
    client_for, standard_2021, cohort, bureau_user, approver
):
    five = cohort["five"]
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    subsidies.approve_and_pay(run=run, by=approver, paid_on=datetime.date(2021, 12, 15))
    InsuranceContinuationFactory(person=five, kind="pension", months=24, handled_on=datetime.date(2021, 10, 8))
    candidate = PlacementCandidateFactory(person=five)
    position = PlacementPositionFactory(
        batch=candidate.batch, department="区自然资源局", institution="区不动产登记中心"
    )
    PlacementSelectionFactory(
        candidate=candidate, position=position, reported_unit="区不动产登记中心", reported_on=datetime.date(2021, 12, 1)
    )

    page = client_for(bureau_user).get(reverse("admin:bureau_person_file", args=[five.pk])).content.decode()

    assert "移交安置" in page
    assert "30600.00" in page and "2021-12-15" in page and "已发放" in page
    assert "养老保险" in page and "<td>24</td>" in page
    assert "区自然资源局" in page and "区不动产登记中心·综合管理岗" in page and "2021-12-01" in page


def test_a_station_sees_nothing_of_another_township(client_for, township_b, station_user_a, person_b):
    from resettlement.person_file import context

    InsuranceContinuationFactory(person=person_b)
    parts = context(person_b, station_user_a)
    assert list(parts["insurance"]) == []
    assert parts["grants"] == []
    assert list(parts["selections"]) == []
