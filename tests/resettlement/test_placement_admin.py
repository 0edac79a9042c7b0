"""
The placement session in the admin, through the real pages: the ranking with each score's
components, the confirmation to start, the session desk (confirm, refusals as a 400 with the
reason, the deferral), the close, the big screen's data, and the frozen batch.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from resettlement import selection
from resettlement.models import PlacementBatch, PlacementDeferral, PlacementSelection
from tests.resettlement.factories import (
    NcoFactory,
    PlacementBatchFactory,
    PlacementCandidateFactory,
    PlacementPositionFactory,
    ScoreAdjustmentFactory,
)

State = PlacementBatch.State


def url(name, batch):
    return reverse(f"admin:resettlement_placementbatch_{name}", args=[batch.pk])


@pytest.fixture
def prepared(db):
    batch = PlacementBatchFactory(title="2021年安排工作公开选岗")
    first = PlacementCandidateFactory(batch=batch, person=NcoFactory(name="王一", years=16))
    second = PlacementCandidateFactory(batch=batch, person=NcoFactory(name="李二", years=14))
    third = PlacementCandidateFactory(batch=batch, person=NcoFactory(name="赵三", years=12))
    ScoreAdjustmentFactory(candidate=third, points=Decimal("0.5"), reason="补报优秀士官")
    archive = PlacementPositionFactory(batch=batch, department="区委办", institution="区档案馆", posts=1)
    centre = PlacementPositionFactory(batch=batch, department="区政府办", institution="区政务服务中心", posts=2)
    return batch, (first, second, third), (archive, centre)


def session_post(client, batch, candidate, position, **extra):
    data = {"candidate": candidate.pk, "position": position.pk, "signed": "on", "action": "确认选岗", **extra}
    return client.post(url("session", batch), data)


@pytest.mark.django_db
def test_the_ranking_page_shows_each_component_the_adjustment_and_the_total(client_for, bureau_user, prepared):
    batch, _, _ = prepared

    page = client_for(bureau_user).get(url("ranking", batch)).content.decode()

    assert "16年 × 1 分" in page
    assert "0.50（补报优秀士官）" in page
    assert "<strong>12.50</strong>" in page  # 赵三: 12 years + 0.5
    assert page.index("王一") < page.index("李二") < page.index("赵三")
    assert selection.TIE_RULE in page


@pytest.mark.django_db
def test_staff_start_confirm_defer_and_close_a_session_on_its_pages(client_for, bureau_user, prepared):
    batch, (first, second, third), (archive, centre) = prepared
    client = client_for(bureau_user)

    confirm_page = client.get(url("start", batch)).content.decode()
    assert "确认开始公开选岗" in confirm_page
    assert "候选人 3 名，岗位 3 个（2 个单位）" in confirm_page
    assert PlacementBatch.objects.get(pk=batch.pk).state == State.PREPARING  # a GET changes nothing

    started = client.post(url("start", batch))
    assert (started.status_code, started.url) == (302, url("session", batch))
    assert "正在选岗：第1名 王一" in client.get(url("session", batch)).content.decode()

    chosen = session_post(client, batch, first, archive)
    assert (chosen.status_code, chosen.url) == (302, url("session", batch))
    deferred = client.post(url("session", batch), {"action": "defer", "candidate": second.pk})
    assert deferred.status_code == 302
    assert PlacementDeferral.objects.get().candidate == second
    page = client.get(url("session", batch)).content.decode()
    assert "正在选岗：第3名 赵三" in page
    assert "区档案馆·综合管理岗" in page  # the log and the ranking name the chosen post

    session_post(client, batch, third, centre)
    session_post(client, batch, second, centre)

    assert dict(PlacementSelection.objects.values_list("candidate__person__name", "position__institution")) == {
        "王一": "区档案馆",
        "赵三": "区政务服务中心",
        "李二": "区政务服务中心",
    }
    assert PlacementBatch.objects.get(pk=batch.pk).state == State.CLOSED


@pytest.mark.django_db
def test_a_refused_confirm_is_a_400_with_the_reason_and_saves_nothing(client_for, bureau_user, prepared):
    batch, (first, second, _), (archive, centre) = prepared
    client = client_for(bureau_user)
    client.post(url("start", batch))
    session_post(client, batch, first, archive)

    full = session_post(client, batch, second, archive)
    out_of_turn = session_post(client, batch, first, centre)
    unsigned = client.post(url("session", batch), {"candidate": second.pk, "position": centre.pk})
    not_a_number = client.post(url("session", batch), {"candidate": "x", "position": "y", "signed": "on"})

    assert full.status_code == 400
    assert "所选岗位已选满或不属于本批次，请重新选择。" in full.content.decode()
    assert out_of_turn.status_code == 400
    assert "王一 已选定岗位「区档案馆·综合管理岗」，不能重复确认。" in out_of_turn.content.decode()
    assert unsigned.status_code == 400
    assert "请候选人当场签字确认后再提交。" in unsigned.content.decode()
    assert not_a_number.status_code == 400
    assert PlacementSelection.objects.count() == 1


@pytest.mark.django_db
def test_a_confirm_after_the_close_is_refused_with_the_reason(client_for, bureau_user, prepared):
    batch, (first, _, _), (archive, _) = prepared
    client = client_for(bureau_user)
    client.post(url("start", batch))
    assert "还有 3 名候选人未选岗" in client.get(url("close", batch)).content.decode()
    client.post(url("close", batch))

    late = session_post(client, batch, first, archive)

    assert late.status_code == 400
    assert "公开选岗已结束，不能再确认选岗。" in late.content.decode()
    assert not PlacementSelection.objects.exists()
    assert PlacementBatch.objects.get(pk=batch.pk).state == State.CLOSED


@pytest.mark.django_db
def test_the_big_screen_data_has_the_ranking_who_is_choosing_and_the_posts_left(client_for, bureau_user, prepared):
    batch, (first, _, _), (archive, _) = prepared
    client = client_for(bureau_user)
    client.post(url("start", batch))
    session_post(client, batch, first, archive)

    data = client.get(url("live_json", batch)).json()

    assert data["current"] == {"rank": 2, "name": "李二", "score": "14"}
    assert [(r["rank"], r["name"], r["status"], r["position"]) for r in data["ranking"]] == [
        (1, "王一", "已选岗", "区档案馆·综合管理岗"),
        (2, "李二", "正在选岗", ""),
        (3, "赵三", "等待选岗", ""),
    ]
    assert [(p["institution"], p["left"]) for p in data["posts"]] == [("区档案馆", 0), ("区政务服务中心", 2)]
    page = client.get(url("live", batch)).content.decode()
    assert "/static/js/placement_live.js" in page
    assert "http://" not in page and "https://" not in page  # nothing from outside the intranet


@pytest.mark.django_db
def test_leadership_watches_but_cannot_run_the_session(client_for, leader, prepared):
    batch, (first, _, _), (archive, _) = prepared
    client = client_for(leader)

    assert client.get(url("live", batch)).status_code == 200
    assert client.get(url("ranking", batch)).status_code == 200
    assert client.post(url("start", batch)).status_code == 403
    assert client.post(url("close", batch)).status_code == 403
    assert session_post(client, batch, first, archive).status_code == 403
    assert PlacementBatch.objects.get(pk=batch.pk).state == State.PREPARING


@pytest.mark.django_db
def test_station_staff_have_no_session_pages(client_for, station_user_a, prepared):
    batch, _, _ = prepared
    client = client_for(station_user_a)
    for name in ("live", "live_json", "ranking", "session"):
        response = client.get(url(name, batch))
        assert response.status_code in (302, 403), name
    assert client.post(url("start", batch)).status_code in (302, 403)
    assert PlacementBatch.objects.get(pk=batch.pk).state == State.PREPARING


@pytest.mark.django_db
def test_once_started_the_batch_and_its_candidates_are_read_only_in_the_admin(client_for, bureau_user, prepared):
    batch, (first, _, _), _ = prepared
    client = client_for(bureau_user)
    client.post(url("start", batch))
    candidate_url = reverse("admin:resettlement_placementcandidate_change", args=[first.pk])

    page = client.get(candidate_url)
    posted = client.post(candidate_url, {"service_years": "30"})
    batch_page = client.get(reverse("admin:resettlement_placementbatch_change", args=[batch.pk])).content.decode()

    assert page.status_code == 200 and 'name="service_years"' not in page.content.decode()
    assert posted.status_code == 403
    assert first.__class__.objects.get(pk=first.pk).service_years == Decimal(16)
    assert "候选人名单、岗位和评分已固定" in batch_page
    assert 'name="title"' not in batch_page
    assert 'name="positions-0-posts"' not in batch_page


@pytest.mark.django_db
def test_an_adjustment_needs_a_reason_and_names_who_made_it(client_for, bureau_user, prepared):
    batch, (first, _, _), _ = prepared
    client = client_for(bureau_user)
    change_url = reverse("admin:resettlement_placementcandidate_change", args=[first.pk])
    form = {
        "batch": batch.pk,
        "person": first.person.pk,
        "eligibility": first.eligibility,
        "hardship_years": "0",
        "training": "",
        "adjustments-TOTAL_FORMS": "1",
        "adjustments-INITIAL_FORMS": "0",
        "adjustments-MIN_NUM_FORMS": "0",
        "adjustments-MAX_NUM_FORMS": "1000",
        "adjustments-0-points": "2",
        "adjustments-0-reason": "  ",
    }

    refused = client.post(change_url, form)
    assert refused.status_code == 200
    assert "请填写调整原因。" in refused.content.decode()
    assert not first.adjustments.exists()

    saved = client.post(change_url, {**form, "adjustments-0-reason": "补报优秀士官荣誉"})
    assert saved.status_code == 302
    adjustment = first.adjustments.get()
    assert (adjustment.points, adjustment.reason, adjustment.created_by) == (
        Decimal("2.00"),
        "补报优秀士官荣誉",
        bureau_user,
    )
    assert [row.score for row in selection.ranking(batch)][0] == Decimal("18.00")


@pytest.mark.django_db
def test_the_signature_scan_is_kept_with_the_choice(client_for, bureau_user, prepared, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    batch, (first, _, _), (archive, _) = prepared
    client = client_for(bureau_user)
    client.post(url("start", batch))
    scan = SimpleUploadedFile("签字.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    wrong = SimpleUploadedFile("签字.exe", b"MZ", content_type="application/octet-stream")

    refused = session_post(client, batch, first, archive, signature_scan=wrong)
    assert refused.status_code == 400
    assert not PlacementSelection.objects.exists()

    chosen = session_post(client, batch, first, archive, signature_scan=scan)
    assert chosen.status_code == 302
    stored = PlacementSelection.objects.get()
    assert stored.signature_scan.read() == b"%PDF-1.4 signed"


@pytest.mark.django_db
def test_the_result_list_downloads_as_word_and_excel_and_is_logged(client_for, bureau_user, prepared):
    import io

    from docx import Document
    from openpyxl import load_workbook

    from bureau.models import ExportLog

    batch, (first, _, _), (archive, _) = prepared
    client = client_for(bureau_user)
    client.post(url("start", batch))
    session_post(client, batch, first, archive)
    results = reverse("admin:resettlement_placementbatch_results_docx", args=[batch.pk])

    word = client.get(results)
    excel = client.get(reverse("admin:resettlement_placementbatch_results_xlsx", args=[batch.pk]))

    assert word.status_code == 200 and excel.status_code == 200
    table = Document(io.BytesIO(word.content)).tables[-1]
    assert [cell.text for cell in table.rows[1].cells][:6] == ["1", "王一", "16.00", "区委办", "区档案馆", "综合管理岗"]
    sheet = load_workbook(io.BytesIO(excel.content)).worksheets[0]
    assert any("王一" in [str(v) for v in row] for row in sheet.iter_rows(values_only=True))
    assert ExportLog.objects.filter(user=bureau_user).count() == 2


@pytest.mark.django_db
def test_the_big_screen_and_the_desk_keep_their_query_count_as_candidates_grow(client_for, bureau_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(bureau_user)

    def queries(candidates: int) -> list[int]:
        batch = PlacementBatchFactory()
        for n in range(candidates):
            candidate = PlacementCandidateFactory(batch=batch, person=NcoFactory(years=12 + n))
            ScoreAdjustmentFactory(candidate=candidate)
        for _ in range(candidates):
            PlacementPositionFactory(batch=batch)
        selection.start_session(batch=batch, by=bureau_user)
        first = batch.candidates.order_by("rank").first()
        selection.confirm(
            batch=batch, candidate_id=first.pk, position_id=batch.positions.first().pk, by=bureau_user, signed=True
        )
        counts = []
        for name in ("live_json", "session", "ranking"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url(name, batch)).status_code == 200
            counts.append(len(captured))
        return counts

    queries(1)  # the first requests of the session load what later ones find cached
    assert queries(3) == queries(20)
