"""
The station kit (bureau.station.kit) on its own, with the core's models: what an area
app's station pages inherit by building on it.
"""

import re

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.template import engines
from django.test import RequestFactory

from bureau.models import IdempotencyKey, Payment, Person, ReviewStatus
from bureau.station.kit import (
    FOREIGN_ANY_PERSON_MESSAGE,
    FOREIGN_PERSON_MESSAGE,
    SUBMISSION_KEY_FIELD,
    PersonChoiceField,
    PersonChoicesField,
    StationForm,
    StationModelForm,
    list_context,
    person_label,
    record_form,
    station_required,
    visible_record_or_404,
)
from tests.factories import PersonFactory, make_id_number

pytestmark = pytest.mark.django_db

LIST = "/station/some-area/records/"


def get(user, path: str = LIST, **params):
    request = RequestFactory().get(path, params)
    request.user = user
    return request


def post(user, data: dict, path: str = "/station/some-area/records/new/"):
    request = RequestFactory().post(path, data)
    request.user = user
    request._messages = CookieStorage(request)
    return request


def messages_of(request) -> list[str]:
    return [message.message for message in request._messages]


# Access


def test_station_required_sends_anonymous_users_to_login_and_others_to_the_admin(bureau_user):
    @station_required
    def view(request):
        raise AssertionError("not reached")

    anonymous = get(AnonymousUser())
    assert view(anonymous).status_code == 302
    assert view(anonymous).url == f"/station/login/?next={LIST}"
    response = view(get(bureau_user))
    assert response.status_code == 403
    assert "服务站门户仅供服务站工作人员使用" in response.content.decode()


def test_visible_record_or_404_hides_another_townships_record(station_user_a, person_a, person_b):
    request = get(station_user_a)

    assert visible_record_or_404(request, Person, person_a.pk) == person_a
    assert visible_record_or_404(request, Person.objects.veterans(), person_a.pk) == person_a
    with pytest.raises(Http404):
        visible_record_or_404(request, Person, person_b.pk)


# Lists


def test_list_holds_own_township_records_only(station_user_a, person_a, person_b):
    context = list_context(get(station_user_a), Person.objects.order_by("pk"))

    assert list(context["page"]) == [person_a]
    assert context["status"] == ""
    assert context["status_choices"] == ReviewStatus.choices


def test_list_filters_by_status_and_ignores_an_unknown_one(station_user_a, township_a):
    submitted = PersonFactory(township=township_a, review_status=ReviewStatus.SUBMITTED)
    approved = PersonFactory(township=township_a, review_status=ReviewStatus.APPROVED)
    people = Person.objects.order_by("pk")

    filtered = list_context(get(station_user_a, status="submitted"), people)
    unknown = list_context(get(station_user_a, status="nonsense"), people)

    assert list(filtered["page"]) == [submitted]
    assert filtered["status"] == "submitted"
    assert list(unknown["page"]) == [submitted, approved]
    assert unknown["status"] == ""


@pytest.mark.parametrize(("page", "number", "rows"), [("", 1, 20), ("2", 2, 5), ("abc", 1, 20), ("99", 2, 5)])
def test_list_pages_twenty_records_and_survives_bad_page_numbers(station_user_a, township_a, page, number, rows):
    PersonFactory.create_batch(25, township=township_a)

    context = list_context(get(station_user_a, page=page), Person.objects.order_by("pk"))

    assert context["page"].number == number
    assert len(context["page"].object_list) == rows
    assert context["page"].paginator.count == 25


LIST_PAGE = """{% extends "station/record_list.html" %}
{% block heading %}记录{% endblock %}
{% block record_name %}<span class="record__name">{{ record.name }}</span>{% endblock %}
{% block empty %}<p>还没有记录</p>{% endblock %}"""


def render_list(request) -> str:
    context = list_context(request, Person.objects.order_by("pk"))
    return engines["django"].from_string(LIST_PAGE).render(context, request)


def test_list_skeleton_shows_badge_return_reason_and_pages(station_user_a, township_a):
    PersonFactory(name="赵退回", township=township_a, review_status=ReviewStatus.RETURNED, return_reason="缺少退伍证")
    PersonFactory.create_batch(20, township=township_a)

    content = render_list(get(station_user_a))

    assert '<span class="record__name">赵退回</span>' in content
    assert '<span class="badge badge--returned">已退回</span>' in content
    assert "退回原因：缺少退伍证" in content
    assert '<option value="returned" >已退回</option>' in content
    assert "第 1 / 2 页（共 21 条）" in content


def test_list_skeleton_tells_an_empty_filter_from_an_empty_list(station_user_a, person_a):
    filtered = render_list(get(station_user_a, status="returned"))
    person_a.delete()
    empty = render_list(get(station_user_a))

    assert "没有符合条件的记录。" in filtered
    assert f'<a href="{LIST}">清除筛选条件</a>' in filtered
    assert "还没有记录" not in filtered
    assert "还没有记录" in empty
    assert "没有符合条件的记录。" not in empty


