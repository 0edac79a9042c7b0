"""Uploaded files are served only through a permission-checked view, never as static /media/ files."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import Resolver404, resolve

from bureau.models import Attachment
from tests.employment.factories import JobFairFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def minutes(township_a):
    fair = JobFairFactory(township=township_a)
    attachment = Attachment(content_type=ContentType.objects.get_for_model(fair), object_id=fair.pk, title="会议纪要")
    attachment.file.save("minutes.pdf", ContentFile(b"%PDF-1.4 minutes"), save=True)
    return attachment


def test_an_attachment_is_served_to_a_user_who_may_see_its_record(client_for, bureau_user, minutes):
    assert minutes.file.url.startswith("/files/attachments/")

    response = client_for(bureau_user).get(minutes.file.url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 minutes"


def test_anonymous_users_are_sent_to_the_login_page(client, minutes):
    response = client.get(minutes.file.url)

    assert response.status_code == 302
    assert response["Location"].startswith("/station/login/?next=/files/attachments/")


def test_the_station_of_the_records_township_gets_it_another_township_a_404(
    client_for, station_user_a, station_user_b, minutes
):
    assert client_for(station_user_a).get(minutes.file.url).status_code == 200
    assert client_for(station_user_b).get(minutes.file.url).status_code == 404


def test_a_report_file_or_an_unknown_name_is_a_404_even_for_the_clerk(client_for, bureau_user):
    client = client_for(bureau_user)

    assert client.get("/files/reports/2021/annual-report-2021-1.docx").status_code == 404
    assert client.get("/files/../settings.py").status_code == 404


def test_nothing_is_served_under_media(settings):
    with pytest.raises(Resolver404):
        resolve("/media/reports/2021/annual-report-2021-1.docx")
