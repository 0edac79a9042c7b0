"""
The admin of the report: the year's words (filled from the defaults, edited with history, previewed),
the year's signing date and comparison, read-only runs and download log, role grants.
"""

import datetime

import pytest

from reports.compose import DEFAULT_CLOSING, DEFAULT_OPENING
from reports.models import AnnualReportRun, Narrative, ReportDownload, ReportYear
from tests.reports.sample_section import SAMPLE

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
    assert "<p>下一步，我局将继续发挥退役军人部门职责作用，结合“十四五”规划工作，着力推进“六稳六保”工作。</p>" in page


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


# --- the year's words and settings ---------------------------------------------------------------------

SAMPLE_LEAD = "为检验报告生成，以下数字均由登记记录统计得出。"


@pytest.fixture
def sample_only(settings):
    settings.REPORT_SECTIONS = [SAMPLE]


def words(year):
    return dict(Narrative.objects.filter(year=year).values_list("key", "text"))


def test_adding_a_year_fills_its_words_from_the_defaults(client_for, bureau_user, sample_only):
    client = client_for(bureau_user)
    response = client.post("/admin/reports/reportyear/add/", {"year": "2021", "signed_on": "", "records": "auto"})

    assert response.status_code == 302
    year = ReportYear.objects.get()
    assert (year.year, year.signed_on, year.updated_by) == (2021, None, bureau_user)
    assert words(2021) == {"opening": DEFAULT_OPENING, "sample.lead": SAMPLE_LEAD, "closing": DEFAULT_CLOSING}
    assert set(Narrative.objects.values_list("updated_by", flat=True)) == {bureau_user.pk}
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "2021年已填入默认文字：开头段、样例导语、下一步段。" in messages


def test_filling_a_year_never_overwrites_edited_words(client_for, bureau_user, sample_only):
    year = ReportYear.objects.create(year=2021)
    Narrative.objects.create(year=2021, key="opening", text="{{ year }}年，我局的话。")
    client = client_for(bureau_user)
    fill = {"action": "fill_words", "_selected_action": [year.pk]}

    response = client.post("/admin/reports/reportyear/", fill, follow=True)
    assert words(2021) == {
        "opening": "{{ year }}年，我局的话。",
        "sample.lead": SAMPLE_LEAD,
        "closing": DEFAULT_CLOSING,
    }
    assert "2021年已填入默认文字：样例导语、下一步段。" in response.content.decode()

    Narrative.objects.filter(key="closing").update(text="下一步，继续努力。")
    response = client.post("/admin/reports/reportyear/", fill, follow=True)
    assert "2021年的各段文字均已填写，未作改动。" in response.content.decode()
    assert words(2021)["closing"] == "下一步，继续努力。"


def test_the_year_page_lists_its_words_and_its_button_fills_them(client_for, bureau_user, sample_only):
    year = ReportYear.objects.create(year=2021)
    Narrative.objects.create(year=2021, key="closing", text="下一步，继续努力。")
    client = client_for(bureau_user)
    page = client.get(f"/admin/reports/reportyear/{year.pk}/change/").content.decode()

    assert "<td>开头段</td><td>（尚未填入，报告使用默认文字）{{ year }}年以来，{{ bureau }}在区委" in page
    assert f"<td>样例导语</td><td>（尚未填入，报告使用默认文字）{SAMPLE_LEAD}</td>" in page
    assert "<td>下一步段</td><td>下一步，继续努力。</td>" in page
    assert 'name="_fill_words" value="保存并为2021年填入默认文字"' in page

    response = client.post(
        f"/admin/reports/reportyear/{year.pk}/change/",
        {"signed_on": "2022-01-12", "records": "incomplete", "_fill_words": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/reports/reportyear/{year.pk}/change/"
    assert words(2021) == {"opening": DEFAULT_OPENING, "sample.lead": SAMPLE_LEAD, "closing": "下一步，继续努力。"}
    year.refresh_from_db()
    assert (year.signed_on, year.records) == (datetime.date(2022, 1, 12), "incomplete")


def test_who_changed_which_words_when_is_kept(client_for, bureau_user, sample_only):
    client = client_for(bureau_user)
    client.post("/admin/reports/narrative/add/", {"year": "2021", "key": "sample.lead", "text": "第一稿。"})
    narrative = Narrative.objects.get()
    client.post(
        f"/admin/reports/narrative/{narrative.pk}/change/", {"year": "2021", "key": "sample.lead", "text": "第二稿。"}
    )

    assert [(h.history_user, h.history_type, h.text) for h in narrative.history.order_by("history_id")] == [
        (bureau_user, "+", "第一稿。"),
        (bureau_user, "~", "第二稿。"),
    ]
    page = change_page(client, narrative)
    changes = page.split("修改记录")[1]
    assert "<td>局机关</td><td>修改</td><td>第二稿。</td>" in changes
    assert "<td>局机关</td><td>新增</td><td>第一稿。</td>" in changes
    assert changes.index("第二稿。") < changes.index("第一稿。")
    # The lead is previewed as printed, in the district's name.
    assert "<p>第二稿。</p>" in page
    assert "errornote" not in page.split("效果预览/校验")[1]
    # The auditor reads the same trail in the history table.
    assert client.get("/admin/reports/historicalnarrative/").status_code == 200


def test_a_lead_is_previewed_with_the_reports_context(client_for, bureau_user, sample_only):
    narrative = Narrative.objects.create(year=2026, key="sample.lead", text="{{ place }}结合“{{ plan }}”规划开展工作。")
    assert "<p>全区结合“十五五”规划开展工作。</p>" in change_page(client_for(bureau_user), narrative)


def test_the_year_list_shows_the_signing_date_and_whether_the_next_year_compares(client_for, bureau_user, db):
    ReportYear.objects.create(year=2021)
    ReportYear.objects.create(year=2022, signed_on=datetime.date(2023, 1, 6), records="complete")
    page = client_for(bureau_user).get("/admin/reports/reportyear/").content.decode()

    assert "2021-12-31（默认：最后一个工作日）" in page
    assert "按台账自动判断（有10个月以上的资金发放记录即为完整）" in page
    assert "2023-01-06<" in page
    assert "完整：下一年度报告与本年度对比" in page
    assert '<a href="/admin/reports/narrative/?year=2021">2021年的报告文字</a>' in page
    client = client_for(bureau_user)
    auto = client.get(f"/admin/reports/reportyear/{ReportYear.objects.get(year=2021).pk}/change/").content.decode()
    assert "不对比（“上年”栏显示“—”）：台账中2021年有0个月有资金发放记录" in auto
    manual = client.get(f"/admin/reports/reportyear/{ReportYear.objects.get(year=2022).pk}/change/").content.decode()
    assert "对比：按人工设定" in manual


def test_leadership_reads_the_years_but_changes_nothing(client_for, leader, db):
    year = ReportYear.objects.create(year=2021)
    client = client_for(leader)
    assert client.get(f"/admin/reports/reportyear/{year.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/reports/reportyear/{year.pk}/change/",
        {"signed_on": "2022-01-12", "records": "auto", "_fill_words": "1"},
    )
    assert response.status_code == 403
    assert Narrative.objects.count() == 0
    assert ReportYear.objects.get().signed_on is None
    assert leader.has_perm("reports.view_reportyear")
    assert not leader.has_perm("reports.change_reportyear")
