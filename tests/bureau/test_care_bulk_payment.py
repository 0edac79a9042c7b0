"""
批量发放 (PaymentAdmin.bulk_payment_view, bureau.rules.payments.lists): a pasted list of 身份证号 金额 is
previewed masked with its total and kept, on confirm, as a proposal that a second clerk approves
(bureau.rules.payments.proposals), which pays it as one batch; any bad line proposes nothing, and nobody
is paid twice.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from bureau import roles
from bureau.models import Payment, PaymentBatch, PaymentProgramme, PaymentProposal, User
from bureau.rules.payments.proposals import payment_proposal_approve
from tests.factories import (
    BankAccountFactory,
    PayeeFactory,
    PaymentProgrammeFactory,
    UserFactory,
    make_id_number,
)

URL = reverse("admin:bureau_payment_bulk")


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
def medical(db):
    # Paid yearly (the programme exists by migration: `django_get_or_create` on its code).
    return PaymentProgrammeFactory(
        code="key-medical-subsidy", name="重点优抚对象医疗补助", frequency=PaymentProgramme.Frequency.ANNUAL
    )


@pytest.fixture
def approver(db):
    return UserFactory(username="clerk2", first_name="复核", is_staff=True, groups=[roles.BUREAU_STAFF])


def form(programme, lines: str, **extra) -> dict:
    return {"programme": programme.pk, "period": "2021", "paid_on": "2021-06-18", "lines": lines, **extra}


def test_the_list_is_previewed_masked_then_proposed_and_paid_exactly_once_approved(
    client_for, bureau_user, approver, medical, person_a, township_a
):
    second = PayeeFactory(name="王二", township=township_a)
    text = f"{person_a.id_number}\t1200.50\n\n{second.id_number}，800元\n"
    client = client_for(bureau_user)

    preview = client.post(URL, {**form(medical, text), "preview": "预览"})

    assert preview.status_code == 200
    assert Payment.objects.count() == 0
    page = preview.content.decode()
    assert "<td>张*</td>" in page and "<td>王*</td>" in page
    assert f"<td>{person_a.id_number[:4]}**********{person_a.id_number[-4:]}</td>" in page
    assert preview.context["preview"]["total"] == Decimal("2000.50")
    assert [line.line for line in preview.context["preview"]["lines"]] == [1, 3]

    done = client.post(URL, {**form(medical, text), "confirm": "提交发放申请"})

    # One clerk's 批量发放 pays nobody: it is a proposal awaiting a second clerk.
    proposal = PaymentProposal.objects.get()
    assert done.status_code == 302
    assert done.url == reverse("admin:bureau_paymentproposal_change", args=[proposal.pk])
    assert (proposal.status, proposal.prepared_by, proposal.persons, proposal.total) == (
        PaymentProposal.Status.PENDING,
        bureau_user,
        2,
        Decimal("2000.50"),
    )
    assert Payment.objects.count() == 0 and PaymentBatch.objects.count() == 0
    page = client.get(done.url).content.decode()
    assert "<td>张*</td>" in page and person_a.id_number not in page

    payment_proposal_approve(proposal=proposal, by=approver)

    batch = PaymentBatch.objects.get()
    assert (batch.title, batch.paid_on, batch.created_by) == (
        "重点优抚对象医疗补助 2021 批量发放",
        datetime.date(2021, 6, 18),
        approver,
    )
    assert sorted(Payment.objects.values_list("person_id", "amount", "period", "paid_on", "batch_id")) == sorted(
        [
            (person_a.pk, Decimal("1200.50"), "2021", datetime.date(2021, 6, 18), batch.pk),
            (second.pk, Decimal("800.00"), "2021", datetime.date(2021, 6, 18), batch.pk),
        ]
    )
    assert client.get(f"{reverse('admin:bureau_payment_changelist')}?batch__id__exact={batch.pk}").status_code == 200


def test_a_second_confirm_proposes_nobody_twice_and_a_paid_person_is_named(
    client_for, bureau_user, approver, medical, person_a
):
    client = client_for(bureau_user)
    data = {**form(medical, f"{person_a.id_number} 500"), "confirm": "提交发放申请"}
    client.post(URL, data)

    again = client.post(URL, data)

    assert again.status_code == 200
    proposal = PaymentProposal.objects.get()
    assert again.context["line_errors"] == [f"第 1 行：张*已在待审批的发放申请“{proposal}”中，不能重复申请。"]

    payment_proposal_approve(proposal=proposal, by=approver)
    after = client.post(URL, data)

    assert after.context["line_errors"] == [
        "第 1 行：张* 已于 2021-06-18 领取“重点优抚对象医疗补助”2021 年 500.00 元"
        "（批次“重点优抚对象医疗补助 2021 批量发放”），不能重复发放。"
    ]
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("500.00")]
    assert PaymentBatch.objects.count() == 1 and PaymentProposal.objects.count() == 1


def test_bad_lines_are_named_and_nothing_is_paid(client_for, bureau_user, medical, person_a, person_b):
    unknown = make_id_number(birth_date=datetime.date(1960, 1, 1), sequence=999)
    wrong_check_digit = person_a.id_number[:17] + ("0" if person_a.id_number[17] != "0" else "1")
    text = "\n".join(
        [
            f"{person_a.id_number} 300",
            f"{wrong_check_digit} 300",
            f"{unknown} 300",
            f"{person_a.id_number} 200",
            f"{make_id_number(birth_date=datetime.date(1961, 2, 2), sequence=555)} 0.001",
            "只有一列",
        ]
    )

    response = client_for(bureau_user).post(URL, {**form(medical, text), "confirm": "提交发放申请"})

    assert response.status_code == 200
    assert not PaymentProposal.objects.exists()
    assert response.context["line_errors"] == [
        f"第 2 行：{wrong_check_digit[:4]}**********{wrong_check_digit[-4:]}，身份证号校验位错误，请核对号码。",
        f"第 3 行：身份证号 {unknown[:4]}**********{unknown[-4:]} 未在人员库中登记，或不在您的管辖范围内。",
        "第 4 行：与第 1 行是同一人，同一期间只能发放一次。",
        "第 5 行：金额“0.001”须为大于 0 的数字，且最多两位小数。",
        "第 6 行：应为“身份证号 金额”两项，以空格、制表符或逗号分隔。",
    ]
    assert Payment.objects.count() == 0
    assert PaymentBatch.objects.count() == 0


def test_a_person_outside_the_users_townships_is_refused(client_for, medical, person_a, person_b, township_a):
    # A bureau account limited to one township (no view of all townships) cannot pay township B.
    clerk_a = UserFactory(username="clerk_a", is_staff=True, township=township_a)
    clerk_a.user_permissions.add(*_permissions("add_paymentproposal", "add_payment", "view_payment"))
    clerk_a = User.objects.get(pk=clerk_a.pk)
    text = f"{person_a.id_number} 100\n{person_b.id_number} 100"

    response = client_for(clerk_a).post(URL, {**form(medical, text), "confirm": "提交发放申请"})

    assert response.context["line_errors"] == [
        f"第 2 行：身份证号 {person_b.id_number[:4]}**********{person_b.id_number[-4:]} "
        "未在人员库中登记，或不在您的管辖范围内。"
    ]
    assert Payment.objects.count() == 0 and not PaymentProposal.objects.exists()


def _permissions(*codenames):
    return Permission.objects.filter(content_type__app_label="bureau", codename__in=codenames)


def test_proposing_in_bulk_needs_the_permission_to_prepare_payments(client_for, leader, medical, person_a):
    client = client_for(leader)

    assert client.get(URL).status_code == 403
    assert (
        client.post(URL, {**form(medical, f"{person_a.id_number} 100"), "confirm": "提交发放申请"}).status_code == 403
    )
    assert Payment.objects.count() == 0 and not PaymentProposal.objects.exists()


def test_the_ledger_list_links_the_page_for_who_may_pay(client_for, bureau_user, leader):
    changelist = reverse("admin:bureau_payment_changelist")

    assert URL in client_for(bureau_user).get(changelist).content.decode()
    assert URL not in client_for(leader).get(changelist).content.decode()


def test_a_programme_paid_only_by_its_run_is_refused_by_hand(client_for, bureau_user, person_a):
    pension = PaymentProgrammeFactory(
        code="periodic", name="定期抚恤补助", frequency=PaymentProgramme.Frequency.MONTHLY, paid_by_run=True
    )
    data = {**form(pension, f"{person_a.id_number} 100", period="2026-03"), "confirm": "提交发放申请"}

    response = client_for(bureau_user).post(URL, data)

    assert response.context["line_errors"] == ["“定期抚恤补助”只能通过核算发放批次发放。"]
    assert not PaymentProposal.objects.exists() and not Payment.objects.exists()
