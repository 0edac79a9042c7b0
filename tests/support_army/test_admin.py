"""Admin of support army: leadership reads with ID numbers masked; a checklist step entered by a clerk names the clerk."""

import pytest
from django.urls import reverse

from support_army.models import HomecomingStep, HomecomingStepCompletion
from tests.support_army.factories import HomecomingRegistrationFactory, MeritNoticeFactory

pytestmark = pytest.mark.django_db


def test_leadership_sees_soldiers_and_veterans_id_numbers_masked(client_for, leader, township_a):
    notice = MeritNoticeFactory(soldier__township=township_a)
    registration = HomecomingRegistrationFactory(person__township=township_a)
    client = client_for(leader)
    for url, person in (
        (reverse("admin:support_army_meritnotice_changelist"), notice.soldier),
        (reverse("admin:support_army_homecomingregistration_changelist"), registration.person),
    ):
        listing = client.get(url).content.decode()
        assert person.id_number not in listing
        assert f"{person.id_number[:4]}**********{person.id_number[-4:]}" in listing


def test_a_step_completed_in_the_admin_names_the_clerk(client_for, bureau_user, township_a):
    registration = HomecomingRegistrationFactory(person__township=township_a)
    step = HomecomingStep.objects.filter(active=True).first()
    url = reverse("admin:support_army_homecomingregistration_change", args=[registration.pk])
    client = client_for(bureau_user)
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "person": registration.person_id,
            "received_on": "2021-09-10",
            "welcomed": "on",
            "version": registration.version,
            "completions-TOTAL_FORMS": "1",
            "completions-INITIAL_FORMS": "0",
            "completions-MIN_NUM_FORMS": "0",
            "completions-MAX_NUM_FORMS": "1000",
            "completions-0-step": step.pk,
            "completions-0-done_on": "2021-09-12",
            "completions-0-note": "",
            "completions-0-registration": registration.pk,
        }
    )
    data.pop("point", None)
    data.pop("note", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    completion = HomecomingStepCompletion.objects.get(registration=registration, step=step)
    assert completion.done_by == bureau_user
