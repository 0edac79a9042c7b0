"""
A test-only report section whose figures come from real records (persons and the payment ledger).

The five area sections are placeholders until their apps keep records, so the
renderers are tested against this one: it has the shape of a real section,
including an item with no data in the period that must drop out of the text.
"""

import datetime

from django.db.models import Count, Sum

from bureau.models import Payment, Person
from bureau.reporting import Figure, Item, Section

SUBSIDY_PROGRAMME = "startup-subsidy"


def section(*, year: int, township=None) -> Section:
    veterans = Person.objects.approved().veterans().in_township(township)
    payments = Payment.objects.in_township(township).in_year(year).select_related("person", "programme")
    return Section(
        app_label="sample",
        area="样例",
        heading="样例工作扎实推进",
        lead="为检验报告生成，以下数字均由登记记录统计得出。",
        items=[
            _registered(veterans, year),
            _subsidy(payments),
            _payments(payments),
            _role_models(veterans, year),
        ],
    )


def _registered(veterans, year: int) -> Item:
    on_books = veterans.filter(discharged_on__lte=datetime.date(year, 12, 31)).order_by("discharged_on", "name")
    return Item(
        key="sample.registered",
        title="摸清退役军人底数",
        default_sentence="{{ township }}共有{{ veterans }}名退役军人登记在册，其中{{ year }}年退役{{ discharged }}名。",
        figures=[
            Figure("veterans", "登记在册退役军人", on_books.count() or None, "人"),
            Figure("discharged", "当年退役", veterans.discharged_in(year).count(), "人"),
        ],
        required=("veterans",),
        detail_headers=["姓名", "乡镇（街道）", "退役日期"],
        detail_rows=[[p.name, p.township.name, p.discharged_on] for p in on_books.select_related("township")],
    )


def _subsidy(payments) -> Item:
    # No programme of this code is paid in the tests: the item must drop out into 数据缺项.
    times = payments.of_programme(SUBSIDY_PROGRAMME).count()
    return Item(
        key="sample.subsidy",
        title="发放创业补贴",
        default_sentence="发放创业补贴{{ subsidy_times }}人次。",
        figures=[Figure("subsidy_times", "创业补贴发放人次", times or None, "人次")],
    )


def _payments(payments) -> Item:
    totals = payments.aggregate(total=Sum("amount"), payees=Count("person", distinct=True))
    return Item(
        key="sample.payments",
        title="各类资金发放到位",
        default_sentence="全年共为{{ payees }}名对象发放资金{{ paid }}。",
        figures=[
            Figure("payees", "资金发放对象", totals["payees"] or None, "人"),
            Figure("paid", "发放资金", totals["total"], "元"),
        ],
        detail_headers=["姓名", "资金项目", "期间", "金额（元）"],
        detail_rows=[[p.person.name, p.programme.name, p.period, p.amount] for p in payments.order_by("paid_on", "pk")],
    )


def _role_models(veterans, year: int) -> Item:
    names = list(veterans.discharged_in(year).order_by("discharged_on", "name").values_list("name", flat=True))
    return Item(
        key="sample.role_models",
        title="选树宣传退役军人典型",
        default_sentence="选树宣传{{ names|join:'、' }}等{{ year }}年退役的退役军人典型。",
        figures=[Figure("names", "退役军人典型", names, "")],
    )


# --- records the tests build, with the figures they must give ----------------------------------

SAMPLE = "tests.reports.sample_section.section"


def build_records(township_a, township_b) -> dict:
    """
    甲镇: 张一 (discharged 2019), 张二 and 张三 (2021), plus a draft veteran and a family member who never count.
    乙镇: 李一 (2020), 李二 (2021).
    Paid in 2021: 张一 10,000, 张二 2,500, 李一 800 (district 13,300 = 1.33万元); in 2020: 张一 6,000.
    Staff marked 2020 complete (ReportYear), so 2021's report compares with it despite its one payment.
    """
    from bureau.models import ReviewStatus
    from reports.models import ReportYear
    from tests.factories import PaymentFactory, PaymentProgrammeFactory, PersonFactory

    def veteran(name, township, discharged, **extra):
        return PersonFactory(name=name, township=township, discharged_on=discharged, **extra)

    people = {
        "张一": veteran("张一", township_a, datetime.date(2019, 9, 1)),
        "张二": veteran("张二", township_a, datetime.date(2021, 9, 1)),
        "张三": veteran("张三", township_a, datetime.date(2021, 10, 1)),
        "李一": veteran("李一", township_b, datetime.date(2020, 9, 1)),
        "李二": veteran("李二", township_b, datetime.date(2021, 11, 1)),
    }
    veteran("张四", township_a, datetime.date(2021, 9, 1), review_status=ReviewStatus.DRAFT)
    PersonFactory(name="张五", township=township_a, status="family")
    pension = PaymentProgrammeFactory(code="pension-monthly", name="定期抚恤金")
    festival = PaymentProgrammeFactory(code="spring-festival", name="春节慰问金", frequency="annual")
    for name, programme, amount, period, paid_on in [
        ("张一", pension, "10000.00", "2021-03", datetime.date(2021, 3, 15)),
        ("张二", festival, "2500.00", "2021-01", datetime.date(2021, 1, 20)),
        ("李一", pension, "800.00", "2021-05", datetime.date(2021, 5, 10)),
        ("张一", pension, "6000.00", "2020-06", datetime.date(2020, 6, 15)),
    ]:
        PaymentFactory(person=people[name], programme=programme, amount=amount, period=period, paid_on=paid_on)
    ReportYear.objects.create(year=2020, records=ReportYear.Records.COMPLETE)
    return people


def pay_startup_subsidy(person) -> None:
    """Gives the otherwise empty item data, so that nothing is missing."""
    from tests.factories import PaymentFactory, PaymentProgrammeFactory

    programme = PaymentProgrammeFactory(code=SUBSIDY_PROGRAMME, name="创业补贴", area="employment")
    PaymentFactory(person=person, programme=programme, amount="3000.00", period="2021-06")
