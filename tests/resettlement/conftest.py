"""A discharge cohort of 2021 in township A: three veterans to pay, one without an enlistment date, three not in it."""

import datetime
from decimal import Decimal

import pytest

from bureau import roles
from bureau.models import Person, ReviewStatus
from tests.factories import PayeeFactory, PersonFactory, UserFactory
from tests.resettlement.factories import SubsidyStandardFactory

D = datetime.date
SELF = Person.DischargeRoute.SELF_EMPLOYED


@pytest.fixture
def approver(db):
    return UserFactory(username="clerk2", first_name="复核", is_staff=True, groups=[roles.BUREAU_STAFF])


@pytest.fixture
def standard_2021(db):
    return SubsidyStandardFactory(year=2021, base_amount=Decimal("8000.00"), per_year_amount=Decimal("4520.00"))


@pytest.fixture
def cohort(township_a, township_b):
    """
    5 years (30,600), 2 years (17,040), three months counted as 1 year (12,520): 60,160 yuan; the
    fourth has no enlistment date. Not in the cohort: another route, another year, awaiting review.
    The three paid have a bank account in use.
    """
    people = {
        "five": PayeeFactory(
            name="赵五年",
            township=township_a,
            discharge_route=SELF,
            enlisted_on=D(2016, 9, 1),
            discharged_on=D(2021, 9, 1),
        ),
        "two": PayeeFactory(
            name="钱两年",
            township=township_b,
            discharge_route=SELF,
            enlisted_on=D(2019, 9, 10),
            discharged_on=D(2021, 9, 10),
        ),
        "short": PayeeFactory(
            name="孙三月",
            township=township_a,
            discharge_route=SELF,
            enlisted_on=D(2021, 3, 1),
            discharged_on=D(2021, 6, 1),
        ),
        "no_enlistment": PayeeFactory(
            name="李未填", township=township_a, discharge_route=SELF, enlisted_on=None, discharged_on=D(2021, 9, 1)
        ),
    }
    PersonFactory(
        name="周安排",
        township=township_a,
        discharge_route=Person.DischargeRoute.ARRANGED_JOB,
        enlisted_on=D(2009, 9, 1),
        discharged_on=D(2021, 9, 1),
    )
    PersonFactory(
        name="吴去年", township=township_a, discharge_route=SELF, enlisted_on=D(2018, 9, 1), discharged_on=D(2020, 9, 1)
    )
    PersonFactory(
        name="郑待审",
        township=township_a,
        discharge_route=SELF,
        enlisted_on=D(2019, 9, 1),
        discharged_on=D(2021, 9, 1),
        review_status=ReviewStatus.SUBMITTED,
    )
    return people
