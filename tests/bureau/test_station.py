"""The station portal: a station clerk sees and submits their own township's people, nobody else's."""

import datetime

import pytest
from django.urls import reverse

from bureau.models import Person, ReviewStatus
from tests.factories import PersonFactory, make_id_number

pytestmark = pytest.mark.django_db

HOME = reverse("station:home")
LOGIN = reverse("station:login")
SUBMISSIONS = reverse("station:submissions")
CREATE = reverse("station:person_create")


def person_data(**overrides) -> dict:
    data = {
        "name": "王新兵",
        "id_number": make_id_number(birth_date=datetime.date(1985, 6, 15), sequence=271, male=True),
        "gender": "",
        "phone": "13812345678",
        "address": "甲镇幸福村 1 号",
        "status": Person.Status.VETERAN,
        "branch": Person.Branch.ARMY,
        "enlisted_on": "2003-12-01",
        "discharged_on": "2005-12-01",
        "rank": "上等兵",
        "discharge_route": Person.DischargeRoute.SELF_EMPLOYED,
        "notes": "",
    }
    data.update(overrides)
    return data


def with_wrong_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


# Access


def test_login_page_renders_in_chinese_with_bureau_name(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    content = response.content.decode()
    assert "本区退役军人事务局" in content
    assert "用户名" in content and "密码" in content and "登录" in content
    assert '<meta name="viewport"' in content
    assert "/static/css/site.css" in content


def test_station_user_logs_in_with_password_and_lands_on_home(client, station_user_a):
    response = client.post(LOGIN, {"username": "station_a", "password": "test-password-123"}, follow=True)
    assert response.redirect_chain[-1][0] == HOME
    assert "甲镇退役军人服务站" in response.content.decode()


def test_logout_is_a_post_and_returns_to_login(client_for, station_user_a):
    client = client_for(station_user_a)
    response = client.post(reverse("station:logout"))
    assert response.status_code == 302
    assert response.url == LOGIN
    assert client.get(HOME).status_code == 302


@pytest.mark.parametrize("url", [HOME, SUBMISSIONS, CREATE])
def test_anonymous_user_is_redirected_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={url}"


@pytest.mark.parametrize("user_fixture", ["bureau_user", "leader", "auditor", "superuser"])
def test_non_station_users_get_a_403_pointing_to_admin(request, client_for, user_fixture):
    client = client_for(request.getfixturevalue(user_fixture))
    response = client.get(HOME)
    assert response.status_code == 403
    content = response.content.decode()
    assert "服务站门户仅供服务站工作人员使用" in content
    assert 'href="/admin/"' in content


def test_station_user_without_township_gets_a_403(client_for, station_user_a):
    station_user_a.township = None
    station_user_a.save()
    response = client_for(station_user_a).get(HOME)
    assert response.status_code == 403
    assert "尚未设置所属乡镇" in response.content.decode()


def test_unknown_url_shows_the_chinese_404_page(client, settings):
    settings.DEBUG = False
    response = client.get("/station/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


# Home


def test_home_counts_own_township_people_by_review_status(client_for, station_user_a, township_a, person_b):
    PersonFactory.create_batch(2, township=township_a, review_status=ReviewStatus.SUBMITTED)
    PersonFactory(township=township_a, review_status=ReviewStatus.RETURNED, return_reason="照片缺失")
    PersonFactory(township=township_a, review_status=ReviewStatus.APPROVED)
    response = client_for(station_user_a).get(HOME)
    assert response.status_code == 200
    counts = {item["value"]: item["count"] for item in response.context["status_counts"]}
    assert counts == {"draft": 0, "submitted": 2, "approved": 1, "returned": 1}
    assert response.context["total"] == 4
    content = response.content.decode()
    assert "甲镇" in content
    assert CREATE in content and SUBMISSIONS in content


# Submissions list


def test_list_shows_own_township_only(client_for, station_user_a, person_a, person_b):
    response = client_for(station_user_a).get(SUBMISSIONS)
    content = response.content.decode()
    assert response.status_code == 200
    assert "张甲" in content
    assert "李乙" not in content


def test_list_masks_the_id_number_also_for_station_staff_holding_the_permission(client_for, station_user_a, person_a):
    content = client_for(station_user_a).get(SUBMISSIONS).content.decode()
    assert person_a.id_number not in content
    assert f"{person_a.id_number[:4]}**********{person_a.id_number[-4:]}" in content


def test_list_masks_id_number_without_the_sensitive_permission(client_for, station_user_a, person_a):
    from django.contrib.auth.models import Permission

    # A station group without the permission (a stricter installation) sees the masked number.
    group = station_user_a.groups.get()
    group.permissions.remove(Permission.objects.get(codename="view_sensitive_person"))
    content = client_for(station_user_a).get(SUBMISSIONS).content.decode()
    assert person_a.id_number not in content
    assert f"{person_a.id_number[:4]}**********{person_a.id_number[-4:]}" in content


def test_list_shows_return_reason_of_returned_person(client_for, station_user_a, township_a):
    PersonFactory(name="赵退回", township=township_a, review_status=ReviewStatus.RETURNED, return_reason="缺少退伍证")
    content = client_for(station_user_a).get(SUBMISSIONS).content.decode()
    assert "已退回" in content
    assert "退回原因：缺少退伍证" in content


def test_list_filters_by_status(client_for, station_user_a, township_a):
    PersonFactory(name="钱待审", township=township_a, review_status=ReviewStatus.SUBMITTED)
    PersonFactory(name="孙已过", township=township_a, review_status=ReviewStatus.APPROVED)
    content = client_for(station_user_a).get(SUBMISSIONS, {"status": "submitted"}).content.decode()
    assert "钱待审" in content
    assert "孙已过" not in content


def test_list_ignores_unknown_status(client_for, station_user_a, person_a):
    response = client_for(station_user_a).get(SUBMISSIONS, {"status": "nonsense"})
    assert response.status_code == 200
    assert "张甲" in response.content.decode()


def test_list_searches_by_name_within_own_township(client_for, station_user_a, township_a, township_b):
    PersonFactory(name="周找到", township=township_a)
    PersonFactory(name="吴不找", township=township_a)
    PersonFactory(name="周别镇", township=township_b)
    content = client_for(station_user_a).get(SUBMISSIONS, {"q": "周"}).content.decode()
    assert "周找到" in content
    assert "吴不找" not in content
    assert "周别镇" not in content


def test_list_paginates_twenty_per_page(client_for, station_user_a, township_a):
    PersonFactory.create_batch(25, township=township_a)
    client = client_for(station_user_a)
    first = client.get(SUBMISSIONS)
    second = client.get(SUBMISSIONS, {"page": 2})
    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 5
    assert "第 1 / 2 页（共 25 条）" in first.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "1.5", ""])
