"""A station learns in the portal that the bureau returned or approved what it submitted."""

import pytest
from django.urls import reverse

from bureau.models import Notice, PendingChange, Person, ReviewStatus
from bureau.rules.services import change_review, record_review
from tests.factories import PendingChangeFactory, VisitFactory

pytestmark = pytest.mark.django_db

HOME = reverse("station:home")
READ_ALL = reverse("station:notices_read_all")


@pytest.fixture
def submitted_visit(person_a, station_user_a):
    return VisitFactory(person=person_a, review_status=ReviewStatus.SUBMITTED, submitted_by=station_user_a)


def only_notice():
    [notice] = Notice.objects.all()
    return notice


def test_a_returned_record_is_a_notice_with_the_reason(submitted_visit, bureau_user, station_user_a):
    record_review(record=submitted_visit, by=bureau_user, approve=False, reason="照片不清楚，请重新上传")
    notice = only_notice()
    assert notice.recipient == station_user_a
    assert notice.audience == Notice.Audience.USER
    assert notice.text == f"区局已退回您提交的“走访慰问 {submitted_visit}”：照片不清楚，请重新上传"
    assert notice.url == f"/station/pensions/visits/{submitted_visit.pk}/edit/"
    assert notice.read_at is None


def test_an_approved_record_is_a_notice(submitted_visit, bureau_user, station_user_a):
    record_review(record=submitted_visit, by=bureau_user, approve=True)
    notice = only_notice()
    assert notice.recipient == station_user_a
    assert notice.text == f"区局已审核通过您提交的“走访慰问 {submitted_visit}”。"


def test_the_bureaus_own_record_is_no_notice(person_a, bureau_user):
    visit = VisitFactory(person=person_a, review_status=ReviewStatus.SUBMITTED, submitted_by=bureau_user)
    record_review(record=visit, by=bureau_user, approve=False, reason="重填")
    assert not Notice.objects.exists()


def test_a_proposed_change_returned_or_approved_is_a_notice(person_a, station_user_a, bureau_user):
    change = PendingChangeFactory(person=person_a, proposed_by=station_user_a)
    change_review(change=change, by=bureau_user, approve=False, reason="电话号码有误")
    returned = only_notice()
    assert returned.recipient == station_user_a
    assert returned.text == "区局已退回您对“人员 张甲”提议的修改：电话号码有误"
    assert returned.url == f"/station/people/{person_a.pk}/edit/"

    again = PendingChangeFactory(person=person_a, proposed_by=station_user_a)
    change_review(change=again, by=bureau_user, approve=True)
    assert PendingChange.objects.get(pk=again.pk).status == PendingChange.Status.APPROVED
    approved = Notice.objects.exclude(pk=returned.pk).get()
    assert approved.text == "区局已审核通过您对“人员 张甲”提议的修改。"
    assert Person.objects.get(pk=person_a.pk).phone == "13900000000"


def test_home_shows_unread_notices_and_following_one_marks_it_read(
    client_for, submitted_visit, bureau_user, station_user_a
):
    record_review(record=submitted_visit, by=bureau_user, approve=False, reason="照片不清楚")
    notice = only_notice()
    client = client_for(station_user_a)
    home = client.get(HOME).content.decode()
    assert "照片不清楚" in home and "全部标为已读" in home
    opened = client.get(reverse("station:notice_open", args=[notice.pk]))
    assert opened.status_code == 302
    assert opened.url == f"/station/pensions/visits/{submitted_visit.pk}/edit/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "照片不清楚" not in client.get(HOME).content.decode()


def test_another_users_notice_is_a_404(client_for, station_user_a, station_user_b):
    notice = Notice.objects.create(
        recipient=station_user_a, text="区局已审核通过您提交的“人员 张甲”。", url="/station/"
    )
    client = client_for(station_user_b)
    assert client.get(reverse("station:notice_open", args=[notice.pk])).status_code == 404
    assert client.post(READ_ALL).status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_is_a_post_of_the_users_own_notices(client_for, station_user_a, station_user_b):
    mine = [Notice.objects.create(recipient=station_user_a, text=f"提醒{n}", url="/station/") for n in range(3)]
    theirs = Notice.objects.create(recipient=station_user_b, text="乙镇的提醒", url="/station/")
    client = client_for(station_user_a)
    assert client.get(READ_ALL).status_code == 405
    response = client.post(READ_ALL, follow=True)
    assert response.redirect_chain[-1][0] == HOME
    assert "已将 3 条提醒标为已读。" in response.content.decode()
    assert Notice.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_notice_never_sends_off_the_site(client_for, station_user_a):
    notice = Notice.objects.create(recipient=station_user_a, text="提醒", url="https://evil.example/")
    response = client_for(station_user_a).get(reverse("station:notice_open", args=[notice.pk]))
    assert response.status_code == 302
    assert response.url == HOME
