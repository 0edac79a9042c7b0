"""
The dashboard's figures are the report's: headline cards with the change against the previous year,
each item's own sentence, the drill-down to exactly the records a figure counts, the township picker
and the station's scope, bad parameters, the charts' xlsx and the year the dashboard opens on.

The records are tests/reports/sample_section.py's (甲镇: 张一 2019, 张二 and 张三 2021; 乙镇: 李一 2020,
李二 2021; paid in 2021: 张一 10,000, 张二 2,500, 李一 800; in 2020: 张一 6,000), read by a section
written here the way the areas write theirs: records, headline flags and a district figure.
"""

import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db.models import Sum
from django.utils import timezone
from openpyxl import load_workbook

from bureau.models import Payment, Person
from bureau.reporting import DISTRICT, Figure, Item, Section
from reports import chartdata
from reports.compose import compose_report
from reports.dashboard import figure_text
from tests.factories import PaymentFactory
from tests.reports.sample_section import build_records

pytestmark = pytest.mark.django_db

SECTION = f"{__name__}.section"


def section(*, year: int, township=None) -> Section:
    discharged = Person.objects.approved().veterans().in_township(township).discharged_in(year)
    payments = Payment.objects.in_township(township).in_year(year)
    payees = Person.objects.filter(payments__in=payments).distinct()
    district_payments = Payment.objects.in_year(year)
    paid = payments.aggregate(total=Sum("amount"))["total"]
    return Section(
        app_label="dash",
        area="看板样例",
        heading="看板样例工作扎实推进",
        items=[
            Item(
                key="dash.discharged",
                title="做好退役军人接收",
                default_sentence="{{ place }}{{ year }}年接收退役军人{{ discharged }}名。",
                figures=[Figure("discharged", "当年退役", discharged.count() or None, "人", records=discharged)],
            ),
            Item(
                key="dash.payments",
                title="资金发放到位",
                default_sentence=(
                    "为{{ payees }}名对象发放资金{{ paid }}，涉及{{ programmes }}个资金项目"
                    "{% if district_paid %}（全区共发放{{ district_paid }}）{% endif %}。"
                ),
                figures=[
                    Figure("payees", "资金发放对象", payees.count() or None, "人", records=payees, headline=True),
                    Figure("paid", "发放资金", paid, "元", records=payments, headline=True),
                    Figure(
                        "district_paid",
                        "全区发放资金",
                        district_payments.aggregate(total=Sum("amount"))["total"],
                        "元",
                        scope=DISTRICT,
                        records=district_payments,
                    ),
                    # Typed, not counted from rows: plain text, no drill-down.
                    Figure("programmes", "资金项目", payments.values("programme").distinct().count() or None, "个"),
                ],
                required=("payees", "paid"),
            ),
            Item(
                key="dash.centre",
                title="区级服务中心运行",
                default_sentence="区退役军人服务中心接待来访{{ visits }}人次。",
                figures=[Figure("visits", "接待来访", 7, "人次", records=district_payments)],
                district_only=True,
            ),
        ],
    )


@pytest.fixture
def people(settings, township_a, township_b):
    settings.REPORT_SECTIONS = [SECTION]
    return build_records(township_a, township_b)


def area_of(response):
    [area] = response.context["summary"].areas
    return area


def links_of(area) -> dict[str, tuple[str, str]]:
    return {link.label: (link.text, link.url) for item in area.items for link in item.figures}


def report_figures(*, year, township) -> dict[str, str]:
    """The report's own figures, as the report states them, by label."""
    document = compose_report(year=year, township=township)
    return {f.label: figure_text(f) for entry in document.sections[0].items for f in entry.item.figures}


def records_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, response.context["rows"]


def test_the_district_figures_are_the_reports_and_each_lists_exactly_its_records(client_for, leader, people):
    client = client_for(leader)
    response = client.get("/dashboard/?year=2021")
    area = area_of(response)
    report = report_figures(year=2021, township=None)

    # The headline cards: the flagged figures, with the change against 2020 (张一 alone: 6,000).
    assert [(c.label, c.text, c.change, c.direction) for c in area.cards] == [
        ("资金发放对象", "3人", "▲ 2人", "up"),
        ("发放资金", "1.33万元", "▲ 7300元", "up"),
    ]
    links = links_of(area)
    assert {label: text for label, (text, _) in links.items()} == {
        "当年退役": "3人",
        "资金发放对象": "3人",
        "发放资金": "1.33万元",
        "全区发放资金": "1.33万元",
        "接待来访": "7人次",
    }
    for label, (text, _) in links.items():
        assert report[label] == text
    # Per item, the report's own sentence, not a key–value dump; the typed figure is plain text.
    sentences = [item.text for item in area.items]
    assert sentences[:2] == [
        "一是做好退役军人接收。全区2021年接收退役军人3名。",
        "二是资金发放到位。为3名对象发放资金1.33万元，涉及2个资金项目（全区共发放1.33万元）。",
    ]
    assert "资金项目" not in links

    _, rows = records_page(client, links["当年退役"][1])
    assert [row[1] for row in rows] == ["李二", "张三", "张二"]  # newest first
    _, rows = records_page(client, links["资金发放对象"][1])
    assert sorted(row[1] for row in rows) == ["张一", "张二", "李一"]
    response, rows = records_page(client, links["发放资金"][1])
    assert len(rows) == 3
    assert sum(p.amount for p in response.context["page"].object_list) == Decimal("13300")
    assert [row[-1] for row in rows] == ["乙镇", "甲镇", "甲镇"]  # paid 5月, 3月, 1月


