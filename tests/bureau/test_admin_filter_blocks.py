"""
A list's filter blocks (bureau.admin.filterblocks) are rendered once per list, user scope, query string
and choices, and kept: the next page of the same user and query takes them without asking a filter for
its links; another query, another user or scope, or a choice added (a new township) renders them again.
Kept or not, the blocks are Django's (`admin_list_filter` for each filter), with the selected choice marked.
"""

import re
from unittest import mock

import pytest
from django.contrib.admin.templatetags.admin_list import admin_list_filter

from bureau import roles
from bureau.admin import filterblocks
from bureau.models import Person
from tests.conftest import make_persona
from tests.factories import TownshipFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db

PERSONS = "/admin/bureau/person/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
NAV = re.compile(r'<nav id="changelist-filter".*?</nav>', re.S)


@pytest.fixture
def register(township_a, township_b):
    import datetime

    Person.objects.bulk_create(
        Person(
            name=f"筛选{n}",
            id_number=make_id_number(birth_date=datetime.date(1960, 1, 1) + datetime.timedelta(days=n)),
            township=township_a if n % 2 else township_b,
        )
        for n in range(6)
    )
    filterblocks.filter_blocks.clear()


class Renders:
    """Counts the filters rendered through Django's `admin_list_filter` (one per filter of a list rendered)."""

    def __init__(self):
        self.count = 0

    def __call__(self, cl, spec):
        self.count += 1
        return admin_list_filter(cl, spec)


@pytest.fixture
def renders():
    counted = Renders()
    with mock.patch.object(filterblocks, "admin_list_filter", counted):
        yield counted


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, CSRF.sub("", response.content.decode())


def djangos_blocks(response) -> str:
    cl = response.context["cl"]
    return "".join(admin_list_filter(cl, spec) for spec in cl.filter_specs)


def test_two_pages_of_one_user_render_the_filters_once_and_they_are_djangos(client, register, renders):
    client.force_login(make_persona("bureau_user"))
    first, first_html = page(client, PERSONS)
    filters = len(first.context["cl"].filter_specs)
    assert filters == 5 and renders.count == filters

    second, second_html = page(client, PERSONS)
    assert renders.count == filters  # kept: no filter asked again
    assert second_html == first_html
    assert djangos_blocks(second) in second_html
    assert "甲镇" in NAV.search(second_html).group()


def test_the_selected_choice_another_query_and_a_township_added_render_them_again(
    client, register, renders, township_a
):
    client.force_login(make_persona("bureau_user"))
    page(client, PERSONS)
    assert renders.count == 5

    chosen, html = page(client, f"{PERSONS}?township__id__exact={township_a.pk}")
    assert renders.count == 10
    assert djangos_blocks(chosen) in html
    selected = re.findall(r'<li class="selected">\s*<a href="([^"]*)">([^<]*)</a>', NAV.search(html).group())
    # Township A chosen; every other filter on its 全部.
    assert (f"?township__id__exact={township_a.pk}", "甲镇") in selected
    assert len(selected) == 5

    page(client, f"{PERSONS}?township__id__exact={township_a.pk}")
    assert renders.count == 10

    TownshipFactory(code="C01", name="丙镇", order=3)
    added, html = page(client, PERSONS)
    assert renders.count == 15
    assert "丙镇" in NAV.search(html).group()
    assert djangos_blocks(added) in html


def test_each_user_and_scope_has_its_own_blocks(client, register, renders, township_a, township_b):
    """
    A user's blocks are never another's: the clerk, and two staff users who work for township A and B
    with the same role, each render their own; each sees the rows of their scope only.
    """
    client.force_login(make_persona("bureau_user"))
    page(client, PERSONS)
    assert renders.count == 5

    counts = {}
    for township in (township_a, township_b):
        user = UserFactory(
            username=f"staff_{township.code}", is_staff=True, township=township, groups=[roles.STATION_STAFF]
        )
        client.force_login(user)
        response, html = page(client, PERSONS)
        counts[township.code] = renders.count
        assert djangos_blocks(response) in html
        assert {person.township_id for person in response.context["cl"].result_list} == {township.pk}
    assert counts == {"A01": 10, "B01": 15}

    client.force_login(make_persona("bureau_user"))
    page(client, PERSONS)
    assert renders.count == 15


def test_a_filter_of_its_own_making_is_rendered_each_time():
    class Own(filterblocks.admin.SimpleListFilter):
        def choices(self, changelist):
            yield {"selected": False, "query_string": "?", "display": "自定"}

    with pytest.raises(filterblocks.Unkeyable):
        filterblocks.filter_key(Own.__new__(Own))


def test_the_action_bar_is_rendered_once_for_the_same_actions_and_counts(client, register, township_a):
    """Django's actions.html renders on a list's first page; its next page takes the same bar; other counts, again."""
    from django.template.loaders.cached import Loader

    from bureau.templatetags import kit_list

    kit_list.action_bars.clear()
    client.force_login(make_persona("bureau_user"))
    rendered = []
    original = Loader.get_template

    def counted(loader, name, skip=None):
        if name == "admin/actions.html":
            rendered.append(name)
        return original(loader, name, skip)

    with mock.patch.object(Loader, "get_template", counted):
        first, first_html = page(client, PERSONS)
        assert len(rendered) == 1
        second, second_html = page(client, PERSONS)
        assert len(rendered) == 1 and second_html == first_html
        assert '<div class="actions">' in second_html and 'data-actions-icnt="6"' in second_html

        fewer, fewer_html = page(client, f"{PERSONS}?township__id__exact={township_a.pk}")
        assert len(rendered) == 2
        assert 'data-actions-icnt="3"' in fewer_html
