"""The admin of the report: narrative preview and check, read-only runs and download log, role grants."""

import pytest

from reports.models import AnnualReportRun, Narrative, ReportDownload

pytestmark = pytest.mark.django_db


def change_page(client, narrative) -> str:
    response = client.get(f"/admin/reports/narrative/{narrative.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_preview_renders_the_wording_with_the_years_figures(client_for, bureau_user):
    narrative = Narrative.objects.create(year=2021, key="opening", text="{{ year }}年，{{ bureau }}扎实推进各项工作。")
    page = change_page(client_for(bureau_user), narrative)
    assert "效果预览/校验" in page
    assert "<p>2021年，本区退役军人事务局扎实推进各项工作。</p>" in page
    assert "errornote" not in page.split("效果预览/校验")[1]


def test_a_broken_template_shows_the_fallback_warning(client_for, bureau_user):
    narrative = Narrative.objects.create(year=2021, key="closing", text="下一步，{% if %}我局将继续努力。")
    page = change_page(client_for(bureau_user), narrative)
    assert "下一步段：自定义文字无法生成（" in page
    assert "已改用默认文字。" in page
    assert "<p>下一步，我局将继续发挥退役军人部门职责作用，着力推进“六稳六保”工作。</p>" in page


def test_an_unknown_figure_shows_the_fallback_warning(client_for, bureau_user):
    narrative = Narrative.objects.create(year=2021, key="opening", text="{{ year }}年共有{{ no_such_figure }}人。")
    page = change_page(client_for(bureau_user), narrative)
    assert "开头段：自定义文字引用了不存在的指标“no_such_figure”，已改用默认文字。" in page
    assert "<p>2021年以来，本区退役军人事务局在区委、区政府的正确领导下" in page


def test_an_item_without_data_says_the_wording_is_not_printed(client_for, bureau_user):
    narrative = Narrative.objects.create(year=2021, key="employment.training", text="举办培训班。")
    page = change_page(client_for(bureau_user), narrative)
    assert "2021年该条目缺少数据（" in page
    assert "报告将其列入“数据缺项”，不会印出这段文字。" in page


def test_an_unknown_key_is_flagged(client_for, bureau_user):
    narrative = Narrative.objects.create(year=2021, key="employment.no_such_item", text="文字")
    page = change_page(client_for(bureau_user), narrative)
    assert "段落代码“employment.no_such_item”不存在：报告不会使用这段文字。" in page


def test_the_add_page_explains_the_preview_and_saving_records_the_editor(client_for, bureau_user):
    client = client_for(bureau_user)
    assert "保存后显示按本年度数据生成的效果。" in client.get("/admin/reports/narrative/add/").content.decode()
    response = client.post(
        "/admin/reports/narrative/add/", {"year": "2021", "key": "opening", "text": "{{ year }}年。"}
    )
    assert response.status_code == 302
    narrative = Narrative.objects.get()
    assert (narrative.year, narrative.key, narrative.updated_by) == (2021, "opening", bureau_user)


def test_leadership_reads_runs_in_the_admin_and_changes_nothing(client_for, leader):
    run = AnnualReportRun.objects.create(year=2021, requested_by=leader)
    narrative = Narrative.objects.create(year=2021, key="opening", text="文字")
    client = client_for(leader)
    page = client.get("/admin/reports/annualreportrun/").content.decode()
    assert "排队中" in page
    assert client.get(f"/admin/reports/annualreportrun/{run.pk}/change/").status_code == 200
    assert client.get("/admin/reports/annualreportrun/add/").status_code == 403
    assert client.post(f"/admin/reports/annualreportrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert (
        client.post(
            f"/admin/reports/narrative/{narrative.pk}/change/", {"year": "2021", "key": "opening", "text": "改"}
        ).status_code
        == 403
    )
    assert AnnualReportRun.objects.count() == 1
    assert Narrative.objects.get().text == "文字"


def test_the_auditor_reads_the_download_log_but_not_the_runs(client_for, auditor, leader):
    run = AnnualReportRun.objects.create(year=2021, requested_by=leader)
    ReportDownload.objects.create(run=run, user=leader, file_format="docx")
    client = client_for(auditor)
    assert client.get("/admin/reports/reportdownload/").status_code == 200
    assert client.get("/admin/reports/annualreportrun/").status_code == 403


@pytest.mark.parametrize(
    ("user_fixture", "may_request"),
    [("leader", True), ("bureau_user", True), ("station_user_a", True), ("auditor", False)],
)
def test_the_request_permission_is_granted_by_role(request, user_fixture, may_request):
    user = request.getfixturevalue(user_fixture)
    assert user.has_perm("reports.request_annualreportrun") is may_request


def test_leadership_may_not_edit_report_wording(leader, bureau_user):
    assert not leader.has_perm("reports.change_narrative")
    assert leader.has_perm("reports.view_narrative")
    assert bureau_user.has_perm("reports.change_narrative")
    assert not bureau_user.has_perm("reports.change_reportdownload")
