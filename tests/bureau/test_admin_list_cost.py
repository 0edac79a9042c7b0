"""
The admin's lists cost the same however big their table (issue 29): no `DISTINCT` and no exact
`COUNT(*)` over the ledger or the register when a list renders (a count stopped at a cap is
fine), the same queries and the same URL reverses at two sizes, the 期间 filter built from the
programmes and the years paid, and the 「超过 N 条」 wording past the cap with pages still reachable.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.urls.resolvers import URLResolver

from bureau.admin.filters import PeriodFilter, choices_cache
from bureau.models import Payment, PaymentProgramme, Person, PersonCategory
from bureau.models.categories import PreferentialCategory
from tests.conftest import make_persona
from tests.factories import PaymentProgrammeFactory, TownshipFactory, make_id_number

pytestmark = pytest.mark.django_db

PAYMENTS, PERSONS = "/admin/bureau/payment/", "/admin/bureau/person/"
MONTHS = [f"2021-{month:02d}" for month in range(1, 13)]


def add_persons(township, count: int, start: int) -> list[Person]:
    return Person.objects.bulk_create(
        Person(
            name=f"名册人员{start + n}",
            id_number=make_id_number(birth_date=datetime.date(1960, 1, 1) + datetime.timedelta(days=start + n)),
            township=township,
        )
        for n in range(count)
    )


def add_payments(persons, programme, periods, paid_on=datetime.date(2021, 6, 15)) -> list[Payment]:
    return Payment.objects.bulk_create(
        Payment(person=person, programme=programme, period=period, amount=Decimal("100.00"), paid_on=paid_on)
        for person in persons
        for period in periods
    )


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """25 people, each paid monthly for 2021 (300 rows), a yearly 2021 and a one-off payment."""
    with django_db_blocker.unblock(), transaction.atomic():
        township = TownshipFactory(code="L01", name="列表镇", order=1)
        persons = add_persons(township, 25, start=0)
        monthly = PaymentProgrammeFactory(code="list-monthly", frequency=PaymentProgramme.Frequency.MONTHLY)
        annual = PaymentProgrammeFactory(code="list-annual", frequency=PaymentProgramme.Frequency.ANNUAL)
        once = PaymentProgrammeFactory(code="list-once", frequency=PaymentProgramme.Frequency.ONCE)
        add_payments(persons, monthly, MONTHS)
        add_payments(persons[:3], annual, ["2021"], paid_on=datetime.date(2022, 1, 20))
        add_payments(persons[:2], once, [""])
        PersonCategory.objects.bulk_create(
            PersonCategory(person=person, category=PreferentialCategory.DISABLED_SOLDIER, started_on=start)
            for person in persons[:4]
            for start in (datetime.date(2010, 1, 1), datetime.date(2015, 1, 1))
        )
        yield {
            "township": township,
            "persons": persons,
            "monthly": monthly,
            "clerk": make_persona("bureau_user"),
        }
        transaction.set_rollback(True)


@pytest.fixture
def clerk_client(client, dataset):
    choices_cache.clear()
    client.force_login(dataset["clerk"])
    return client


def growing_queries(queries, table: str) -> list[str]:
    """The statements whose cost grows with `table`: a DISTINCT over it, a COUNT of it without a LIMIT."""
    reads_table = re.compile(rf'FROM "{table}"(?!\w)')
    found = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if not reads_table.search(sql):
            continue
        if "DISTINCT" in sql.upper() or ("COUNT(" in sql.upper() and "LIMIT" not in sql.upper()):
            found.append(sql)
    return found


def get(client, url: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, queries


def page_ids(response) -> set[int]:
    return {row.pk for row in response.context["cl"].result_list}


def test_payment_list_reads_no_more_of_the_ledger_as_it_grows(clerk_client, dataset):
    urls = [PAYMENTS, f"{PAYMENTS}?period=2021-03"]
    clerk_client.get(PAYMENTS)  # per-process caches (content types, the filter's years) out of the count
    smaller = {url: get(clerk_client, url)[1] for url in urls}
    more = add_persons(dataset["township"], 25, start=100)
    add_payments(more, dataset["monthly"], MONTHS)
    larger = {url: get(clerk_client, url)[1] for url in urls}

    for url in urls:
        assert growing_queries(smaller[url], "bureau_payment") == [], url
        assert growing_queries(larger[url], "bureau_payment") == [], url
        assert len(larger[url]) == len(smaller[url]), url
    # The count is of the filtered rows, stopped at the cap.
    assert any(
        re.search(r'SELECT COUNT\(\*\).*FROM "bureau_payment".*LIMIT 10001', query["sql"])
        for query in larger[PAYMENTS].captured_queries
    )


def test_person_list_reads_no_more_of_the_register_as_it_grows(clerk_client, dataset):
    # The category filter spans a to-many relation: the matching people by a semi-join, not a DISTINCT.
    urls = [PERSONS, f"{PERSONS}?categories__category__exact={PreferentialCategory.DISABLED_SOLDIER}"]
    clerk_client.get(PERSONS)
    smaller = {url: get(clerk_client, url) for url in urls}
    add_persons(dataset["township"], 40, start=200)
    larger = {url: get(clerk_client, url) for url in urls}

    for url in urls:
        assert growing_queries(smaller[url][1], "bureau_person") == [], url
        assert len(larger[url][1]) == len(smaller[url][1]), url
    assert page_ids(larger[urls[1]][0]) == {person.pk for person in dataset["persons"][:4]}
    assert larger[urls[1]][0].context["cl"].result_count == 4
    rows = [
        query["sql"]
        for query in larger[PERSONS][1].captured_queries
        if query["sql"].startswith('SELECT "bureau_person"."id", "bureau_person"."version"')
    ]
    # Ordered by its own columns (an index), not through the township's table.
    assert rows and all(
        'ORDER BY "bureau_person"."township_id" ASC, "bureau_person"."name" ASC, "bureau_person"."id" ASC' in sql
        for sql in rows
    )


def test_person_list_reverses_urls_once_per_list_not_per_row(clerk_client, dataset, monkeypatch):
    reverses = []
    original = URLResolver._reverse_with_prefix

    def counted(self, lookup_view, *args, **kwargs):
        reverses.append(lookup_view)
        return original(self, lookup_view, *args, **kwargs)

    clerk_client.get(PERSONS)
    monkeypatch.setattr(URLResolver, "_reverse_with_prefix", counted)
    response, _ = get(clerk_client, PERSONS)
    smaller = len(reverses)
    add_persons(dataset["township"], 40, start=300)
    reverses.clear()
    response, _ = get(clerk_client, PERSONS)

    assert len(response.context["cl"].result_list) == 65
    assert len(reverses) == smaller
    person = dataset["persons"][0]
    page = response.content.decode()
    assert f'href="{reverse("admin:bureau_person_change", args=[person.pk])}"' in page
    assert f'href="{reverse("admin:bureau_person_file", args=[person.pk])}"' in page


def test_period_filter_offers_the_programmes_periods_and_filters_exactly(clerk_client, dataset):
    response, queries = get(clerk_client, PAYMENTS)
    period_filter = next(spec for spec in response.context["cl"].filter_specs if isinstance(spec, PeriodFilter))
    offered = [choice for choice, _ in period_filter.lookup_choices]
    # Years paid 2021 and 2022, and the year before (a January payment may be for December).
    assert offered == [
        "2022",
        *[f"2022-{month:02d}" for month in range(12, 0, -1)],
        "2021",
        *reversed(MONTHS),
        "2020",
        *[f"2020-{month:02d}" for month in range(12, 0, -1)],
        "-",
    ]
    assert dict(period_filter.lookup_choices)["2021-03"] == "2021 年 3 月"

    payments = Payment.objects.all()
    for value, period in [("2021-03", "2021-03"), ("2021", "2021"), ("-", "")]:
        admin.site._registry[Payment].list_per_page = 1000
        try:
            filtered, _ = get(clerk_client, f"{PAYMENTS}?period={value}")
        finally:
            admin.site._registry[Payment].list_per_page = 100
        expected = set(payments.filter(period=period).values_list("pk", flat=True))
        assert page_ids(filtered) == expected, value
    assert len(expected) == 2


@override_settings(ADMIN_LIST_COUNT_CAP=250)
def test_a_list_past_the_cap_says_more_than_and_keeps_its_pages(clerk_client, dataset):
    response, _ = get(clerk_client, PAYMENTS)
    page = response.content.decode()

    assert response.context["cl"].count_capped
    assert "超过 250 条资金发放台账" in page
    assert len(response.context["cl"].result_list) == 100
    # Past the counted rows the pages are still served: 305 rows, the fourth page has 5.
    last, _ = get(clerk_client, f"{PAYMENTS}?p=4")
    assert len(last.context["cl"].result_list) == 5
    assert 'href="?p=5"' in last.content.decode()


def test_a_list_under_the_cap_counts_exactly(clerk_client, dataset):
    response, _ = get(clerk_client, f"{PAYMENTS}?period=2021-03")

    assert not response.context["cl"].count_capped
    assert response.context["cl"].result_count == 25
    assert "25 资金发放台账" in response.content.decode()


def payment_scans() -> int:
    """Scans of the ledger table in this transaction so far (PostgreSQL's statistics of the transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0) FROM pg_stat_xact_user_tables WHERE relname = %s",
            ["bureau_payment"],
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's estimate of a table (pg_class); SQLite counts up to the cap"
)
@override_settings(ADMIN_LIST_COUNT_CAP=100)
def test_a_whole_table_well_past_the_cap_is_not_counted_on_postgresql(clerk_client, dataset, monkeypatch):
    from bureau.admin import paging

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bureau_payment")  # the estimate: 305 rows (rolled back with the test)
    clerk_client.get(PAYMENTS)  # per-process caches out of the figures
    # The page's cap is 200 (at least 显示全部's 200 rows). Estimated at 305, not over twice 200: counted.
    before = payment_scans()
    response, _ = get(clerk_client, PAYMENTS)
    counted_scans = payment_scans() - before
    assert response.context["cl"].count_capped
    assert "超过 200 条资金发放台账" in response.content.decode()
    # Over the margin (1× here): past the cap without reading the table, one scan fewer (the page's rows only).
    monkeypatch.setattr(paging, "ESTIMATE_MARGIN", 1)
    before = payment_scans()
    response, queries = get(clerk_client, PAYMENTS)
    assert payment_scans() - before == counted_scans - 1
    assert response.context["cl"].count_capped
    assert "超过 200 条资金发放台账" in response.content.decode()
    assert len(response.context["cl"].result_list) == 100
    assert growing_queries(queries, "bureau_payment") == []
    # A filtered list is counted as before, exactly under the cap.
    filtered, _ = get(clerk_client, f"{PAYMENTS}?period=2021-03")
    assert filtered.context["cl"].result_count == 25
    # Under the estimate's margin a whole table is counted exactly: the cap raised past the 305 rows.
    with override_settings(ADMIN_LIST_COUNT_CAP=1000):
        whole, _ = get(clerk_client, PAYMENTS)
    assert not whole.context["cl"].count_capped
    assert whole.context["cl"].result_count == 305
