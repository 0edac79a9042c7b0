"""The service branches after the April 2024 reorganisation, with the former 战略支援部队 kept."""

import pytest
from django.urls import reverse

from bureau.importexport.widgets import ChoiceLabelWidget
from bureau.models import Person, ReviewStatus
from tests.bureau.test_station import person_data
from tests.factories import PersonFactory, make_id_number

pytestmark = pytest.mark.django_db

CREATE = reverse("station:person_create")
FORMER = "战略支援部队（2024年4月前）"


def test_the_person_form_offers_the_new_branches_and_the_former_one(client_for, station_user_a):
    page = client_for(station_user_a).get(CREATE).content.decode()
    for value, label in [
        ("aerospace_force", "军事航天部队"),
        ("cyberspace_force", "网络空间部队"),
        ("information_support", "信息支援部队"),
        ("joint_logistics", "联勤保障部队"),
        ("strategic_support", FORMER),
    ]:
        assert f'<option value="{value}">{label}</option>' in page
    assert page.count("战略支援部队") == 1  # only as the former name


def test_a_new_branch_is_saved(client_for, station_user_a):
    response = client_for(station_user_a).post(CREATE, person_data(branch="aerospace_force"))
    assert response.status_code == 302
    assert Person.objects.get().get_branch_display() == "军事航天部队"


def test_a_person_of_the_former_branch_still_saves_and_displays(client_for, station_user_a, township_a):
    person = PersonFactory(
        name="老兵",
        id_number=make_id_number(sequence=512),
        township=township_a,
        branch="strategic_support",
        review_status=ReviewStatus.SUBMITTED,  # an approved one's edit would wait as a proposed change
    )
    client = client_for(station_user_a)
    edit = reverse("station:person_edit", args=[person.pk])
    assert f'<option value="strategic_support" selected>{FORMER}</option>' in client.get(edit).content.decode()

    data = person_data(name="老兵", id_number=person.id_number, branch="strategic_support", address="乙村 2 号")
    response = client.post(edit, {**data, "version": person.version})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.branch, person.address) == ("strategic_support", "乙村 2 号")
    detail = client.get(reverse("station:person_detail", args=[person.pk])).content.decode()
    assert f"<dd>{FORMER}</dd>" in detail


def test_a_roster_saying_the_former_name_without_its_note_imports_as_the_former_branch():
    widget = ChoiceLabelWidget(Person.Branch.choices)
    assert widget.clean("战略支援部队") == "strategic_support"
    assert widget.clean(FORMER) == "strategic_support"
    assert widget.clean("信息支援部队") == Person.Branch.values[Person.Branch.labels.index("信息支援部队")]
    with pytest.raises(ValueError, match="不是有效的选项"):
        widget.clean("支援部队")
