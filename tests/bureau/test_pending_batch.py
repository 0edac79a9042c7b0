"""
Batch review of proposed changes (待审核修改): 审核通过所选修改 and 退回所选修改 on the list, each
change through `change_review` in its own savepoint, so the stale-change check holds as one by one.
"""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from bureau.models import PendingChange, Person
from tests.factories import PendingChangeFactory, PersonFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:bureau_pendingchange_changelist")


@pytest.fixture
def changes(township_a):
    proposals = []
    for index in range(3):
        person = PersonFactory(township=township_a)
        proposals.append(
            PendingChangeFactory(person=person, changes={"phone": {"old": person.phone, "new": f"1390000000{index}"}})
        )
    return proposals


def run(client, action, changes, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [change.pk for change in changes], **extra}
    return client.post(URL, data, follow=True)


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_batch_approval_applies_each_change_with_one_history_row(client_for, bureau_user, changes):
    before = {change.object_id: Person.objects.get(pk=change.object_id).history.count() for change in changes}

    response = run(client_for(bureau_user), "approve_selected", changes)

    assert "已审核通过 3 项修改。" in texts(response)
    for change in changes:
        change.refresh_from_db()
        person = Person.objects.get(pk=change.object_id)
        assert change.status == PendingChange.Status.APPROVED
        assert change.reviewed_by == bureau_user
        assert person.phone == change.changes["phone"]["new"]
        assert person.history.count() == before[person.pk] + 1


def test_a_stale_change_is_refused_with_its_message_and_the_others_apply(client_for, bureau_user, changes):
    stale = changes[1]
    person = Person.objects.get(pk=stale.object_id)
    person.phone = "13700000000"  # the bureau changed the field after the proposal
    person.save()

    response = run(client_for(bureau_user), "approve_selected", changes)

    messages = texts(response)
    assert "已审核通过 2 项修改。" in messages
    refusal = next(message for message in messages if "未处理" in message)
    assert stale.record_label in refusal
    assert "已被他人修改，不能直接应用" in refusal
    stale.refresh_from_db()
    assert stale.status == PendingChange.Status.PENDING
    assert Person.objects.get(pk=stale.object_id).phone == "13700000000"
    for change in (changes[0], changes[2]):
        change.refresh_from_db()
        assert change.status == PendingChange.Status.APPROVED


def test_a_reviewed_change_is_skipped(client_for, bureau_user, changes):
    PendingChange.objects.filter(pk=changes[0].pk).update(status=PendingChange.Status.RETURNED, return_reason="旧")

    response = run(client_for(bureau_user), "approve_selected", changes)

    messages = texts(response)
    assert "已审核通过 2 项修改。" in messages
    assert any("已跳过" in message for message in messages)
    changes[0].refresh_from_db()
    assert changes[0].return_reason == "旧"


def test_batch_return_asks_for_one_reason_and_returns_them_all(client_for, bureau_user, changes):
    client = client_for(bureau_user)

    confirm = run(client, "return_selected", changes)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "退回原因" in page and "确认退回" in page and "csrfmiddlewaretoken" in page
    assert PendingChange.objects.pending().count() == 3

    response = run(client, "return_selected", changes, apply="1", reason="电话号码请核实后重新提交")

    assert "已退回 3 项修改，服务站可查看原因。" in texts(response)
    for change in changes:
        change.refresh_from_db()
        assert change.status == PendingChange.Status.RETURNED
        assert change.return_reason == "电话号码请核实后重新提交"


def test_batch_return_without_a_reason_is_refused(client_for, bureau_user, changes):
    response = run(client_for(bureau_user), "return_selected", changes, apply="1", reason="   ")

    assert response.status_code == 200
    assert "退回时必须填写原因。" in response.content.decode()
    assert PendingChange.objects.pending().count() == 3


@pytest.mark.parametrize("role", ["station_user_a", "leader"])
def test_a_station_user_or_the_leadership_cannot_run_the_actions(request, client_for, changes, role):
    client = client_for(request.getfixturevalue(role))

    page = client.get(URL)
    if page.status_code == 200:
        body = page.content.decode()
        assert "审核通过所选修改" not in body
        assert "退回所选修改" not in body
    for action, extra in (("approve_selected", {}), ("return_selected", {"apply": "1", "reason": "原因"})):
        run(client, action, changes, **extra)
    assert PendingChange.objects.pending().count() == 3
    for change in changes:
        person = Person.objects.get(pk=change.object_id)
        assert person.phone == change.changes["phone"]["old"]