def test_a_townships_figures_are_its_reports_and_never_the_districts(client_for, leader, people, township_a):
    client = client_for(leader)
    response = client.get(f"/dashboard/?year=2021&township={township_a.pk}")
    assert response.context["scope_name"] == "甲镇"
    area = area_of(response)
    report = report_figures(year=2021, township=township_a)

    # 2020: 张一 alone was paid (6,000); no veteran of 甲镇 left the army (None, not 0): —.
    assert [(c.label, c.text, c.change) for c in area.cards] == [
        ("资金发放对象", "2人", "▲ 1人"),
        ("发放资金", "1.25万元", "▲ 6500元"),
    ]
    links = links_of(area)
    # The district's figure and the district's own item are not the township's.
    assert {label: text for label, (text, _) in links.items()} == {
        "当年退役": "2人",
        "资金发放对象": "2人",
        "发放资金": "1.25万元",
    }
    for label, (text, _) in links.items():
        assert report[label] == text
    assert [item.text for item in area.items][0] == "一是做好退役军人接收。甲镇2021年接收退役军人2名。"

    _, rows = records_page(client, links["资金发放对象"][1])
    assert sorted(row[1] for row in rows) == ["张一", "张二"]
    assert {row[-1] for row in rows} == {"甲镇"}
    _, rows = records_page(client, links["当年退役"][1])
    assert len(rows) == 2
    for key in ("dash.payments/district_paid", "dash.centre/visits"):
        assert client.get(f"/dashboard/figures/{key}/?year=2021&township={township_a.pk}").status_code == 404


def test_the_picker_changes_the_figures(client_for, leader, people, township_a, township_b):
    client = client_for(leader)
    cards = {}
    for township in (None, township_a, township_b):
        query = f"&township={township.pk}" if township else ""
        cards[township] = [c.text for c in area_of(client.get(f"/dashboard/?year=2021{query}")).cards]
    assert cards == {None: ["3人", "1.33万元"], township_a: ["2人", "1.25万元"], township_b: ["1人", "800元"]}
    page = client.get("/dashboard/?year=2021").content.decode()
    assert '<option value="" selected>全区</option>' in page
    assert f'<option value="{township_b.pk}">乙镇</option>' in page


def test_a_person_list_shows_the_masked_id_number_never_the_whole_one(client_for, leader, people):
    response, rows = records_page(client_for(leader), "/dashboard/figures/dash.discharged/discharged/?year=2021")
    page = response.content.decode()
    assert response.context["records"].headers == ["序号", "姓名", "身份证号", "乡镇（街道）"]
    for name in ("张二", "张三", "李二"):
        number = people[name].id_number
        assert number not in page
        assert f"{number[:4]}{'*' * 10}{number[-4:]}" in page
    assert [row[0] for row in rows] == ["1", "2", "3"]


def test_a_station_sees_its_own_township_only(client_for, station_user_a, people, township_a, township_b):
    client = client_for(station_user_a)
    response = client.get("/dashboard/?year=2021")
    assert response.context["scope_name"] == "甲镇"
    assert [c.text for c in area_of(response).cards] == ["2人", "1.25万元"]
    assert 'name="township"' not in response.content.decode().split('id="scope-form"')[1].split("</form>")[0]
    assert [chart.key for chart, _ in response.context["charts"]] == [
        "payments_by_month",
        "activities_by_month",
        "payments_by_programme",
    ]
    assert client.get(f"/dashboard/?year=2021&township={township_a.pk}").status_code == 200

    for url in (
        f"/dashboard/?year=2021&township={township_b.pk}",
        "/dashboard/?year=2021&township=",
        f"/dashboard/figures/dash.payments/payees/?year=2021&township={township_b.pk}",
        f"/dashboard/charts/payments_by_month.xlsx?year=2021&township={township_b.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "服务站工作人员只能查看本乡镇（街道）（甲镇）的数据。" in response.content.decode()
        assert "乙镇" not in response.content.decode()
    # The district's comparison is not a station's to see.
    assert client.get("/dashboard/charts/townships_compared.xlsx?year=2021").status_code == 404
    _, rows = records_page(client, "/dashboard/figures/dash.payments/paid/?year=2021")
    assert [row[-1] for row in rows] == ["甲镇", "甲镇"]


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("year=2021&township=abc", 400, "没有这个乡镇（街道），请从列表中选择。"),
        ("year=2021&township=999999", 400, "没有这个乡镇（街道），请从列表中选择。"),
    ],
)
def test_a_bad_township_is_a_chinese_400(client_for, leader, people, query, status, message):
    for url in ("/dashboard/", "/dashboard/figures/dash.payments/payees/", "/dashboard/charts/payments_by_month.xlsx"):
        response = client_for(leader).get(f"{url}?{query}")
        assert response.status_code == status
        assert message in response.content.decode()