# The form page: one save/error path


class NameForm(StationModelForm):
    class Meta:
        model = Person
        fields = ["name"]


def test_a_valid_form_is_submitted_with_a_message_and_a_redirect(station_user_a, person_a):
    person_a.review_status = ReviewStatus.RETURNED
    person_a.save()
    request = post(station_user_a, {"name": "张甲改", "version": person_a.version})

    response = record_form(request, NameForm, "station/record_form.html", instance=person_a, success_url="/done/")

    assert response.status_code == 302
    assert response.url == "/done/"
    assert messages_of(request) == ["已提交，等待区局审核"]
    person_a.refresh_from_db()
    assert person_a.name == "张甲改"
    assert person_a.review_status == ReviewStatus.SUBMITTED
    assert person_a.submitted_by == station_user_a


def test_a_write_outside_the_township_is_the_403_page_and_saves_nothing(station_user_a, township_b):
    # The form cannot pick the township; a record that reaches the save with another one is refused there.
    outsider = Person(township=township_b, id_number=make_id_number(sequence=505), status=Person.Status.VETERAN)

    response = record_form(
        post(station_user_a, {"name": "越界"}), NameForm, "station/record_form.html", instance=outsider, success_url="/"
    )

    assert response.status_code == 403
    assert "只能登记或修改本乡镇（街道）的记录。" in response.content.decode()
    assert not Person.objects.exists()


def test_a_model_error_outside_the_form_fields_is_shown_on_the_form(station_user_a, township_a, person_b):
    # The form checks its own field only; the save's full_clean finds the ID number taken.
    duplicate = Person(township=township_a, id_number=person_b.id_number, status=Person.Status.VETERAN)
    form_class = capturing(NameForm)

    response = record_form(
        post(station_user_a, {"name": "王五"}),
        form_class,
        "station/record_form.html",
        instance=duplicate,
        success_url="/",
    )

    assert response.status_code == 200
    assert form_class.made[0].errors == {"__all__": ["该身份证号已登记。"]}
    assert "该身份证号已登记。" in response.content.decode()
    assert list(Person.objects.all()) == [person_b]


class FailingForm(StationForm):
    name = forms.CharField()

    def __init__(self, *args, error, **kwargs):
        self.error = error
        super().__init__(*args, **kwargs)

    def submit(self, *, by):
        raise self.error


def capturing(form_class):
    """The form class, remembering the forms `record_form` makes (in `.made`)."""

    def make(*args, **kwargs):
        form = form_class(*args, **kwargs)
        make.made.append(form)
        return form

    make.made = []
    return make


def failing(error):
    return capturing(lambda *args, **kwargs: FailingForm(*args, error=error, **kwargs))


def test_save_errors_go_onto_their_field_or_the_form(station_user_a):
    form_class = failing(ValidationError({"name": "姓名有误。", "township": "乡镇有误。"}))

    response = record_form(post(station_user_a, {"name": "x"}), form_class, "station/record_form.html", success_url="/")

    assert response.status_code == 200
    assert form_class.made[0].errors == {"name": ["姓名有误。"], "__all__": ["乡镇有误。"]}


def test_a_duplicate_is_the_message_the_view_names(station_user_a):
    form_class = failing(IntegrityError("unique"))

    response = record_form(
        post(station_user_a, {"name": "x"}),
        form_class,
        "station/record_form.html",
        success_url="/",
        duplicate=("name", "该记录已登记。"),
    )

    assert response.status_code == 200
    assert form_class.made[0].errors == {"name": ["该记录已登记。"]}
    assert "该记录已登记。" in response.content.decode()


def test_an_unexpected_integrity_error_is_not_hidden(station_user_a):
    with pytest.raises(IntegrityError):
        record_form(
            post(station_user_a, {"name": "x"}),
            failing(IntegrityError("fk")),
            "station/record_form.html",
            success_url="/",
        )


def test_the_success_message_may_depend_on_what_was_saved(station_user_a):
    class CountingForm(StationForm):
        name = forms.CharField()

        def submit(self, *, by):
            return ["one", "two"]

    request = post(station_user_a, {"name": "x"})

    record_form(
        request, CountingForm, "station/record_form.html", success_url="/", success_message=lambda r: f"{len(r)} 条"
    )

    assert messages_of(request) == ["2 条"]


def test_an_empty_post_is_validated_not_shown_as_a_blank_form(station_user_a):
    form_class = failing(AssertionError("not reached"))

    response = record_form(post(station_user_a, {}), form_class, "station/record_form.html", success_url="/")

    assert response.status_code == 200
    assert form_class.made[0].errors == {"name": ["该字段是必填项。"]}


