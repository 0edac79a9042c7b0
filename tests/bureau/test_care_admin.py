"""
The admin and Excel import of visits and check-ups (bureau.admin.care, bureau.importexport.care):
the ledger row written on every path (the form, the approve action, an import), a ledger refusal
as a message, health results and ID numbers masked for roles without the right.
"""

import datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from bureau.importexport import PortalXLSX
from bureau.importexport.care import CheckUpResource, VisitResource
from bureau.models import CheckUp, Payment, ReviewStatus, Visit
from bureau.rules.payments.visits import VISIT_DUPLICATE
from tests.factories import (
    BankAccountFactory,
    CheckUpBatchFactory,
    CheckUpFactory,
    PayeeFactory,
    PaymentFactory,
    PaymentProgrammeFactory,
    VisitFactory,
)

VISITS = reverse("admin:bureau_visit_changelist")


@pytest.fixture
def person_a(person_a):
    """Paid in these tests: a bank account in use (without one the money is held: bureau.rules.payments.held)."""
    BankAccountFactory(person=person_a)
    return person_a


@pytest.fixture
def spring(db):
    # Paid yearly: a visit paying it pays its year (the programme keys the period).
    return PaymentProgrammeFactory(code="spring-festival", name="春节慰问金", frequency="annual")


def visit_form(person, programme, **fields):
    data = {
        "area": "pensions",
        "occasion": "spring_festival",
        "person": person.pk,
        "hardship_category": "hardship_veteran",
        "visited_on": "2021-01-28",
        "visitor": "局机关走访组",
        "amount": "800.00",
        "programme": programme.pk,
        "note": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    return {**data, **fields}


def xlsx(headers, rows) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_a_visit_added_in_the_admin_is_approved_and_paid(client_for, bureau_user, person_a, spring):
    response = client_for(bureau_user).post(reverse("admin:bureau_visit_add"), visit_form(person_a, spring))

    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.review_status, visit.township) == (ReviewStatus.APPROVED, person_a.township)
    assert list(Payment.objects.values_list("person_id", "programme_id", "amount", "period")) == [
        (person_a.pk, spring.pk, Decimal("800.00"), "2021")
    ]
    page = client_for(bureau_user).get(reverse("admin:bureau_visit_change", args=[visit.pk])).content.decode()
    assert "春节慰问金 800.00 元（2021）" in page


def test_a_second_payment_in_the_month_is_a_form_error(client_for, bureau_user, person_a, spring):
    PaymentFactory(person=person_a, programme=spring, period="2021")

    response = client_for(bureau_user).post(reverse("admin:bureau_visit_add"), visit_form(person_a, spring))

    assert response.status_code == 200
    assert VISIT_DUPLICATE in response.content.decode()
    assert Visit.objects.count() == 0


def test_approving_submissions_in_the_list_pays_them(client_for, bureau_user, person_a, spring):
    visits = [
        VisitFactory(person=person_a, amount=Decimal("500.00"), programme=spring, review_status=ReviewStatus.SUBMITTED),
        VisitFactory(
            person=PayeeFactory(township=person_a.township),
            amount=Decimal("650.00"),
            programme=spring,
            review_status=ReviewStatus.SUBMITTED,
        ),
    ]
    assert Payment.objects.count() == 0

    client_for(bureau_user).post(
        VISITS, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [visit.pk for visit in visits]}
    )

    assert sorted(Payment.objects.values_list("amount", flat=True)) == [Decimal("500.00"), Decimal("650.00")]


def test_an_approval_the_ledger_refuses_is_a_message_and_approves_nothing(client_for, bureau_user, person_a, spring):
    # Submitted before the person was paid by a list: the approval cannot pay it.
    visit = VisitFactory(
        person=person_a,
        visited_on=datetime.date(2021, 1, 28),
        amount=Decimal("500.00"),
        programme=spring,
        review_status=ReviewStatus.SUBMITTED,
    )
    other = VisitFactory(amount=Decimal("300.00"), programme=spring, review_status=ReviewStatus.SUBMITTED)
    PaymentFactory(person=person_a, programme=spring, period="2021", amount="999.00")

    response = client_for(bureau_user).post(
        VISITS, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [visit.pk, other.pk]}, follow=True
    )

    assert response.status_code == 200
    earlier = f"{person_a.name} 已于 2021-01-15 领取“春节慰问金”2021 年 999.00 元，不能重复发放。"
    assert f"未审核通过任何记录：{VISIT_DUPLICATE}{earlier}" in [str(m) for m in response.context["messages"]]
    assert set(Visit.objects.values_list("review_status", flat=True)) == {ReviewStatus.SUBMITTED}
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("999.00")]


VISIT_HEADERS = [
    "身份证号",
    "姓名",
    "业务领域",
    "走访事由",
    "帮扶类别",
    "走访日期",
    "走访人",
    "慰问金（元）",
    "资金项目",
]


def test_an_import_of_visits_by_the_bureau_pays_each_row(bureau_user, person_a, spring):
    second = PayeeFactory(name="王二", township=person_a.township)
    content = xlsx(
        VISIT_HEADERS,
        [
            [
                person_a.id_number,
                "张甲",
                "优待抚恤",
                "春节",
                "困难军队退役人员",
                "2021-01-28",
                "走访组",
                800,
                "春节慰问金",
            ],
            [second.id_number, "王二", "优待抚恤", "春节", "", "2021-02-02", "走访组", "1200.5", "春节慰问金"],
            [second.id_number, "王二", "优待抚恤", "八一建军节", "", "2021-08-01", "走访组", None, None],
        ],
    )

    result = VisitResource(user=bureau_user).import_data(PortalXLSX().create_dataset(content))

    assert result.row_messages == []
    assert Visit.objects.count() == 3
    assert sorted(Payment.objects.values_list("person_id", "amount", "period", "paid_on")) == sorted(
        [
            (person_a.pk, Decimal("800.00"), "2021", datetime.date(2021, 1, 28)),
            (second.pk, Decimal("1200.50"), "2021", datetime.date(2021, 2, 2)),
        ]
    )
    assert set(Visit.objects.exclude(amount=None).values_list("payment__amount", flat=True)) == {
        Decimal("800.00"),
        Decimal("1200.50"),
    }