def test_bad_page_number_is_not_a_server_error(client_for, station_user_a, person_a, page):
    response = client_for(station_user_a).get(SUBMISSIONS, {"page": page})
    assert response.status_code == 200
    assert "张甲" in response.content.decode()


def test_empty_list_invites_to_register(client_for, station_user_a, person_b):
    content = client_for(station_user_a).get(SUBMISSIONS).content.decode()
    assert "还没有提交记录" in content
    assert f'href="{CREATE}"' in content


# Register and edit


def test_register_person_creates_submitted_record_in_own_township(client_for, station_user_a, township_a):
    id_number = make_id_number(birth_date=datetime.date(1985, 6, 15), sequence=271, male=True)
    response = client_for(station_user_a).post(CREATE, person_data(id_number=id_number), follow=True)
    assert response.redirect_chain[-1][0] == SUBMISSIONS
    assert "已提交，等待区局审核" in response.content.decode()
    person = Person.objects.get(id_number=id_number)
    assert person.township == township_a
    assert person.review_status == ReviewStatus.SUBMITTED
    assert person.submitted_by == station_user_a
    assert person.birth_date == datetime.date(1985, 6, 15)
    assert person.gender == Person.Gender.MALE


def test_register_derives_female_gender_from_id(client_for, station_user_a):
    id_number = make_id_number(birth_date=datetime.date(1990, 2, 28), sequence=40, male=False)
    client_for(station_user_a).post(CREATE, person_data(id_number=id_number))
    person = Person.objects.get(id_number=id_number)
    assert person.gender == Person.Gender.FEMALE
    assert person.birth_date == datetime.date(1990, 2, 28)


def test_posted_township_is_ignored(client_for, station_user_a, township_a, township_b):
    data = person_data(township=township_b.pk)
    client_for(station_user_a).post(CREATE, data)
    person = Person.objects.get(id_number=data["id_number"])
    assert person.township == township_a


def test_posted_review_status_is_ignored(client_for, station_user_a):
    data = person_data(review_status=ReviewStatus.APPROVED)
    client_for(station_user_a).post(CREATE, data)
    assert Person.objects.get(id_number=data["id_number"]).review_status == ReviewStatus.SUBMITTED


