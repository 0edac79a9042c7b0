"""
Station pages of commemoration: a station nominates its township's people for a selection and
records the inspections of the memorial facilities in its township; never another township's.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bureau.models import ReviewStatus
from commemoration.models import FacilityInspection, Nominee
from tests.commemoration.factories import (
    FacilityInspectionFactory,
    HonourSelectionFactory,
    MemorialFacilityFactory,
    NomineeFactory,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOMINEES = reverse("station:commemoration:nominee_list")
NEW_NOMINEE = reverse("station:commemoration:nominee_create")
INSPECTIONS = reverse("station:commemoration:inspection_list")
NEW_INSPECTION = reverse("station:commemoration:inspection_create")


def page_key(client, url: str) -> str:
    return client.get(url).context["submission_key"]


@pytest.mark.parametrize("url", [NOMINEES, NEW_NOMINEE, INSPECTIONS, NEW_INSPECTION])
def test_anonymous_user_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("station:login"))


def test_home_links_to_the_commemoration_pages(client_for, station_user_a):
    content = client_for(station_user_a).get(reverse("station:home")).content.decode()
    assert f'href="{NOMINEES}"' in content and f'href="{INSPECTIONS}"' in content


def test_a_station_nominates_a_person_of_its_township(client_for, station_user_a, township_a):
    selection = HonourSelectionFactory(title="最美退役军人", edition=3, year=timezone.localdate().year)
    person = PersonFactory(name="赵推荐", township=township_a)
    client = client_for(station_user_a)
    response = client.post(
        NEW_NOMINEE,
        {
            "selection": selection.pk,
            "person": person.pk,
            "deeds": "带领村民发展产业。",
            "submission_key": page_key(client, NEW_NOMINEE),
        },
    )
    assert response.status_code == 302
    nominee = Nominee.objects.get()
    assert (nominee.township, nominee.review_status, nominee.result) == (
        township_a,
        ReviewStatus.SUBMITTED,
        Nominee.Result.PENDING,
    )
    assert "赵推荐" in client.get(NOMINEES).content.decode()


def test_a_station_cannot_nominate_another_townships_person(client_for, station_user_a, township_b):
    selection = HonourSelectionFactory(year=timezone.localdate().year)
    other = PersonFactory(township=township_b)
    client = client_for(station_user_a)
    response = client.post(
        NEW_NOMINEE,
        {"selection": selection.pk, "person": other.pk, "deeds": "事迹", "submission_key": "k1"},
    )
    assert response.status_code == 200
    assert not Nominee.objects.exists()


def test_another_townships_station_sees_neither_nominee_nor_inspection(client_for, station_user_b, township_a):
    nominee = NomineeFactory(person=PersonFactory(name="钱甲镇", township=township_a))
    inspection = FacilityInspectionFactory(facility=MemorialFacilityFactory(name="甲镇纪念碑", township=township_a))
    client = client_for(station_user_b)
    assert "钱甲镇" not in client.get(NOMINEES).content.decode()
    assert "甲镇纪念碑" not in client.get(INSPECTIONS).content.decode()
    assert client.get(reverse("station:commemoration:nominee_edit", args=[nominee.pk])).status_code == 404
    assert client.get(reverse("station:commemoration:inspection_edit", args=[inspection.pk])).status_code == 404


def test_a_station_records_an_inspection_of_a_facility_in_its_township(
    client_for, station_user_a, township_a, township_b
):
    own = MemorialFacilityFactory(name="甲镇烈士墓", township=township_a)
    other = MemorialFacilityFactory(name="乙镇纪念碑", township=township_b)
    client = client_for(station_user_a)
    form = client.get(NEW_INSPECTION).content.decode()
    assert "甲镇烈士墓" in form and "乙镇纪念碑" not in form
    today = timezone.localdate()
    response = client.post(
        NEW_INSPECTION,
        {
            "facility": own.pk,
            "inspected_on": today.isoformat(),
            "inspector": "服务站站长",
            "findings": "墓碑字迹模糊。",
            "follow_up": "已报保护中心。",
            "submission_key": page_key(client, NEW_INSPECTION),
        },
    )
    assert response.status_code == 302
    inspection = FacilityInspection.objects.get()
    assert (inspection.township, inspection.review_status) == (township_a, ReviewStatus.SUBMITTED)
    # Another township's facility, or a date after today: the form again with a Chinese message.
    refused = client.post(
        NEW_INSPECTION,
        {"facility": other.pk, "inspected_on": today.isoformat(), "inspector": "某", "submission_key": "k2"},
    )
    assert refused.status_code == 200 and "只能选择本乡镇（街道）的纪念设施。" in refused.content.decode()
    future = client.post(
        NEW_INSPECTION,
        {
            "facility": own.pk,
            "inspected_on": (today + datetime.timedelta(days=2)).isoformat(),
            "inspector": "某",
            "submission_key": "k3",
        },
    )
    assert "巡查日期不能晚于今天。" in future.content.decode()
    assert FacilityInspection.objects.count() == 1