# The form page: a page's post counts once (its submission key)


def keyed_post(user, data: dict, key: str):
    return post(user, {**data, SUBMISSION_KEY_FIELD: key})


def test_every_rendering_of_a_form_page_carries_a_new_key(station_user_a, person_a):
    pages = [
        record_form(get(station_user_a), NameForm, "station/record_form.html", instance=person_a, success_url="/")
        for _ in range(2)
    ]

    keys = [re.search(r'name="submission_key" value="(\w+)"', page.content.decode())[1] for page in pages]
    assert len(keys[0]) == 32
    assert keys[0] != keys[1]


def test_a_second_post_of_a_page_saves_nothing_and_says_so(station_user_a, person_a):
    page = {"name": "张甲改", "version": person_a.version}
    first = keyed_post(station_user_a, page, "page-1")
    record_form(first, NameForm, "station/record_form.html", instance=person_a, success_url="/done/")
    person_a.name = "别人改过"
    person_a.save()
    second = keyed_post(station_user_a, page, "page-1")

    response = record_form(second, NameForm, "station/record_form.html", instance=person_a, success_url="/done/")

    assert (response.status_code, response.url) == (302, "/done/")
    assert messages_of(second) == ["该表单已提交，未重复保存。"]
    person_a.refresh_from_db()
    assert person_a.name == "别人改过"
    assert IdempotencyKey.objects.get().record == person_a


def test_a_unique_index_tripped_by_a_concurrent_save_is_explained_by_the_model(station_user_a, township_a, person_b):
    # Validation passed before the other save committed; the insert then fails on the index.
    class RacingForm(NameForm):
        def submit(self, *, by):
            self.instance.save()

    duplicate = Person(township=township_a, id_number=person_b.id_number, status=Person.Status.VETERAN)
    form_class = capturing(RacingForm)

    response = record_form(
        keyed_post(station_user_a, {"name": "王五"}, "page-1"),
        form_class,
        "station/record_form.html",
        instance=duplicate,
        success_url="/",
    )

    assert response.status_code == 200
    assert form_class.made[0].errors == {"__all__": ["该身份证号已登记。"]}
    assert list(Person.objects.all()) == [person_b]
    assert not IdempotencyKey.objects.exists()


# Station forms: every choice scoped; the person picker


@pytest.fixture
def family_member(township_a):
    return PersonFactory(name="王家属", township=township_a, status=Person.Status.FAMILY)


class PickerForm(StationForm):
    veteran = PersonChoiceField(required=False)
    anybody = PersonChoicesField(veterans_only=False, required=False)
    plain = forms.ModelChoiceField(queryset=Person.objects.order_by("pk"), required=False)


def test_every_model_choice_of_a_station_form_is_scoped_to_the_user(station_user_a, person_a, person_b, family_member):
    form = PickerForm(user=station_user_a)

    assert list(form.fields["veteran"].queryset) == [person_a]
    assert list(form.fields["anybody"].queryset) == [person_a, family_member]  # by name
    assert list(form.fields["plain"].queryset) == [person_a, family_member]


def test_a_bureau_user_may_pick_from_every_township(bureau_user, person_a, person_b):
    form = PickerForm(user=bureau_user)

    assert list(form.fields["veteran"].queryset) == [person_a, person_b]


def test_people_are_labelled_by_name_and_id_tail(station_user_a, person_a):
    assert person_label(person_a) == f"张甲（身份证尾号 {person_a.id_number[-4:]}）"
    assert f"张甲（身份证尾号 {person_a.id_number[-4:]}）" in str(PickerForm(user=station_user_a)["veteran"])


def test_a_forged_choice_is_refused_with_the_foreign_person_message(station_user_a, person_b, family_member):
    form = PickerForm({"veteran": family_member.pk, "anybody": [person_b.pk]}, user=station_user_a)

    assert form.errors == {"veteran": [FOREIGN_PERSON_MESSAGE], "anybody": [FOREIGN_ANY_PERSON_MESSAGE]}


def test_a_model_form_person_field_offers_own_veterans_whatever_the_model_default(
    station_user_a, person_a, person_b, family_member
):
    class PaymentForm(StationModelForm):
        class Meta:
            model = Payment
            fields = ["person"]
            field_classes = {"person": PersonChoiceField}

    field = PaymentForm(user=station_user_a).fields["person"]

    assert list(field.queryset) == [person_a]
    assert field.empty_label == "请选择"


def test_blank_labels_name_the_empty_choice(station_user_a):
    class StatusForm(StationModelForm):
        blank_labels = {"branch": "请选择军种"}

        class Meta:
            model = Person
            fields = ["branch"]

    choices = list(StatusForm(user=station_user_a).fields["branch"].choices)

    assert choices[0] == ("", "请选择军种")
    assert [value for value, _ in choices].count("") == 1
