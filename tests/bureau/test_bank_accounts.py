"""
Bank accounts (the core's, for every programme's payment lists): the number is personal data,
masked in every list, whole on the account's page for staff who may see it (an audited view),
never in a URL; one account in use per person; imported from a bank's list.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bureau.base.masking import mask_bank_account
from bureau.importexport import PortalXLSX
from bureau.importexport.records import BankAccountResource
from bureau.models import AuditEvent, BankAccount
from tests.bureau.test_import_export import xlsx_file
from tests.factories import BankAccountFactory

NUMBER = "6228480012345678901"
HEADERS = ["身份证号", "姓名", "开户银行", "银行账号", "户名", "在用"]


@pytest.fixture
def account(person_a):
    return BankAccountFactory(person=person_a, account_number=NUMBER, account_name=person_a.name)


def sensitive_views():
    return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW))


def test_the_list_masks_the_number_for_every_role(client_for, bureau_user, leader, account):
    for user in (bureau_user, leader):
        body = client_for(user).get("/admin/bureau/bankaccount/").content.decode()
        assert NUMBER not in body
        assert mask_bank_account(NUMBER) in body  # ***************8901
    assert sensitive_views() == []


def test_the_accounts_page_shows_the_number_to_bureau_staff_as_a_recorded_view(
    client_for, bureau_user, leader, account
):
    url = reverse("admin:bureau_bankaccount_change", args=[account.pk])

    masked = client_for(leader).get(url).content.decode()
    assert NUMBER not in masked and sensitive_views() == []

    whole = client_for(bureau_user).get(url).content.decode()
    assert f'value="{NUMBER}"' in whole
    [event] = sensitive_views()
    assert (event.user, event.object_id, event.fields) == (bureau_user, str(account.pk), "account_number")


def test_no_url_may_filter_on_the_number(client_for, bureau_user, account):
    response = client_for(bureau_user).get("/admin/bureau/bankaccount/", {"account_number__startswith": "6228"})

    assert response.status_code == 400
    assert "个人敏感信息" in response.content.decode()
    assert NUMBER not in response.content.decode()


def test_one_account_in_use_per_person_and_the_old_number_stays_in_the_history(account, person_a):
    second = BankAccount(person=person_a, bank="中国建设银行", account_number="6217001234567890", account_name="张甲")
    with pytest.raises(ValidationError) as refused:
        second.full_clean()
    assert refused.value.messages == ["该人员已有在用的银行账户；请先将原账户设为不在用。"]

    account.active = False
    account.save()
    second.full_clean()
    second.save()

    assert list(BankAccount.objects.filter(person=person_a, active=True)) == [second]
    assert [entry.active for entry in account.history.order_by("history_id")] == [True, False]


def test_an_account_number_must_be_digits(person_a):
    with pytest.raises(ValidationError) as refused:
        BankAccount(person=person_a, bank="农行", account_number="6228-4800", account_name="张甲").full_clean()
    assert refused.value.message_dict == {"account_number": ["银行账号应为 10 至 30 位数字。"]}


def test_a_banks_list_is_imported_and_the_same_list_again_writes_nothing(bureau_user, person_a):
    row = {
        "身份证号": person_a.id_number,
        "姓名": person_a.name,
        "开户银行": "中国农业银行",
        "银行账号": NUMBER,
        "户名": person_a.name,
        "在用": "是",
    }
    content = xlsx_file([row], HEADERS)

    first = BankAccountResource(user=bureau_user).import_data(PortalXLSX().create_dataset(content))
    again = BankAccountResource(user=bureau_user).import_data(PortalXLSX().create_dataset(content))
    numeric = BankAccountResource(user=bureau_user).import_data(
        PortalXLSX().create_dataset(xlsx_file([{**row, "银行账号": 6228480012345678901}], HEADERS))
    )

    assert first.row_messages == again.row_messages == []
    assert list(BankAccount.objects.values_list("person", "account_number", "active")) == [(person_a.pk, NUMBER, True)]
    assert BankAccount.history.count() == 1
    assert numeric.row_messages == ["第 2 行：银行账号必须以文本格式填写。"]