def test_a_bad_year_opens_the_last_year_with_data(client_for, leader, people):
    client = client_for(leader)
    for query in ("year=abc", "year=1999", f"year={timezone.localdate().year + 1}", "year="):
        response = client.get(f"/dashboard/?{query}")
        assert (response.status_code, response.context["year"]) == (200, 2021)


def test_unknown_figures_and_figures_without_records_are_404(client_for, leader, people):
    client = client_for(leader)
    for key in ("dash.nothing/payees", "dash.payments/nothing", "dash.payments/programmes", "nodots/payees"):
        assert client.get(f"/dashboard/figures/{key}/?year=2021").status_code == 404
    assert client.get("/dashboard/charts/nothing.xlsx?year=2021").status_code == 404


def test_the_dashboard_opens_on_the_last_year_with_data_at_most_this_year(client_for, leader, people):
    client = client_for(leader)
    assert client.get("/dashboard/").context["year"] == 2021
    this_year = timezone.localdate().year
    PaymentFactory(person=people["李二"], period=f"{this_year + 1}-01", paid_on=timezone.localdate())
    response = client.get("/dashboard/")
    assert response.context["year"] == this_year
    # The year list ends at the current year (no year still to come).
    years = [value for value, _ in response.context["year_form"].fields["year"].choices]
    assert (years[0], years[-1]) == (this_year, 2000)


def test_the_change_is_a_dash_when_the_previous_year_has_no_records(client_for, leader, people):
    response = client_for(leader).get("/dashboard/?year=2020")
    # 2020: 张一's 6,000; 2019 has no payments or activities at all.
    assert [(c.text, c.change, c.direction) for c in area_of(response).cards] == [
        ("1人", "—", ""),
        ("6000元", "—", ""),
    ]
    key = {c.label: c.change for c in response.context["summary"].key_figures}
    assert key["资金发放总额"] == "—"


def test_a_charts_xlsx_holds_the_same_numbers_as_numbers(client_for, leader, people, township_a):
    client = client_for(leader)
    response = client.get(f"/dashboard/charts/payments_by_month.xlsx?year=2021&township={township_a.pk}")
    assert response.status_code == 200
    assert quote("2021年逐月资金发放（甲镇）.xlsx") in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "2021年逐月资金发放"
    chart = chartdata.payments_by_month(year=2021, township=township_a)
    rows = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert rows == [[month, float(total), count] for month, total, count in chart.rows()]
    assert rows[0] == ["1月", 2500, 1] and rows[2] == ["3月", 10000, 1]
    assert [cell.value for cell in sheet[2]] == ["月份", "发放金额（元）", "发放笔数（笔）"]
    assert isinstance(sheet["B3"].value, int | float)

    # The same numbers as the page's table view.
    page = client.get(f"/dashboard/?year=2021&township={township_a.pk}").content.decode()
    march = chart.rows()[2]
    assert f'<th scope="row">3月</th><td data-value="{march[1]}">{march[1]}</td><td data-value="1">1</td>' in page

    compared = load_workbook(io.BytesIO(client.get("/dashboard/charts/townships_compared.xlsx?year=2021").content))
    sheet = compared.active
    assert sheet.title == "2021年各乡镇（街道）对比"
    assert [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)] == [
        ["甲镇", 3, 0, 2, 12500],
        ["乙镇", 2, 0, 1, 800],
    ]


def test_the_chart_data_is_embedded_as_json_and_drawn_by_the_page_script(client_for, leader, people):
    page = client_for(leader).get("/dashboard/?year=2021").content.decode()
    assert '<script id="dashboard-chart-data" type="application/json">' in page
    for key in ("payments_by_month", "activities_by_month", "payments_by_programme", "townships_compared"):
        assert f'id="chart-{key}" data-chart="{key}"' in page
        assert f'href="/dashboard/charts/{key}.xlsx?year=2021"' in page
    assert 'src="/static/vendor/echarts/echarts.min.js"' in page
    assert 'src="/static/js/dashboard_charts.js"' in page
    assert 'class="data-table data-table--sortable" id="table-townships_compared"' in page
    # No inline script: every <script> has a src, or is the JSON data block.
    for tag in page.split("<script")[1:]:
        assert tag.lstrip().startswith(("src=", 'id="dashboard-chart-data" type="application/json"'))
