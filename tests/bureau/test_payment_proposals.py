"""
The ledger's own rules and its two people (issue 22):

- a programme declares its frequency, which is the shape of a payment's period
  (`period_normalise`), and whether only its run pays it (`paid_by_run`);
- one person is not paid twice for a programme and period however either is written, and the
  refusal names the earlier payment;
- a payment by hand (批量发放, the ledger's add form) is a proposal one clerk prepares and
  another approves (`bureau.rules.payments.proposals`); the preparer cannot approve their own, an
  approval posted twice pays once, a stale approval is refused, the approver may return it.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from bureau import roles
from bureau.models import AuditEvent, Payment, PaymentBatch, PaymentProgramme, PaymentProposal
from bureau.models.payments import period_normalise
from bureau.rules.payments.batches import payment_create
from bureau.rules.payments.proposals import payment_proposal_approve, payment_proposal_create
from tests.factories import (
    BankAccountFactory,
    PaymentBatchFactory,
    PaymentFactory,
    PaymentProgrammeFactory,
    UserFactory,
)

Frequency = PaymentProgramme.Frequency
BULK = reverse("admin:bureau_payment_bulk")


@pytest.fixture
def person_a(person_a):
    """Paid in these tests: a bank account in use (without one the money is held: bureau.rules.payments.held)."""
    BankAccountFactory(person=person_a)
    return person_a


@pytest.fixture
def person_b(person_b):
    BankAccountFactory(person=person_b)
    return person_b


@pytest.fixture
def approver(db):
    return UserFactory(username="clerk2", first_name="复核", is_staff=True, groups=[roles.BUREAU_STAFF])


@pytest.fixture
def festival(db):
    # The programme exists by migration (pensions): yearly, paid by hand.
    return PaymentProgrammeFactory(code="spring-festival", name="春节慰问金", frequency=Frequency.ANNUAL)


@pytest.fixture
def grant(db):
    # The self-employment grant exists by migration (resettlement): yearly by cohort, paid by its run only.
    return PaymentProgramme.objects.get(code="self-employment-grant")


def bulk_form(programme, text, **extra) -> dict:
    return {"programme": programme.pk, "period": "2026", "paid_on": "2026-01-20", "lines": text, **extra}


def propose(client, programme, text, **extra):
    return client.post(BULK, {**bulk_form(programme, text, **extra), "confirm": "提交发放申请"})


# --- the period, by the programme's frequency ---------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "raw", "period"),
    [
        (Frequency.MONTHLY, "2026-3", "2026-03"),
        (Frequency.MONTHLY, "2026年3月", "2026-03"),
        (Frequency.MONTHLY, "202603", "2026-03"),
        (Frequency.MONTHLY, " 2026/03 ", "2026-03"),
        (Frequency.PER_OCCASION, "２０２６－０３", "2026-03"),
        (Frequency.ANNUAL, "2026", "2026"),
        (Frequency.ANNUAL, "2026年", "2026"),
        (Frequency.ANNUAL, "2026年度", "2026"),
        (Frequency.ONCE, "", ""),
        (Frequency.ONCE, None, ""),
    ],
)
def test_a_period_is_read_in_its_common_spellings(frequency, raw, period):
    programme = PaymentProgramme(name="某项目", frequency=frequency)

    assert period_normalise(programme=programme, raw=raw) == period


@pytest.mark.parametrize(
    ("frequency", "raw", "message"),
    [
        (Frequency.ANNUAL, "2026-01", "“春节慰问金”按年发放，期间应为年度，如 2026。"),
        (Frequency.ANNUAL, "2026年2月", "“春节慰问金”按年发放，期间应为年度，如 2026。"),
        (Frequency.MONTHLY, "2026", "“春节慰问金”按月发放，期间应为年月，如 2026-01。"),
        (Frequency.PER_OCCASION, "2026", "“春节慰问金”按次发放（期间为发放所在月份），期间应为年月，如 2026-01。"),
        (Frequency.ONCE, "2026", "“春节慰问金”每人只发放一次，不分期间，期间应留空。"),
        (Frequency.MONTHLY, "2026-13", "期间“2026-13”无法识别，应为年度（如 2026）或年月（如 2026-03）。"),
        (Frequency.ANNUAL, "明年", "期间“明年”无法识别，应为年度（如 2026）或年月（如 2026-03）。"),
    ],
)
def test_the_wrong_shape_for_the_frequency_is_refused_in_chinese(frequency, raw, message):
    programme = PaymentProgramme(name="春节慰问金", frequency=frequency)

    with pytest.raises(ValidationError) as refused:
        period_normalise(programme=programme, raw=raw)

    assert refused.value.messages == [message]


def test_the_programmes_of_the_areas_declare_their_rules(db):
    rules = dict(
        PaymentProgramme.objects.filter(
            code__in=["periodic-pension", "self-employment-grant", "spring-festival", "hardship-aid"]
        ).values_list("code", "frequency")
    )
    run_only = set(PaymentProgramme.objects.filter(paid_by_run=True).values_list("code", flat=True))

    assert rules == {
        "periodic-pension": Frequency.MONTHLY,
        "self-employment-grant": Frequency.ANNUAL,
        "spring-festival": Frequency.ANNUAL,
        "hardship-aid": Frequency.PER_OCCASION,
    }
    assert run_only == {"periodic-pension", "self-employment-grant"}


# --- one person, one programme, one period: however it is written -------------------------------


def test_an_annual_programme_paid_for_2026_refuses_2026_01_naming_the_earlier_payment(
    client_for, bureau_user, festival, person_a
):
    batch = PaymentBatchFactory(programme=festival, title="2026年春节慰问金", paid_on=datetime.date(2026, 1, 20))
    PaymentFactory(
        person=person_a, programme=festival, period="2026", amount="800.00", paid_on=batch.paid_on, batch=batch
    )

    response = propose(client_for(bureau_user), festival, f"{person_a.id_number} 800", period="2026-01")

    assert response.context["line_errors"] == [
        "“春节慰问金”按年发放，期间应为年度，如 2026。",
        "第 1 行：张* 已于 2026-01-20 领取“春节慰问金”2026 年 800.00 元（批次“2026年春节慰问金”），不能重复发放。",
    ]
    assert not PaymentProposal.objects.exists() and Payment.objects.count() == 1


def test_the_grant_of_2021_refuses_2021_12_by_hand_naming_the_run_and_the_earlier_payment(
    client_for, bureau_user, grant, person_a
):
    batch = PaymentBatchFactory(programme=grant, title="2021年退役士兵自主就业金", paid_on=datetime.date(2021, 12, 20))
    PaymentFactory(
        person=person_a, programme=grant, period="2021", amount="12000.00", paid_on=batch.paid_on, batch=batch
    )

    response = propose(client_for(bureau_user), grant, f"{person_a.id_number} 12000", period="2021-12")

    assert response.context["line_errors"] == [
        "“自主就业金”只能通过核算发放批次发放。",
        "“自主就业金”按年发放，期间应为年度，如 2021。",
        "第 1 行：张* 已于 2021-12-20 领取“自主就业金”2021 年 12000.00 元（批次“2021年退役士兵自主就业金”），不能重复发放。",
    ]
    assert not PaymentProposal.objects.exists() and Payment.objects.count() == 1


def test_a_payment_recorded_one_by_one_follows_the_same_rule(bureau_user, festival, grant, person_a):
    first = payment_create(
        person=person_a,
        programme=festival,
        amount=Decimal("800.00"),
        period="2026年",
        paid_on=datetime.date(2026, 1, 20),
    )
    assert first.period == "2026"

    with pytest.raises(ValidationError) as refused:
        payment_create(
            person=person_a,
            programme=festival,
            amount=Decimal("800.00"),
            period="2026-02",
            paid_on=datetime.date(2026, 2, 1),
        )
    assert refused.value.message_dict == {
        "period": ["“春节慰问金”按年发放，期间应为年度，如 2026。"],
        "__all__": [f"{person_a.name} 已于 2026-01-20 领取“春节慰问金”2026 年 800.00 元，不能重复发放。"],
    }
    with pytest.raises(ValidationError) as by_hand:
        payment_create(
            person=person_a,
            programme=grant,
            amount=Decimal("12000.00"),
            period="2021",
            paid_on=datetime.date(2021, 12, 1),
        )
    assert by_hand.value.message_dict == {"programme": ["“自主就业金”只能通过核算发放批次发放。"]}
    assert Payment.objects.count() == 1


# --- two people ---------------------------------------------------------------------------------


def test_one_clerk_s_bulk_payment_pays_nobody_until_a_second_clerk_approves(
    client_for, bureau_user, approver, festival, person_a, person_b
):
    clerk = client_for(bureau_user)
    done = propose(clerk, festival, f"{person_a.id_number} 800\n{person_b.id_number} 600")
    proposal = PaymentProposal.objects.get()
    approve_url = reverse("admin:bureau_paymentproposal_approve", args=[proposal.pk])

    assert done.status_code == 302 and Payment.objects.count() == 0
    # The preparer's own approval: refused on the page and on the post, nothing paid.
    page = clerk.get(approve_url)
    assert "资金发放须由经办人以外的另一名工作人员审批，您不能审批本人提交的发放申请。" in page.content.decode()
    refused = clerk.post(approve_url, {"token": page.context["form"]["token"].value()}, follow=True)
    assert "资金发放须由经办人以外的另一名工作人员审批" in refused.content.decode()
    assert Payment.objects.count() == 0

    second = client_for(approver)
    confirm = second.get(approve_url)
    assert confirm.status_code == 200 and "1400.00" in confirm.content.decode()
    paid = second.post(approve_url, {"token": confirm.context["form"]["token"].value()})

    proposal.refresh_from_db()
    assert paid.status_code == 302
    assert (proposal.status, proposal.decided_by, proposal.batch) == (
        PaymentProposal.Status.PAID,
        approver,
        PaymentBatch.objects.get(),
    )
    assert sorted(Payment.objects.values_list("person__name", "period", "amount", "batch__created_by")) == [
        ("张甲", "2026", Decimal("800.00"), approver.pk),
        ("李乙", "2026", Decimal("600.00"), approver.pk),
    ]
    events = set(AuditEvent.objects.filter(content_type__model="paymentproposal").values_list("kind", "user"))
    assert {(AuditEvent.Kind.CREATE, bureau_user.pk), (AuditEvent.Kind.APPROVE, approver.pk)} <= events


def test_an_approval_posted_twice_pays_once(client_for, bureau_user, approver, festival, person_a):
    propose(client_for(bureau_user), festival, f"{person_a.id_number} 800")
    proposal = PaymentProposal.objects.get()
    url = reverse("admin:bureau_paymentproposal_approve", args=[proposal.pk])
    second = client_for(approver)
    token = second.get(url).context["form"]["token"].value()

    second.post(url, {"token": token})
    again = second.post(url, {"token": token}, follow=True)

    assert "该发放申请当前为“已发放”，不能再次审批。" in again.content.decode()
    assert Payment.objects.count() == 1 and PaymentBatch.objects.count() == 1


def test_a_stale_approval_is_refused(client_for, bureau_user, approver, festival, person_a):
    clerk = client_for(bureau_user)
    propose(clerk, festival, f"{person_a.id_number} 800")
    proposal = PaymentProposal.objects.get()
    url = reverse("admin:bureau_paymentproposal_approve", args=[proposal.pk])
    second = client_for(approver)
    token = second.get(url).context["form"]["token"].value()
    # Meanwhile the preparer changes the paid date (in a browser of their own).
    change = reverse("admin:bureau_paymentproposal_change", args=[proposal.pk])
    preparer = Client()
    preparer.force_login(bureau_user)
    saved = preparer.post(change, {"title": proposal.title, "paid_on": "2026-01-25"})
    assert saved.status_code == 302

    refused = client_for(approver).post(url, {"token": token}, follow=True)

    assert "该发放申请在您打开审批页面后已被修改，请刷新页面核对后再审批。" in refused.content.decode()
    assert Payment.objects.count() == 0
    proposal.refresh_from_db()
    assert proposal.status == PaymentProposal.Status.PENDING


def test_approval_checks_everything_again(bureau_user, approver, festival, person_a):
    proposal = payment_proposal_create(
        programme=festival,
        period="2026",
        paid_on=datetime.date(2026, 1, 20),
        title="",
        text=f"{person_a.id_number} 800",
        by=bureau_user,
    )
    # Paid meanwhile by another way (a record's payment, an older batch).
    PaymentFactory(
        person=person_a, programme=festival, period="2026", amount="500.00", paid_on=datetime.date(2026, 1, 10)
    )

    with pytest.raises(ValidationError) as refused:
        payment_proposal_approve(proposal=proposal, by=approver)

    assert refused.value.messages == ["第 1 行：张* 已于 2026-01-10 领取“春节慰问金”2026 年 500.00 元，不能重复发放。"]
    assert Payment.objects.count() == 1
    proposal.refresh_from_db()
    assert proposal.status == PaymentProposal.Status.PENDING


def test_the_approver_may_return_it_with_a_reason(client_for, bureau_user, approver, festival, person_a):
    propose(client_for(bureau_user), festival, f"{person_a.id_number} 800")
    proposal = PaymentProposal.objects.get()
    url = reverse("admin:bureau_paymentproposal_return", args=[proposal.pk])
    second = client_for(approver)
    token = second.get(url).context["form"]["token"].value()

    empty = second.post(url, {"token": token})
    returned = second.post(url, {"token": token, "reason": "金额与标准不符"})

    assert empty.status_code == 200 and "退回时请填写退回原因。" in empty.content.decode()
    assert returned.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reason, proposal.decided_by) == (
        PaymentProposal.Status.RETURNED,
        "金额与标准不符",
        approver,
    )
    assert Payment.objects.count() == 0


def test_the_ledger_s_add_form_writes_no_payment_and_leads_to_the_proposal(client_for, bureau_user, festival, person_a):
    client = client_for(bureau_user)
    add = reverse("admin:bureau_payment_add")

    shown = client.get(add)
    posted = client.post(
        add,
        {"person": person_a.pk, "programme": festival.pk, "amount": "800", "period": "2026", "paid_on": "2026-01-20"},
    )

    assert shown.status_code == 302 and shown.url == BULK
    assert posted.status_code == 302 and posted.url == BULK
    assert Payment.objects.count() == 0
    # One line on the proposal form is the add form's payment: a proposal, not a ledger row.
    propose(client, festival, f"{person_a.id_number} 800")
    assert PaymentProposal.objects.get().persons == 1 and Payment.objects.count() == 0


def test_the_proposal_page_shows_the_lines_masked(client_for, bureau_user, approver, festival, person_a):
    propose(client_for(bureau_user), festival, f"{person_a.id_number} 800")
    proposal = PaymentProposal.objects.get()

    page = client_for(approver).get(reverse("admin:bureau_paymentproposal_change", args=[proposal.pk])).content.decode()

    assert "<td>张*</td>" in page and person_a.id_number not in page
    assert f"{person_a.id_number[:4]}**********{person_a.id_number[-4:]}" in page
    assert reverse("admin:bureau_paymentproposal_approve", args=[proposal.pk]) in page
