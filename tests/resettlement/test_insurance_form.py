"""The 社保接续 station form looks like the other station forms: one review sentence, styled number boxes."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import get_resolver, reverse

from resettlement.models import InsuranceContinuation
from tests.resettlement.test_insurance import NEW, form

pytestmark = pytest.mark.django_db

REVIEW = "提交后由区局审核"


def station_create_pages() -> list[str]:
    """Every station page that registers a new record (`…_create`), the core's and each area's."""
    names = []
    for namespace, (_, resolver) in get_resolver().namespace_dict.items():
        if namespace != "station":
            continue
        names += [
            f"station:{name}" for name in resolver.reverse_dict if isinstance(name, str) and name.endswith("_create")
        ]
        for inner, (_, area) in resolver.namespace_dict.items():
            names += [
                f"station:{inner}:{name}"
                for name in area.reverse_dict
                if isinstance(name, str) and name.endswith("_create")
            ]
    return sorted(reverse(name) for name in names)


def test_every_station_form_says_once_that_the_bureau_reviews(client_for, station_user_a):
    client = client_for(station_user_a)
    pages = station_create_pages()
    assert NEW in pages and reverse("station:person_create") in pages and len(pages) >= 10
    for url in pages:
        assert client.get(url).content.decode().count(REVIEW) == 1, url


def test_the_edit_form_says_it_once_too(client_for, station_user_a, person_a):
    client = client_for(station_user_a)
    client.post(NEW, form(person_a))
    record = InsuranceContinuation.objects.get()
    page = client.get(f"/station/resettlement/insurance/{record.pk}/edit/").content.decode()
    assert page.count(REVIEW) == 1
    assert 'value="3840.00"' in page


def inputs(page: str) -> dict[str, str]:
    return {re.search(r'name="([^"]+)"', tag)[1]: tag for tag in re.findall(r"<input [^>]*>", page)}


def test_the_number_boxes_are_marked_up_as_the_other_inputs(client_for, station_user_a):
    client = client_for(station_user_a)
    boxes = inputs(client.get(NEW).content.decode())
    # The person form's text inputs: the markup site.css styles (`.form input[type="text"]`).
    rank = inputs(client.get(reverse("station:person_create")).content.decode())["rank"]
    assert rank.startswith('<input type="text"') and "class=" not in rank
    for name, keyboard in [("months", "numeric"), ("personal_share", "decimal"), ("fiscal_share", "decimal")]:
        assert boxes[name].startswith('<input type="text"'), boxes[name]
        assert f'inputmode="{keyboard}"' in boxes[name]
        assert "class=" not in boxes[name]


def test_a_number_box_anywhere_is_styled_as_the_text_boxes():
    css = (Path(settings.BASE_DIR) / "static/css/site.css").read_text()
    rule = css[css.index('.form input[type="text"]') : css.index("{", css.index('.form input[type="text"]'))]
    assert '.form input[type="number"]' in rule


def test_a_wrong_number_is_explained_in_chinese(client_for, station_user_a, person_a):
    response = client_for(station_user_a).post(NEW, form(person_a, months="十二", personal_share="abc"))
    assert response.status_code == 200
    assert not InsuranceContinuation.objects.exists()
    errors = re.findall(r'<p class="field__error">([^<]*)</p>', response.content.decode())
    assert errors == ["输入整数。", "输入一个数字。"]
