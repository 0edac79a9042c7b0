"""The person file's support-army part: a soldier's merit notices, a veteran's homecoming and its checklist."""

import pytest

from support_army.models import HomecomingStep
from tests.support_army.factories import (
    HomecomingRegistrationFactory,
    HomecomingStepCompletionFactory,
    MeritNoticeFactory,
)

pytestmark = pytest.mark.django_db


def file_page(client, person) -> str:
    response = client.get(f"/admin/bureau/person/{person.pk}/file/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_file_shows_the_notices_and_the_checklist(client_for, bureau_user, township_a):
    notice = MeritNoticeFactory(soldier__township=township_a)
    content = file_page(client_for(bureau_user), notice.soldier)
    assert "立功喜报" in content and "三等功" in content and "待送达" in content

    registration = HomecomingRegistrationFactory(person__township=township_a)
    steps = list(HomecomingStep.objects.filter(active=True))
    HomecomingStepCompletionFactory(registration=registration, step=steps[0], done_by=bureau_user)
    content = file_page(client_for(bureau_user), registration.person)
    assert f"{steps[0].name}（2021-09-12" in content and steps[1].name in content