def test_an_import_changing_an_amount_moves_the_row(bureau_user, person_a, spring):
    headers = VISIT_HEADERS
    row = [person_a.id_number, "张甲", "优待抚恤", "春节", "", "2021-01-28", "走访组", 800, "春节慰问金"]
    VisitResource(user=bureau_user).import_data(PortalXLSX().create_dataset(xlsx(headers, [row])))

    row[7] = 950
    result = VisitResource(user=bureau_user).import_data(PortalXLSX().create_dataset(xlsx(headers, [row])))

    assert result.row_messages == []
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("950.00")]


def test_two_rows_paying_the_same_month_refuse_the_file(bureau_user, person_a, spring):
    content = xlsx(
        VISIT_HEADERS,
        [
            [person_a.id_number, "张甲", "优待抚恤", "春节", "", "2021-01-28", "走访组", 800, "春节慰问金"],
            [person_a.id_number, "张甲", "优待抚恤", "困难帮扶", "", "2021-01-30", "走访组", 500, "春节慰问金"],
        ],
    )

    result = VisitResource(user=bureau_user).import_data(PortalXLSX().create_dataset(content))

    assert result.row_messages == [
        f"第 3 行：{VISIT_DUPLICATE}（文件中另有一行同一人员、同一资金项目、同一期间的发放。）"
    ]
    assert (Visit.objects.count(), Payment.objects.count()) == (0, 0)


def test_a_stations_import_pays_nothing(station_user_a, person_a, spring):
    content = xlsx(
        VISIT_HEADERS,
        [[person_a.id_number, "张甲", "优待抚恤", "春节", "", "2021-01-28", "走访组", 800, "春节慰问金"]],
    )

    result = VisitResource(user=station_user_a).import_data(PortalXLSX().create_dataset(content))

    assert result.row_messages == []
    assert list(Visit.objects.values_list("review_status", flat=True)) == [ReviewStatus.SUBMITTED]
    assert Payment.objects.count() == 0


def test_a_hospitals_list_of_check_ups_is_imported(bureau_user, person_a):
    batch = CheckUpBatchFactory(title="2021年重点优抚对象体检", start_date=datetime.date(2021, 5, 10))
    content = xlsx(
        ["体检批次", "身份证号", "姓名", "体检方式", "体检日期", "体检结果摘要"],
        [["2021年重点优抚对象体检", person_a.id_number, "张甲", "上门体检", "2021-05-11", "血压正常。"]],
    )

    result = CheckUpResource(user=bureau_user).import_data(PortalXLSX().create_dataset(content))

    assert result.row_messages == []
    checkup = CheckUp.objects.get()
    assert (checkup.batch, checkup.person, checkup.mode, checkup.township) == (
        batch,
        person_a,
        CheckUp.Mode.HOME_VISIT,
        person_a.township,
    )


def test_leadership_sees_health_results_and_id_numbers_masked(client_for, leader, person_a):
    CheckUpFactory(person=person_a, result_summary="心电图异常，建议复查。")
    client = client_for(leader)

    listing = client.get(reverse("admin:bureau_checkup_changelist")).content.decode()
    export = CheckUpResource(user=leader).export()

    assert "心电图异常" not in listing and "（已隐藏）" in listing
    assert person_a.id_number not in listing
    assert list(export["体检结果摘要"]) == ["（已隐藏）"]
    assert list(export["身份证号"]) == [f"{person_a.id_number[:4]}**********{person_a.id_number[-4:]}"]


def test_bureau_staff_read_the_result_on_the_check_ups_page(client_for, bureau_user, person_a):
    checkup = CheckUpFactory(person=person_a, result_summary="心电图异常，建议复查。")

    page = client_for(bureau_user).get(reverse("admin:bureau_checkup_change", args=[checkup.pk])).content.decode()

    assert "心电图异常，建议复查。" in page


def test_the_batch_page_links_its_check_ups(client_for, bureau_user):
    batch = CheckUpBatchFactory()
    CheckUpFactory.create_batch(3, batch=batch)
    client = client_for(bureau_user)

    page = client.get(reverse("admin:bureau_checkupbatch_change", args=[batch.pk])).content.decode()
    filtered = client.get(f"{reverse('admin:bureau_checkup_changelist')}?batch__id__exact={batch.pk}")

    assert "3 人" in page
    assert filtered.context["cl"].result_count == 3


def test_a_visits_ledger_row_is_read_only_in_the_ledger(client_for, bureau_user, person_a, spring):
    client = client_for(bureau_user)
    client.post(reverse("admin:bureau_visit_add"), visit_form(person_a, spring))
    payment = Payment.objects.get()
    url = reverse("admin:bureau_payment_change", args=[payment.pk])

    page = client.get(url)
    refused = client.post(url, {"person": person_a.pk, "programme": spring.pk, "amount": "1.00", "period": "2021"})

    assert page.status_code == 200
    assert "请在该记录中修改" in page.content.decode()
    assert refused.status_code == 403
    assert Payment.objects.get().amount == Decimal("800.00")
