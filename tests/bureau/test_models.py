import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bureau.models import FamilyLink, Payment, Person, PersonCategory, PreferentialCategory, ReviewStatus
from bureau.rules.payments.batches import payment_create
from bureau.rules.services import ScopeError, person_save, record_review
from tests.factories import BankAccountFactory, PaymentFactory, PaymentProgrammeFactory, PersonFactory, make_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def payee_a(person_a):
    """person_a with a bank account in use: a payment goes to one (bureau.rules.payments.held)."""
    BankAccountFactory(person=person_a)
    return person_a


def test_saving_a_person_derives_birth_date_and_gender_from_the_id_number(township_a):
    number = make_id_number(birth_date=datetime.date(1976, 8, 1), sequence=220, male=False)

    person = Person.objects.create(name="王芳", id_number=number, township=township_a)

    person.refresh_from_db()
    assert person.birth_date == datetime.date(1976, 8, 1)
    assert person.gender == Person.Gender.FEMALE


def test_a_gender_contradicting_the_id_number_is_refused(township_a):
    number = make_id_number(male=True)
    person = Person(name="王强", id_number=number, township=township_a, gender=Person.Gender.FEMALE)

    with pytest.raises(ValidationError) as error:
        person.full_clean()

    assert error.value.message_dict["gender"] == ["性别与身份证号不一致（身份证号第 17 位为奇数，应为男）。"]


def test_the_same_id_number_cannot_be_registered_twice(person_a, township_b):
    duplicate = Person(name="另一人", id_number=person_a.id_number.lower(), township=township_b)

    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()

    assert error.value.message_dict["id_number"] == ["该身份证号已登记。"]


def test_a_discharge_before_enlistment_is_refused(township_a):
    person = PersonFactory.build(
        township=township_a, enlisted_on=datetime.date(2015, 9, 1), discharged_on=datetime.date(2014, 9, 1)
    )

    with pytest.raises(ValidationError) as error:
        person.full_clean()

    assert error.value.message_dict["discharged_on"] == ["退役日期不能早于入伍日期。"]


def test_the_database_refuses_paying_one_person_twice_for_one_programme_and_period(person_a):
    programme = PaymentProgrammeFactory(code="spring-festival", name="春节慰问金")
    PaymentFactory(person=person_a, programme=programme, period="2021", amount="800.00")

    with pytest.raises(IntegrityError), transaction.atomic():
        # objects.create skips validation: the refusal comes from the database constraint.
        Payment.objects.create(
            person=person_a,
            programme=programme,
            period="2021",
            amount=Decimal("800.00"),
            paid_on=datetime.date(2021, 2, 1),
        )

    assert Payment.objects.filter(person=person_a, programme=programme).count() == 1


def test_the_payment_service_explains_a_second_payment_in_chinese(payee_a):
    programme = PaymentProgrammeFactory(code="monthly-pension", name="定期抚恤补助")
    paid_on = datetime.date(2021, 3, 10)
    payment_create(person=payee_a, programme=programme, amount=Decimal("1500.00"), period="2021-03", paid_on=paid_on)

    with pytest.raises(ValidationError) as error:
        payment_create(
            person=payee_a, programme=programme, amount=Decimal("1500.00"), period="2021-03", paid_on=paid_on
        )

    assert "该人员在此期间已领取过该项目资金，不能重复发放。" in error.value.messages
    # Another month of the same programme is a different period and is paid.
    payment_create(person=payee_a, programme=programme, amount=Decimal("1500.00"), period="2021-04", paid_on=paid_on)
    assert Payment.objects.filter(person=payee_a).count() == 2


# A monthly programme (the factory's): a month in any common spelling (2021/03 is read as 2021-03).
@pytest.mark.parametrize("period", ["2021-13", "21", "2021", ""])
def test_a_malformed_payment_period_is_refused(payee_a, period):
    programme = PaymentProgrammeFactory()

    with pytest.raises(ValidationError) as error:
        payment_create(
            person=payee_a, programme=programme, amount=Decimal("1"), period=period, paid_on=datetime.date(2021, 1, 1)
        )

    assert "period" in error.value.message_dict


def test_shares_must_add_up_to_the_amount(payee_a):
    programme = PaymentProgrammeFactory()

    with pytest.raises(ValidationError) as error:
        payment_create(
            person=payee_a,
            programme=programme,
            amount=Decimal("1000.00"),
            period="2021-06",
            paid_on=datetime.date(2021, 6, 1),
            fiscal_share=Decimal("700.00"),
            personal_share=Decimal("200.00"),
        )

    assert error.value.messages == ["财政负担与个人负担之和应等于金额。"]


def test_a_station_write_is_a_submission_and_a_bureau_write_is_approved(township_a, station_user_a, bureau_user):
    person = Person(name="赵一", id_number=make_id_number(sequence=301), township=township_a)

    person_save(person=person, by=station_user_a)
    assert person.review_status == ReviewStatus.SUBMITTED
    assert person.submitted_by == station_user_a

    person_save(person=person, by=bureau_user)
    assert person.review_status == ReviewStatus.APPROVED
    assert person.reviewed_by == bureau_user


def test_a_station_cannot_write_a_person_of_another_township(township_b, station_user_a):
    person = Person(name="越界", id_number=make_id_number(sequence=303), township=township_b)

    with pytest.raises(ScopeError):
        person_save(person=person, by=station_user_a)

    assert not Person.objects.filter(name="越界").exists()


def test_returning_a_submission_needs_a_reason(township_a, station_user_a, bureau_user):
    person = person_save(
        person=Person(name="钱二", id_number=make_id_number(sequence=305), township=township_a), by=station_user_a
    )

    with pytest.raises(ValidationError):
        record_review(record=person, by=bureau_user, approve=False, reason="  ")

    record_review(record=person, by=bureau_user, approve=False, reason="电话号码有误")
    person.refresh_from_db()
    assert person.review_status == ReviewStatus.RETURNED
    assert person.return_reason == "电话号码有误"


def test_reports_count_approved_records_only(township_a, station_user_a):
    PersonFactory(township=township_a, review_status=ReviewStatus.APPROVED)
    PersonFactory(township=township_a, review_status=ReviewStatus.SUBMITTED)
    PersonFactory(township=township_a, review_status=ReviewStatus.RETURNED)

    assert Person.objects.approved().count() == 1


def test_every_change_to_a_person_is_kept_in_history(person_a):
    person_a.phone = "13900000000"
    person_a.save()

    history = person_a.history.order_by("history_date")
    assert [h.history_type for h in history] == ["+", "~"]
    assert history.last().phone == "13900000000"


def test_holding_a_category_respects_its_dates(person_a, person_b):
    PersonCategory.objects.create(
        person=person_a, category=PreferentialCategory.DISABLED_SOLDIER, started_on=datetime.date(2010, 1, 1)
    )
    PersonCategory.objects.create(
        person=person_b,
        category=PreferentialCategory.DISABLED_SOLDIER,
        started_on=datetime.date(2010, 1, 1),
        ended_on=datetime.date(2020, 12, 31),
    )

    holders = Person.objects.holding(PreferentialCategory.DISABLED_SOLDIER, on=datetime.date(2021, 6, 30))

    assert list(holders) == [person_a]


def test_a_person_cannot_be_their_own_relative(person_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        FamilyLink.objects.create(person=person_a, relative=person_a, relation=FamilyLink.Relation.CHILD)
