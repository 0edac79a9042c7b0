"""
The clerk's review inbox on the admin index (bureau.rules.review) and the 审核通过 / 退回 buttons
on the change page of a submitted record (ScopedAdmin.review_view).
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.urls import reverse

from bureau.models import Person, ReviewStatus, TownshipRecord
from bureau.rules.review import inbox
from tests.employment.factories import EmploymentOutcomeFactory, FairAttendanceFactory, JobFairFactory
from tests.factories import PersonFactory, UserFactory
from tests.test_query_counts import factory_for

pytestmark = pytest.mark.django_db

SUBMITTED = ReviewStatus.SUBMITTED


def inbox_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return inbox(request)


def counts(rows):
    return [(row.verbose_name, row.township_name, row.count) for row in rows]


def review_url(record):
    return reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_review", args=[record.pk])


def change_url(record):
    return reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk])


def with_permissions(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def township_reviewer(township_a):
    # No role reviews for one township only; a user holding the permissions stands in for a scoped reviewer.
    user = UserFactory(username="township_reviewer", is_staff=True, township=township_a)
    return with_permissions(user, "review_records", "view_person", "change_person")


@pytest.fixture
def submissions(township_a, township_b):
    """Two submitted people in 甲镇 and one in 乙镇, and people of 甲镇 the inbox must not count."""
    return {
        "a": [PersonFactory(township=township_a, review_status=SUBMITTED) for _ in range(2)],
        "b": [PersonFactory(township=township_b, review_status=SUBMITTED)],
        "other": [
            PersonFactory(township=township_a, review_status=ReviewStatus.APPROVED),
            PersonFactory(township=township_a, review_status=ReviewStatus.RETURNED, return_reason="缺少退伍证"),
            PersonFactory(township=township_a, review_status=ReviewStatus.DRAFT),
        ],
    }


# --- the inbox ---------------------------------------------------------------------------


def test_the_inbox_counts_submitted_records_per_model_and_township(bureau_user, submissions):
    assert counts(inbox_for(bureau_user)) == [("人员", "甲镇", 2), ("人员", "乙镇", 1)]


def test_the_inbox_counts_every_workflow_model_district_wide_records_last(bureau_user, township_a, person_a):
    FairAttendanceFactory.create_batch(3, person=person_a, township=township_a, review_status=SUBMITTED)
    JobFairFactory(township=None, review_status=SUBMITTED)
    JobFairFactory(township=township_a, review_status=SUBMITTED)

    rows = counts(inbox_for(bureau_user))

    assert sorted(rows) == sorted([("招聘会参加人员", "甲镇", 3), ("招聘会", "甲镇", 1), ("招聘会", "全区", 1)])
    assert rows.index(("招聘会", "甲镇", 1)) + 1 == rows.index(("招聘会", "全区", 1))


def test_the_admin_index_shows_the_panel_with_counts_links_and_total(client_for, bureau_user, submissions):
    response = client_for(bureau_user).get("/admin/")

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="review-inbox"' in body
    assert "待审核（共 3 条）" in body
    assert [(row.township_name, row.count) for row in response.context["inbox_rows"]] == [("甲镇", 2), ("乙镇", 1)]
    assert response.context["inbox_total"] == 3
    for row in response.context["inbox_rows"]:
        assert f'href="{row.url.replace("&", "&amp;")}"' in body


def test_each_count_links_to_a_change_list_of_exactly_those_records(client_for, bureau_user, submissions):
    client = client_for(bureau_user)
    expected = {"甲镇": {p.pk for p in submissions["a"]}, "乙镇": {p.pk for p in submissions["b"]}}

    for row in inbox_for(bureau_user):
        response = client.get(row.url)
        assert response.status_code == 200, row.url
        assert {person.pk for person in response.context["cl"].result_list} == expected[row.township_name]


WORKFLOW_MODELS = sorted(
    (m for m in admin.site._registry if issubclass(m, TownshipRecord)), key=lambda m: m._meta.label
)


@pytest.mark.parametrize("model", WORKFLOW_MODELS, ids=lambda model: model._meta.label_lower)
def test_every_workflow_models_count_links_to_exactly_its_submitted_records(client_for, bureau_user, model):
    make = factory_for(model)
    waiting = {make(review_status=SUBMITTED).pk for _ in range(2)}
    make(review_status=ReviewStatus.APPROVED)
    client = client_for(bureau_user)

    listed = set()
    for row in inbox_for(bureau_user):
        if row.model_label == model._meta.label_lower:
            response = client.get(row.url)
            assert response.status_code == 200, row.url
            assert len(response.context["cl"].result_list) == row.count
            listed |= {record.pk for record in response.context["cl"].result_list}

    assert listed == waiting


def test_the_link_works_for_a_township_lookup_the_list_filters_do_not_name(
    client_for, bureau_user, monkeypatch, person_a, person_b
):
    # Django accepts a lookup across relations only if a list filter names it; the kit allows the township's.
    grant_model = next(m for m in WORKFLOW_MODELS if m._meta.label_lower == "kit_area.grant")
    monkeypatch.setattr(grant_model, "township_lookup", "person__township")
    make = factory_for(grant_model)
    own = make(person=person_a, township=None, review_status=SUBMITTED)
    make(person=person_b, township=None, review_status=SUBMITTED)
    (row,) = [
        row for row in inbox_for(bureau_user) if row.model_label == "kit_area.grant" and row.township_name == "甲镇"
    ]
    assert "person__township__id__exact" in row.url

    response = client_for(bureau_user).get(row.url)

    assert response.status_code == 200
    assert [grant.pk for grant in response.context["cl"].result_list] == [own.pk]


def test_the_district_wide_count_links_to_the_records_without_a_township(client_for, bureau_user, township_a):
    district = JobFairFactory(township=None, review_status=SUBMITTED)
    JobFairFactory(township=township_a, review_status=SUBMITTED)
    JobFairFactory(township=None, review_status=ReviewStatus.APPROVED)
    (row,) = [row for row in inbox_for(bureau_user) if row.township_id is None]

    response = client_for(bureau_user).get(row.url)

    assert response.status_code == 200
    assert [fair.pk for fair in response.context["cl"].result_list] == [district.pk]


def test_nothing_to_review_shows_the_empty_state(client_for, bureau_user, person_a):
    body = client_for(bureau_user).get("/admin/").content.decode()

    assert 'id="review-inbox"' in body
    assert "没有待审核的记录" in body


def test_roles_without_the_review_permission_see_no_panel(client_for, leader, auditor, submissions):
    for user in (leader, auditor):
        response = client_for(user).get("/admin/")
        assert response.status_code == 200
        assert 'id="review-inbox"' not in response.content.decode()
        assert inbox_for(user) == []


def test_a_scoped_reviewer_counts_only_their_own_townships_records(township_reviewer, submissions):
    assert counts(inbox_for(township_reviewer)) == [("人员", "甲镇", 2)]


def test_the_inbox_leaves_out_models_the_user_may_not_change(township_a, person_a, submissions):
    FairAttendanceFactory(person=person_a, township=township_a, review_status=SUBMITTED)
    reviewer = with_permissions(
        UserFactory(username="attendance_reviewer", is_staff=True),
        "review_records",
        "view_all_townships",
        "view_fairattendance",
        "change_fairattendance",
    )

    assert counts(inbox_for(reviewer)) == [("招聘会参加人员", "甲镇", 1)]


# --- the buttons on the change page -------------------------------------------------------


def test_a_submitted_records_change_page_has_the_review_forms_outside_the_change_form(client_for, bureau_user):
    person = PersonFactory(review_status=SUBMITTED)

    body = client_for(bureau_user).get(change_url(person)).content.decode()

    assert "审核通过" in body and "退回（填写原因）" in body
    assert f'action="{review_url(person)}"' in body
    # Both review forms close before Django's change form opens: no nested forms.
    panel, change_form = body.index('id="review-panel"'), body.rindex("<form", 0, body.index('id="person_form"'))
    assert panel < change_form
    assert body[panel:change_form].count("<form") == body[panel:change_form].count("</form>") == 2


@pytest.mark.parametrize("model", WORKFLOW_MODELS, ids=lambda model: model._meta.label_lower)
def test_every_workflow_records_change_page_offers_the_review_buttons(client_for, bureau_user, model):
    # Generic: RecordAdmin and ScopedAdmin bring the buttons, also where an area declares its own change form.
    record = factory_for(model)(review_status=SUBMITTED)

    response = client_for(bureau_user).get(change_url(record))

    assert response.status_code == 200
    assert 'id="review-panel"' in response.content.decode()
    assert response.templates[0].name == "admin/bureau/record_change_form.html"


def test_an_areas_own_change_form_keeps_its_tools_next_to_the_review_buttons(client_for, bureau_user):
    fair = JobFairFactory(review_status=SUBMITTED)

    body = client_for(bureau_user).get(change_url(fair)).content.decode()

    assert "批量登记参加人员" in body
    assert 'id="review-panel"' in body


@pytest.mark.parametrize("status", [ReviewStatus.DRAFT, ReviewStatus.APPROVED, ReviewStatus.RETURNED])
def test_a_record_not_waiting_for_review_has_no_buttons(client_for, bureau_user, status):
    person = PersonFactory(review_status=status, return_reason="缺少退伍证" if status == ReviewStatus.RETURNED else "")

    body = client_for(bureau_user).get(change_url(person)).content.decode()

    assert 'id="review-panel"' not in body
    assert "审核通过" not in body


def test_users_without_the_review_permission_get_no_buttons(client_for, leader):
    person = PersonFactory(review_status=SUBMITTED)

    body = client_for(leader).get(change_url(person)).content.decode()

    assert 'id="review-panel"' not in body


def test_approve_from_the_change_page(client_for, bureau_user):
    person = PersonFactory(name="王提交", review_status=SUBMITTED)
    client = client_for(bureau_user)

    response = client.post(review_url(person), {"decision": "approve"})

    assert response.status_code == 302
    assert response["Location"] == change_url(person)
    person.refresh_from_db()
    assert (person.review_status, person.reviewed_by) == (ReviewStatus.APPROVED, bureau_user)
    assert person.reviewed_at is not None
    assert "已审核通过：王提交" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("reason", ["", "   "])
def test_return_without_a_reason_is_refused_with_a_message_and_changes_nothing(client_for, bureau_user, reason):
    person = PersonFactory(review_status=SUBMITTED)
    client = client_for(bureau_user)

    response = client.post(review_url(person), {"decision": "return", "review-reason": reason}, follow=True)

    assert response.redirect_chain == [(change_url(person), 302)]
    assert "退回时必须填写原因。" in response.content.decode()
    person.refresh_from_db()
    assert (person.review_status, person.return_reason, person.reviewed_by) == (SUBMITTED, "", None)


def test_return_with_a_reason(client_for, bureau_user):
    person = PersonFactory(name="王提交", review_status=SUBMITTED)
    client = client_for(bureau_user)

    response = client.post(review_url(person), {"decision": "return", "review-reason": "  退伍证照片不清晰 "})

    assert response["Location"] == change_url(person)
    person.refresh_from_db()
    assert (person.review_status, person.return_reason, person.reviewed_by) == (
        ReviewStatus.RETURNED,
        "退伍证照片不清晰",
        bureau_user,
    )
    assert "已退回：王提交" in client.get(change_url(person)).content.decode()


def test_reviewing_a_record_not_waiting_for_review_is_an_error_message_not_a_500(client_for, bureau_user):
    person = PersonFactory(name="王已过", review_status=ReviewStatus.APPROVED, reviewed_by=None)

    response = client_for(bureau_user).post(
        review_url(person), {"decision": "return", "review-reason": "x"}, follow=True
    )

    assert response.status_code == 200
    assert "「王已过」的状态是“已通过”，不是待审核的记录，未作处理。" in response.content.decode()
    person.refresh_from_db()
    assert (person.review_status, person.return_reason) == (ReviewStatus.APPROVED, "")


def test_another_townships_record_is_a_404_for_a_scoped_reviewer(client_for, township_reviewer, township_b):
    person = PersonFactory(township=township_b, review_status=SUBMITTED)

    response = client_for(township_reviewer).post(review_url(person), {"decision": "approve"})

    assert response.status_code == 404
    person.refresh_from_db()
    assert person.review_status == SUBMITTED


def test_a_scoped_reviewer_reviews_their_own_townships_record(client_for, township_reviewer, township_a):
    person = PersonFactory(township=township_a, review_status=SUBMITTED)

    client_for(township_reviewer).post(review_url(person), {"decision": "approve"})

    person.refresh_from_db()
    assert person.review_status == ReviewStatus.APPROVED


def test_a_user_without_the_review_permission_is_refused(client_for, leader, township_a):
    editor = with_permissions(
        UserFactory(username="editor", is_staff=True), "view_all_townships", "view_person", "change_person"
    )
    person = PersonFactory(township=township_a, review_status=SUBMITTED)

    for user in (leader, editor):
        assert client_for(user).post(review_url(person), {"decision": "approve"}).status_code == 403
    person.refresh_from_db()
    assert person.review_status == SUBMITTED


def test_the_review_url_answers_only_posts(client_for, bureau_user):
    person = PersonFactory(review_status=SUBMITTED)

    assert client_for(bureau_user).get(review_url(person)).status_code == 405


def test_the_review_url_is_csrf_protected(bureau_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bureau_user)
    person = PersonFactory(review_status=SUBMITTED)

    assert client.post(review_url(person), {"decision": "approve"}).status_code == 403
    person.refresh_from_db()
    assert person.review_status == SUBMITTED


def test_an_unknown_record_is_a_404(client_for, bureau_user):
    assert (
        client_for(bureau_user).post("/admin/bureau/person/999999/review/", {"decision": "approve"}).status_code == 404
    )


# --- the station sees why a record was returned ------------------------------------------


def test_the_station_edit_page_of_a_returned_person_shows_the_reason_above_the_form(
    client_for, station_user_a, township_a
):
    person = PersonFactory(township=township_a, review_status=ReviewStatus.RETURNED, return_reason="缺少退伍证")

    body = client_for(station_user_a).get(reverse("station:person_edit", args=[person.pk])).content.decode()

    assert body.index("退回原因：缺少退伍证") < body.index('<form method="post" class="form"')


def test_an_areas_station_edit_page_of_a_returned_record_shows_the_reason(client_for, station_user_a, person_a):
    # The area's form template extends the shared skeleton (station/record_form.html), which shows the reason.
    outcome = EmploymentOutcomeFactory(
        person=person_a, review_status=ReviewStatus.RETURNED, return_reason="请补充劳动合同"
    )
    url = reverse("station:employment:outcome_edit", args=[outcome.pk])

    body = client_for(station_user_a).get(url).content.decode()

    assert body.index("退回原因：请补充劳动合同") < body.index('<form method="post" class="form"')


def test_a_submitted_records_edit_page_shows_no_reason(client_for, station_user_a, township_a):
    person = PersonFactory(township=township_a, review_status=SUBMITTED)

    body = client_for(station_user_a).get(reverse("station:person_edit", args=[person.pk])).content.decode()

    assert "退回原因：" not in body
    assert Person.objects.get(pk=person.pk).review_status == SUBMITTED
