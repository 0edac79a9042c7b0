"""数据质量核查: `manage.py check_data` and its admin page find exactly the contradictions there are."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bureau.models import CheckUp, Payment, Person, Visit
from bureau.rules.datacheck import data_check_run
from support_army.models import MeritNotice
from tests.factories import (
    BankAccountFactory,
    CheckUpFactory,
    PaymentFactory,
    PersonFactory,
    VisitFactory,
)
from tests.support_army.factories import MeritNoticeFactory

pytestmark = pytest.mark.django_db

CORE_KINDS = {
    "paid_after_death",
    "paid_after_moving_out",
    "paid_without_account",
    "account_after_death_or_move",
    "care_after_death_or_move",
    "deceased_without_date",
    "future_event_dates",
    "dates_outside_their_period",
    "records_without_township",
    "notices_without_family_link",
}


def counts() -> dict[str, int]:
    return {result.check.key: result.count for result in data_check_run()}


def paid(person, *, period: str, account=None) -> Payment:
    """A ledger row paid to the person's account (one kept, not in use, when `account` is not given)."""
    account = account or BankAccountFactory(person=person, active=False)
    payment = PaymentFactory(person=person, period=period, paid_on=datetime.date(2021, 6, 15))
    Payment.objects.filter(pk=payment.pk).update(bank_account=account)
    return payment


@pytest.fixture
def one_of_each(station_user_a, township_a):
    """A world with exactly one contradiction of each kind, and records around them that are right."""
    # Right: paid for the month of death, to the person's own account, which is no longer in use.
    died = PersonFactory(township=township_a, died_on=datetime.date(2021, 3, 10))
    paid(died, period="2021-03")
    # 1. Paid for a month after the death.
    paid(died, period="2021-05")
    # 2. Paid for a year after moving out (the year of the move is right).
    moved = PersonFactory(township=township_a, moved_out_on=datetime.date(2021, 2, 1))
    paid(moved, period="2021")
    paid(moved, period="2022")
    # 3. Paid without an account; the person next to it was paid to their account in use.
    PaymentFactory(person=PersonFactory(township=township_a), period="2021-01")
    with_account = PersonFactory(township=township_a)
    paid(with_account, period="2021-01", account=BankAccountFactory(person=with_account))
    # 4. The account of a person who died is still in use.
    BankAccountFactory(person=PersonFactory(township=township_a, died_on=datetime.date(2021, 1, 1)))
    # 4b. A visit dated after the death (recorded before the death was); the visit before it is right.
    late = VisitFactory(person=PersonFactory(township=township_a), visited_on=datetime.date(2021, 5, 1))
    VisitFactory(person=late.person, visited_on=datetime.date(2021, 2, 1))
    Person.objects.filter(pk=late.person_id).update(died_on=datetime.date(2021, 3, 1), status=Person.Status.DECEASED)
    # 5. Deceased without a date of death.
    PersonFactory(township=township_a, status=Person.Status.DECEASED)
    # 6. A visit dated tomorrow (written past validation, as an old import could have).
    future = VisitFactory(person=PersonFactory(township=township_a))
    Visit.objects.filter(pk=future.pk).update(visited_on=timezone.localdate() + datetime.timedelta(days=1))
    # 6b. A check-up dated outside its batch's year (the check-up beside it is within).
    checkup = CheckUpFactory(person=PersonFactory(township=township_a))
    CheckUpFactory(person=PersonFactory(township=township_a), batch=checkup.batch)
    CheckUp.objects.filter(pk=checkup.pk).update(checked_on=datetime.date(2020, 12, 1))
    # 7. A station's visit without its township.
    lost = VisitFactory(person=PersonFactory(township=township_a), submitted_by=station_user_a)
    Visit.objects.filter(pk=lost.pk).update(township=None)
    # 9. A merit notice whose recipient is not linked to the soldier; the notice beside it is.
    MeritNoticeFactory()
    unlinked = MeritNoticeFactory()
    MeritNotice.objects.filter(pk=unlinked.pk).update(recipient=PersonFactory(township=unlinked.township))


def test_an_empty_district_has_no_finding():
    assert set(counts()) >= CORE_KINDS
    assert sum(counts().values()) == 0


def test_one_contradiction_of_each_kind_is_found_exactly_once(one_of_each):
    found = counts()
    assert {key: found[key] for key in CORE_KINDS} == dict.fromkeys(CORE_KINDS, 1)
    assert sum(found.values()) == len(CORE_KINDS)


def test_the_command_prints_the_count_of_each_kind_and_exits_zero(one_of_each):
    out = io.StringIO()
    call_command("check_data", stdout=out)  # raises (non-zero exit) on an error
    lines = out.getvalue().splitlines()
    assert "paid_after_death\t死亡后仍有发放：1" in lines
    assert "notices_without_family_link\t立功喜报没有对应的家庭关系：1" in lines
    assert lines[-1] == f"合计：{len(CORE_KINDS)} 条问题。"


def test_the_command_lists_names_but_no_id_number(one_of_each):
    out = io.StringIO()
    call_command("check_data", "--list", stdout=out)
    text = out.getvalue()
    assert "状态为已故，但没有填写死亡日期。" in text
    for id_number in Person.objects.values_list("id_number", flat=True):
        assert id_number not in text


def test_the_page_lists_each_finding_with_a_link_to_fix_it(one_of_each, client_for, bureau_user):
    response = client_for(bureau_user).get(reverse("data_check"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"共发现 {len(CORE_KINDS)} 条问题" in page
    lost = Visit.objects.get(township__isnull=True)
    assert reverse("admin:bureau_visit_change", args=[lost.pk]) in page
    assert '<td data-check="paid_after_death">1</td>' in page


def test_the_page_says_so_when_nothing_disagrees(client_for, bureau_user):
    page = client_for(bureau_user).get(reverse("data_check")).content.decode()
    assert "未发现矛盾" in page


@pytest.mark.parametrize("role", ["station_user_a", "leader", "auditor"])
def test_only_bureau_staff_open_the_page(role, request, client_for):
    response = client_for(request.getfixturevalue(role)).get(reverse("data_check"))
    assert response.status_code in (302, 403)
