"""
Placement signature scans (issue 23, item 10): served through the protected view to those who
may see the selection (the admin's link was a 404 for everyone), and checked by content.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bureau.models import AuditEvent
from resettlement.models import PlacementSelection
from tests.resettlement.test_placement_admin import prepared, session_post, url  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.4 signed by the candidate"


@pytest.fixture
def scanned(client_for, bureau_user, prepared, settings, tmp_path):  # noqa: F811 - the fixture imported above
    settings.MEDIA_ROOT = tmp_path
    batch, (first, _, _), (archive, _) = prepared
    client = client_for(bureau_user)
    client.post(url("start", batch))
    scan = SimpleUploadedFile("签字.pdf", SCAN, content_type="application/pdf")
    assert session_post(client, batch, first, archive, signature_scan=scan).status_code == 302
    return PlacementSelection.objects.get()


def test_the_admins_link_to_the_scan_serves_it_to_bureau_staff_and_is_a_download_event(
    client_for, bureau_user, scanned
):
    link = scanned.signature_scan.url
    assert link.startswith("/files/placement/signatures/")
    page = client_for(bureau_user).get(f"/admin/resettlement/placementselection/{scanned.pk}/change/")
    assert link in page.content.decode()

    response = client_for(bureau_user).get(link)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SCAN
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD, object_id=str(scanned.pk)).exists()


def test_the_scan_is_a_404_to_a_station_of_another_township_and_to_roles_without_the_record(
    client_for, station_user_b, auditor, scanned
):
    assert client_for(station_user_b).get(scanned.signature_scan.url).status_code == 404
    assert client_for(auditor).get(scanned.signature_scan.url).status_code == 404


def test_an_executable_renamed_pdf_is_refused_as_a_scan(client_for, bureau_user, prepared, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    batch, (first, _, _), (archive, _) = prepared
    client = client_for(bureau_user)
    client.post(url("start", batch))
    renamed = SimpleUploadedFile("签字.pdf", b"MZ\x90\x00 this program", content_type="application/pdf")

    response = session_post(client, batch, first, archive, signature_scan=renamed)

    assert response.status_code == 400
    assert "文件内容与扩展名不符：“签字.pdf”不是有效的PDF 文件，请上传原始文件。" in response.content.decode()
    assert not PlacementSelection.objects.exists()
