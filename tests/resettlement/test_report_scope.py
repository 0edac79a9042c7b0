"""
Section (二) in a township report (issue 26): the township's grants, insurance and sergeants in its own
name; the departments, institutions and posts offered are the district's (7, 11, 23) and a township report
states none of them; a clause whose figure is zero is left out; each figure counted or summed from rows
lists exactly those rows (persons for headcounts, ledger rows whose Sum("amount") is the money).

One constructed year, built once for the module: 东城街道 three grants (60,160 yuan) and two veterans'
insurance continued, two retirees' staff medical insurance (one paid, all by the treasury); 西城街道 one
grant (23,700), one continuation, one retiree accounted and not paid. The placement batch offers 23 posts
of 7 departments (11 fully funded institutions and one that is not); 东城街道's three candidates all chose,
西城街道's two did not (one chose).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from bureau.models import Person
from bureau.reporting import DISTRICT
from reports.compose import compose_report
from resettlement.models import InsuranceContinuation
from resettlement.programmes import programme
from resettlement.report import section
from tests.factories import PaymentFactory, PaymentProgrammeFactory, PersonFactory, TownshipFactory, UserFactory
from tests.resettlement.factories import (
    InsuranceContinuationFactory,
    NcoFactory,
    PlacementBatchFactory,
    PlacementCandidateFactory,
    PlacementPositionFactory,
    PlacementSelectionFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
Kind = InsuranceContinuation.Kind
State = InsuranceContinuation.State
SELF = Person.DischargeRoute.SELF_EMPLOYED
DEPARTMENTS = ["区委政法委", "区政协办", "区政府办", "区自然资源局", "区水利局", "区民政局", "区卫生健康委"]
# The district's offer: no township report states it.
DISTRICT_WORDS = ("7个部门", "11个", "23个", "区委政法委", "以供选择")

PLACEMENT_TAIL = "名转业士官按照量化标准得分从高到低依次公开选岗，并当场签字确认，"
DISTRICT_TEXTS = [
    "一是各类资金发放到位。对2021年退役士兵就业金核算及发放人数4人次，发放自主就业金8.39万元；"
    "为3名退役士兵办理社保接续，3名退休人员核算办理职工医疗保险，办理缴费1人，财政负担5400元。",
    "二是安置工作三方满意。今年我区共有5名退役士官符合政府安排工作条件，共提供了区委政法委、区政协办、区政府办、"
    f"区自然资源局等7个部门11个全额拨款事业单位的23个优质岗位以供选择，4{PLACEMENT_TAIL}选岗率80%。",
]
EAST_TEXTS = [
    "一是各类资金发放到位。对东城街道2021年退役士兵就业金核算及发放人数3人次，发放自主就业金6.02万元；"
    "为2名退役士兵办理社保接续，2名退休人员核算办理职工医疗保险，办理缴费1人，财政负担5400元。",
    "二是安置工作三方满意。今年东城街道共有3名退役士官符合政府安排工作条件，"
    f"3{PLACEMENT_TAIL}每位转业士官都选到了心仪的岗位。",
]
# Nobody of 西城街道 paid staff medical insurance: no 办理缴费0人，个人负担0元….
WEST_TEXTS = [
    "一是各类资金发放到位。对西城街道2021年退役士兵就业金核算及发放人数1人次，发放自主就业金2.37万元；"
    "为1名退役士兵办理社保接续，1名退休人员核算办理职工医疗保险。",
    f"二是安置工作三方满意。今年西城街道共有2名退役士官符合政府安排工作条件，1{PLACEMENT_TAIL}选岗率50%。",
]


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        east = TownshipFactory(code="R01", name="东城街道", order=1)
        west = TownshipFactory(code="R02", name="西城街道", order=2)

        grant = programme()
        for township, amount in [(east, "30600.00"), (east, "17040.00"), (east, "12520.00"), (west, "23700.00")]:
            person = PersonFactory(township=township, discharge_route=SELF, discharged_on=D(2021, 9, 1))
            PaymentFactory(person=person, programme=grant, amount=amount, period="2021", paid_on=D(2021, 12, 15))
        # Neither last year's cohort nor another programme is this year's grant.
        PaymentFactory(person=PersonFactory(township=east), programme=grant, amount="9999.00", period="2020")
        PaymentFactory(person=PersonFactory(township=east), programme=PaymentProgrammeFactory(), period="2021-03")

        returning = [PersonFactory(township=east), PersonFactory(township=east), PersonFactory(township=west)]
        InsuranceContinuationFactory(person=returning[0], kind=Kind.PENSION, handled_on=D(2021, 10, 1))
        InsuranceContinuationFactory(person=returning[0], kind=Kind.MEDICAL, handled_on=D(2021, 10, 1))
        InsuranceContinuationFactory(person=returning[1], kind=Kind.PENSION, handled_on=D(2021, 10, 2))
        InsuranceContinuationFactory(person=returning[2], kind=Kind.UNEMPLOYMENT, handled_on=D(2021, 10, 3))
        for n, (township, state) in enumerate([(east, State.PAID), (east, State.ACCOUNTED), (west, State.ACCOUNTED)]):
            InsuranceContinuationFactory(
                person=PersonFactory(township=township),
                kind=Kind.STAFF_MEDICAL,
                handled_on=D(2021, 3, 1 + n),
                personal_share=Decimal("0.00"),
                fiscal_share=Decimal("5400.00"),
                state=state,
            )

        batch = PlacementBatchFactory(year=2021, session_on=D(2021, 11, 20))
        # 11 fully funded institutions of 7 departments, 20 posts; one institution not fully funded, 3 posts.
        posts = [2] * 9 + [1, 1]
        positions = [
            PlacementPositionFactory(
                batch=batch, department=DEPARTMENTS[n % 7], institution=f"区第{n + 1}事业服务中心", posts=count
            )
            for n, count in enumerate(posts)
        ]
        PlacementPositionFactory(
            batch=batch, department="区政府办", institution="区差额拨款中心", fully_funded=False, posts=3
        )
        host = UserFactory(username="placement-host")
        for n, (township, chosen) in enumerate([(east, True)] * 3 + [(west, True), (west, False)]):
            candidate = PlacementCandidateFactory(batch=batch, person=NcoFactory(township=township))
            if chosen:
                PlacementSelectionFactory(candidate=candidate, position=positions[n], confirmed_by=host)
        yield {"east": east, "west": west}
        transaction.set_rollback(True)


@pytest.fixture
def resettlement_only(settings):
    settings.REPORT_SECTIONS = ["resettlement.report.section"]


def texts(township=None) -> list[str]:
    document = compose_report(year=2021, township=township, with_previous=False)
    return [item.text for rendered in document.sections for item in rendered.items]


def test_the_district_report(year, resettlement_only):
    assert texts() == DISTRICT_TEXTS


def test_a_township_states_its_own_figures_in_its_own_name(year, resettlement_only):
    east, west = texts(year["east"]), texts(year["west"])

    assert east == EAST_TEXTS
    assert west == WEST_TEXTS
    for text in east + west:
        assert not [words for words in DISTRICT_WORDS if words in text], text
        assert "全区" not in text and "我区" not in text, text


def test_the_posts_offered_are_the_district_s(year):
    placement = section(year=2021, township=year["west"]).items[1]

    assert {f.key for f in placement.figures if f.scope == DISTRICT} == {
        "departments",
        "institutions",
        "positions",
        "department_names",
    }
    # Computed the district's whatever the scope, blanked by compose for a township.
    values = placement.context()
    assert (values["departments"], values["institutions"], values["positions"]) == (7, 11, 23)
    assert placement.for_township().has_data


def test_every_figure_with_records_counts_or_sums_exactly_them(year):
    checked = set()
    for township in (None, year["east"], year["west"]):
        for item in section(year=2021, township=township).items:
            for figure in item.figures:
                if figure.records is None:
                    continue
                if figure.unit == "元":
                    assert figure.records.aggregate(total=Sum("amount"))["total"] == figure.value, figure.key
                else:
                    assert figure.records.count() == figure.value, (township, item.key, figure.key)
                checked.add(figure.key)
    assert checked == {
        "subsidy_person_times",
        "subsidy_total",
        "insurance_continuations",
        "medical_persons",
        "medical_payers",
        "medical_personal",
        "medical_fiscal",
        "medical_total",
        "eligible_ncos",
        "candidates",
    }


def test_headcounts_list_persons_and_money_the_ledger_rows(year):
    funds, placement = section(year=2021, township=year["east"]).items
    figures = {f.key: f for f in funds.figures + placement.figures}

    for key in ("insurance_continuations", "medical_persons", "medical_payers", "eligible_ncos", "candidates"):
        assert figures[key].records.model is Person, key
        assert set(figures[key].records.values_list("township__name", flat=True)) == {"东城街道"}, key
    grants = figures["subsidy_total"].records
    assert sorted(grants.values_list("amount", flat=True)) == [
        Decimal("12520.00"),
        Decimal("17040.00"),
        Decimal("30600.00"),
    ]


def test_headlines_are_the_grant_paid_and_the_sergeants_placed(year):
    assert [f.key for item in section(year=2021).items for f in item.figures if f.headline] == [
        "subsidy_total",
        "candidates",
    ]