def test_wrong_check_digit_shows_chinese_message_and_saves_nothing(client_for, station_user_a):
    data = person_data(id_number=with_wrong_check_digit(make_id_number(sequence=15)))
    response = client_for(station_user_a).post(CREATE, data)
    assert response.status_code == 200
    assert "身份证号校验位错误，请核对号码。" in response.content.decode()
    assert Person.objects.count() == 0


def test_impossible_birth_date_shows_chinese_message(client_for, station_user_a):
    body = "32010219800230123"  # 30 February 1980
    data = person_data(id_number=body + "0")
    response = client_for(station_user_a).post(CREATE, data)
    assert response.status_code == 200
    assert "身份证号中的出生日期不存在。" in response.content.decode()
    assert Person.objects.count() == 0


def test_duplicate_id_number_is_answered_like_any_registration(client_for, station_user_a, person_b):
    # The number is in another township: the station learns neither that nor where (issue 23);
    # the bureau gets a transfer request (tests/bureau/test_transfer_requests.py).
    response = client_for(station_user_a).post(CREATE, person_data(id_number=person_b.id_number), follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    assert "已提交，等待区局审核" in content
    assert "该身份证号已登记。" not in content
    assert "李乙" not in content
    assert Person.objects.count() == 1


def test_gender_contradicting_id_is_refused(client_for, station_user_a):
    data = person_data(id_number=make_id_number(sequence=31, male=True), gender=Person.Gender.FEMALE)
    response = client_for(station_user_a).post(CREATE, data)
    assert response.status_code == 200
    assert "性别与身份证号不一致" in response.content.decode()
    assert Person.objects.count() == 0


def test_discharge_before_enlistment_is_refused(client_for, station_user_a):
    data = person_data(enlisted_on="2005-12-01", discharged_on="2003-12-01")
    response = client_for(station_user_a).post(CREATE, data)
    assert response.status_code == 200
    assert "退役日期不能早于入伍日期。" in response.content.decode()
    assert Person.objects.count() == 0


def test_missing_name_is_a_form_error_not_a_crash(client_for, station_user_a):
    response = client_for(station_user_a).post(CREATE, person_data(name=""))
    assert response.status_code == 200
    assert "该字段是必填项。" in response.content.decode()


def test_register_form_uses_date_inputs_and_has_no_township_field(client_for, station_user_a):
    content = client_for(station_user_a).get(CREATE).content.decode()
    assert 'type="date" name="enlisted_on"' in content
    assert 'name="township"' not in content
    assert 'name="review_status"' not in content


def test_editing_a_returned_person_resubmits_it(client_for, station_user_a, person_a):
    person_a.review_status = ReviewStatus.RETURNED
    person_a.return_reason = "姓名有误"
    person_a.save()
    data = person_data(name="张甲改", id_number=person_a.id_number, phone="13900000000", version=person_a.version)
    response = client_for(station_user_a).post(reverse("station:person_edit", args=[person_a.pk]), data)
    assert response.status_code == 302
    assert response.url == SUBMISSIONS
    person_a.refresh_from_db()
    assert person_a.name == "张甲改"
    assert person_a.phone == "13900000000"
    assert person_a.review_status == ReviewStatus.SUBMITTED


def test_edit_form_shows_existing_dates_in_iso_format(client_for, station_user_a, township_a):
    person = PersonFactory(township=township_a, enlisted_on=datetime.date(2001, 3, 5))
    content = client_for(station_user_a).get(reverse("station:person_edit", args=[person.pk])).content.decode()
    assert 'value="2001-03-05"' in content


def test_other_townships_person_is_404_for_edit_and_detail(client_for, station_user_a, person_b):
    client = client_for(station_user_a)
    assert client.get(reverse("station:person_edit", args=[person_b.pk])).status_code == 404
    assert client.post(reverse("station:person_edit", args=[person_b.pk]), person_data()).status_code == 404
    assert client.get(reverse("station:person_detail", args=[person_b.pk])).status_code == 404
    person_b.refresh_from_db()
    assert person_b.name == "李乙"


# Detail


def test_detail_shows_person_with_categories_and_merits(client_for, station_user_a, person_a):
    person_a.categories.create(category="disabled_soldier", started_on=datetime.date(2010, 1, 1))
    person_a.merits.create(level=3, year=2004, unit="某部")
    response = client_for(station_user_a).get(reverse("station:person_detail", args=[person_a.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "张甲" in content
    assert "残疾军人" in content
    assert "2004年 三等功" in content


def test_blank_choices_are_labelled_in_chinese(client_for, station_user_a):
    content = client_for(station_user_a).get(CREATE).content.decode()
    assert '<option value="" selected>按身份证号自动确定</option>' in content
    assert "---------" not in content
