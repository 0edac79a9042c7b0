"""
Pensions' to-do declarations (pensions.todo): beneficiaries due a visit in a visiting round, and
problems past their deadline, for constructed townships; the visiting round's admin.
"""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from bureau import roles
from bureau.models import Occasion, PendingChange, ReviewStatus
from bureau.rules.services import record_review
from pensions.apps import PensionsConfig
from pensions.demo import round_open_on, visit_round_seed
from pensions.models import PROBLEM_DAYS, Problem, VisitRound
from pensions.todo import problems_due, visits_due
from tests.conftest import make_persona
from tests.factories import PersonCategoryFactory, PersonFactory, TownshipFactory, UserFactory, VisitFactory
from tests.pensions.factories import ProblemFactory, VisitRoundFactory

pytestmark = pytest.mark.django_db

D = datetime.date
ROUND = "2021年元旦春节走访慰问"
VISIT_DAY = D(2021, 1, 15)  # within the round
PROBLEM_DAY = D(2021, 3, 15)


def beneficiary(name, township, *categories, ended_on=None, **fields):
    person = PersonFactory(name=name, township=township, **fields)
    for category in categories:
        PersonCategoryFactory(person=person, category=category, started_on=D(2010, 1, 1), ended_on=ended_on)
    return person


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        east = TownshipFactory(code="TD1", name="东城街道", order=1)
        west = TownshipFactory(code="TD2", name="西城街道", order=2)
        big = TownshipFactory(code="TD3", name="北城街道", order=3)
        VisitRoundFactory(year=2021, categories=["disabled_soldier", "martyr_family"])
        # Not started by the day asked, and a round of another year: neither is expected.
        VisitRoundFactory(
            title="2021年八一建军节走访慰问",
            occasion=Occasion.ARMY_DAY,
            starts_on=D(2021, 7, 1),
            ends_on=D(2021, 8, 31),
            categories=["disabled_soldier"],
        )
        VisitRoundFactory(year=2019)

        zhang = beneficiary("张建国", east, "disabled_soldier")  # due, not visited
        li = beneficiary("李秀英", east, "martyr_family")
        VisitFactory(person=li, visited_on=D(2021, 1, 10), review_status=ReviewStatus.APPROVED)  # done
        wang = beneficiary("王志强", east, "disabled_soldier", "martyr_family")  # both categories: one row
        VisitFactory(person=wang, visited_on=D(2020, 12, 20), review_status=ReviewStatus.SUBMITTED)  # done
        zhao = beneficiary("赵德明", east, "disabled_soldier")
        VisitFactory(person=zhao, visited_on=D(2021, 1, 5), review_status=ReviewStatus.RETURNED)  # not done
        zheng = beneficiary("郑玉兰", east, "martyr_family")
        VisitFactory(person=zheng, visited_on=D(2020, 11, 20))  # before the round: not done
        VisitFactory(person=zheng, occasion=Occasion.ROUTINE, visited_on=D(2021, 1, 6))  # another occasion
        VisitFactory(person=zheng, area="support_army", visited_on=D(2021, 1, 7))  # another area's visit
        # Not expected: outside the categories, dead or moved out before the round, category ended before it.
        beneficiary("钱学文", east, "hardship_veteran")
        beneficiary("孙福生", east, "disabled_soldier", status="deceased", died_on=D(2020, 11, 1))
        beneficiary("周海涛", east, "disabled_soldier", moved_out_on=D(2020, 10, 1))
        beneficiary("吴长林", east, "disabled_soldier", ended_on=D(2020, 6, 30))
        # Died during the round: still due (present during it).
        beneficiary("冯国庆", east, "disabled_soldier", status="deceased", died_on=D(2021, 1, 3))
        beneficiary("陈西城", west, "disabled_soldier")  # another township

        def problem(name, township, reported_on, **fields):
            person = PersonFactory(name=name, township=township)
            return ProblemFactory(person=person, reported_on=reported_on, **fields)

        solved = {"state": Problem.State.RESOLVED, "resolution": "已协调解决。"}
        problems = {
            "late": problem("胡晓明", east, D(2021, 1, 10)),  # due 2021-02-09: late
            "open": problem("林小芳", east, D(2021, 3, 1), state=Problem.State.IN_PROGRESS),  # due 2021-03-31
            "solved": problem("何振华", east, D(2021, 1, 5), resolved_on=D(2021, 1, 20), **solved),
            "earlier": problem("罗建平", east, D(2020, 11, 1)),  # open since last year: due 2020-12-01, late
            "earlier_solved": problem("高玉梅", east, D(2020, 12, 1), resolved_on=D(2021, 1, 8), **solved),
            "extended": problem("梁大海", east, D(2021, 1, 2), due_on=D(2021, 4, 30)),  # the bureau's deadline
        }
        problem("宋旧事", east, D(2020, 6, 1), resolved_on=D(2020, 7, 1), **solved)  # solved last year
        problem("韩西城", west, D(2021, 1, 10))

        # A bigger township for the query counts: 9 beneficiaries (4 visited), 8 problems.
        for n in range(9):
            person = beneficiary(f"北城人员{n}", big, "disabled_soldier")
            if n % 2:
                VisitFactory(person=person, visited_on=D(2021, 1, 2 + n))
        for n in range(8):
            problem(f"北城反映人{n}", big, D(2021, 1, 1 + n))

        station = UserFactory(username="todo_station_east", township=east, groups=[roles.STATION_STAFF])
        yield {
            "east": east,
            "west": west,
            "big": big,
            "zhang": zhang,
            "zhao": zhao,
            "problems": problems,
            "station": station,
        }
        transaction.set_rollback(True)


def visit_rows(township, today=VISIT_DAY):
    return {row.label: row for row in visits_due(township=township, year=2021, today=today).rows}


def problem_rows(township, today=PROBLEM_DAY):
    return {row.label: row for row in problems_due(township=township, year=2021, today=today).rows}


def label(name: str) -> str:
    return f"{name}（{ROUND}）"


def test_the_area_declares_both_expectations():
    assert PensionsConfig.todo == ("pensions.todo.visits_due", "pensions.todo.problems_due")


# --- visits ------------------------------------------------------------------------------------


def test_the_rows_are_exactly_the_beneficiaries_of_the_township_due_a_visit(data):
    rows = visit_rows(data["east"])

    assert {name: row.done for name, row in rows.items()} == {
        label("张建国"): False,
        label("李秀英"): True,
        label("王志强"): True,
        label("赵德明"): False,  # returned for correction
        label("郑玉兰"): False,  # visited before the round, on another occasion, by another area
        label("冯国庆"): False,
    }
    assert {row.due for row in rows.values()} == {D(2021, 2, 28)}
    assert list(visit_rows(data["west"])) == [label("陈西城")]


def test_an_undone_row_opens_the_visit_form_with_the_person_and_occasion(data):
    zhang = visit_rows(data["east"])[label("张建国")]

    assert zhang.url == f"{reverse('station:pensions:visit_create')}?person={data['zhang'].pk}&occasion=spring_festival"
    assert zhang.late_on(D(2021, 3, 1)) and not zhang.late_on(D(2021, 2, 28))


def test_no_round_started_no_rows_and_the_period_names_the_rounds(data):
    expectation = visits_due(township=data["east"], year=2021, today=D(2021, 9, 1))

    assert visits_due(township=data["east"], year=2020, today=D(2020, 11, 30)).rows == ()
    assert expectation.period == f"{ROUND}、2021年八一建军节走访慰问"
    # In the Army Day round the disabled soldiers are due (冯国庆 died before it); nobody was visited.
    army = [row.label for row in expectation.rows if "八一" in row.label]
    assert sorted(army) == sorted(f"{name}（2021年八一建军节走访慰问）" for name in ("张建国", "王志强", "赵德明"))


def test_a_visit_submitted_through_the_station_form_makes_its_row_done(data, client):
    client.force_login(data["station"])
    url = visits_due(township=data["east"], year=2021, today=VISIT_DAY).rows
    url = next(row.url for row in url if row.label == label("张建国"))
    page = client.get(url)
    assert page.context["form"]["person"].value() == data["zhang"].pk
    assert page.context["form"]["occasion"].value() == "spring_festival"

    response = client.post(
        reverse("station:pensions:visit_create"),
        {
            "person": data["zhang"].pk,
            "occasion": "spring_festival",
            "hardship_category": "",
            "visited_on": "2021-01-12",
            "visitor": "东城街道服务站",
            "amount": "",
            "programme": "",
            "note": "",
            "submission_key": page.context["submission_key"],
        },
    )

    assert response.status_code == 302
    row = visit_rows(data["east"])[label("张建国")]
    assert row.done
    assert row.url.startswith("/station/pensions/visits/") and row.url.endswith("/edit/")


def test_the_visit_form_preselects_nobody_of_another_township(data, client):
    client.force_login(data["station"])
    west_person = PersonFactory(township=data["west"])

    page = client.get(reverse("station:pensions:visit_create"), {"person": west_person.pk, "occasion": "nonsense"})

    assert page.status_code == 200
    assert f'value="{west_person.pk}"' not in page.content.decode()
    assert page.context["form"]["occasion"].value() in (None, "")


# --- problems ----------------------------------------------------------------------------------


def test_a_problem_gets_the_default_deadline_unless_the_bureau_set_one(data):
    problems = data["problems"]

    assert PROBLEM_DAYS == 30
    assert problems["late"].due_on == D(2021, 2, 9)
    assert problems["extended"].due_on == D(2021, 4, 30)


def test_the_problem_rows_are_the_years_and_the_earlier_still_open_and_exactly_two_late(data):
    rows = problem_rows(data["east"])

    assert {name: (row.done, row.due) for name, row in rows.items()} == {
        "胡晓明：生活困难（2021-01-10反映）": (False, D(2021, 2, 9)),
        "林小芳：生活困难（2021-03-01反映）": (False, D(2021, 3, 31)),
        "何振华：生活困难（2021-01-05反映）": (True, D(2021, 2, 4)),
        "罗建平：生活困难（2020-11-01反映）": (False, D(2020, 12, 1)),
        "高玉梅：生活困难（2020-12-01反映）": (True, D(2020, 12, 31)),
        "梁大海：生活困难（2021-01-02反映）": (False, D(2021, 4, 30)),
    }
    late = sorted(name for name, row in rows.items() if row.late_on(PROBLEM_DAY))
    assert late == sorted(["胡晓明：生活困难（2021-01-10反映）", "罗建平：生活困难（2020-11-01反映）"])
    assert rows["胡晓明：生活困难（2021-01-10反映）"].url == reverse(
        "station:pensions:problem_edit", args=[data["problems"]["late"].pk]
    )
    assert list(problem_rows(data["west"])) == ["韩西城：生活困难（2021-01-10反映）"]


def test_solving_a_problem_makes_its_row_done(data):
    problem = Problem.objects.get(pk=data["problems"]["earlier"].pk)
    problem.state, problem.resolution, problem.resolved_on = Problem.State.CLOSED, "已办结。", D(2021, 3, 10)
    problem.save()

    row = problem_rows(data["east"])["罗建平：生活困难（2020-11-01反映）"]

    assert row.done and not row.late_on(PROBLEM_DAY)


def test_a_stations_solving_of_an_approved_problem_awaiting_approval_counts_as_done(data, client):
    problem = data["problems"]["late"]
    client.force_login(data["station"])
    url = reverse("station:pensions:problem_edit", args=[problem.pk])
    page = client.get(url)
    form = page.context["form"]
    post = {name: form[name].value() or "" for name in form.fields}
    post.update(state="resolved", resolution="已协调社区解决取暖。", resolved_on="2021-03-12")
    post["submission_key"] = page.context["submission_key"]

    response = client.post(url, post)

    assert response.status_code == 302
    assert PendingChange.objects.pending().of(problem).exists()
    assert Problem.objects.get(pk=problem.pk).state == Problem.State.OPEN  # still the approved record
    row = problem_rows(data["east"])["胡晓明：生活困难（2021-01-10反映）"]
    assert row.done and row.detail == "解决情况待区局审核"


def test_a_stations_new_problem_gets_its_deadline_and_is_approved_as_it_stands(data, client):
    client.force_login(data["station"])
    person = PersonFactory(name="曹新报", township=data["east"])
    page = client.get(reverse("station:pensions:problem_create"))
    post = {
        "person": person.pk,
        "kind": "housing",
        "description": "房屋漏雨。",
        "source": "phone",
        "reported_on": "2021-03-01",
        "state": "open",
        "submission_key": page.context["submission_key"],
    }

    assert client.post(reverse("station:pensions:problem_create"), post).status_code == 302
    problem = Problem.objects.get(person=person)
    assert (problem.review_status, problem.due_on) == (ReviewStatus.SUBMITTED, D(2021, 3, 31))
    record_review(record=problem, by=make_persona("bureau_user"), approve=True)
    assert Problem.objects.get(pk=problem.pk).review_status == ReviewStatus.APPROVED


# --- a fixed number of queries -----------------------------------------------------------------


@pytest.mark.parametrize(("function", "queries"), [(visits_due, 4), (problems_due, 2)])
def test_the_queries_do_not_grow_with_the_rows(data, django_assert_num_queries, function, queries):
    function(township=data["west"], year=2021, today=PROBLEM_DAY)  # caches (content types) warmed
    counts = {}
    for township in ("east", "big"):
        with django_assert_num_queries(queries):
            counts[township] = len(function(township=data[township], year=2021, today=VISIT_DAY).rows)

    assert counts == ({"east": 6, "big": 9} if function is visits_due else {"east": 5, "big": 8})


# --- the round's admin -------------------------------------------------------------------------


def round_form(**fields):
    data = {
        "title": "2022年元旦春节走访慰问",
        "occasion": "spring_festival",
        "starts_on": "2021-12-01",
        "ends_on": "2022-02-15",
        "categories": ["disabled_soldier", "martyr_child"],
        "note": "",
    }
    return {**data, **fields}


def test_the_bureau_adds_a_round_in_the_admin(client_for):
    client = client_for(make_persona("bureau_user"))

    response = client.post(reverse("admin:pensions_visitround_add"), round_form())

    assert response.status_code == 302
    added = VisitRound.objects.get(title="2022年元旦春节走访慰问")
    assert added.categories == ["disabled_soldier", "martyr_child"]
    assert added.category_labels == ["残疾军人", "烈士子女"]
    assert added.is_open(D(2022, 2, 15)) and not added.is_open(D(2022, 2, 16))
    assert added.history.count() == 1


def test_a_round_ending_before_it_starts_is_refused_in_chinese(client_for):
    client = client_for(make_persona("bureau_user"))

    response = client.post(reverse("admin:pensions_visitround_add"), round_form(ends_on="2021-11-30"))
    empty = client.post(reverse("admin:pensions_visitround_add"), round_form(title="空类别", categories=[]))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["ends_on"] == ["截止日期不能早于开始日期。"]
    assert empty.context["adminform"].form.errors["categories"] == ["请至少选择一个走访对象类别。"]
    assert not VisitRound.objects.filter(title__in=["2022年元旦春节走访慰问", "空类别"]).exists()


# --- the demo's round ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "title", "starts_on", "ends_on"),
    [
        (D(2026, 12, 7), "2027年元旦春节走访慰问", D(2026, 12, 1), D(2027, 2, 28)),
        (D(2028, 2, 29), "2028年元旦春节走访慰问", D(2027, 12, 1), D(2028, 2, 29)),
        (D(2027, 3, 1), "2027年清明走访慰问", D(2027, 3, 1), D(2027, 4, 30)),
        (D(2027, 8, 31), "2027年八一建军节走访慰问", D(2027, 5, 1), D(2027, 8, 31)),
        (D(2027, 11, 30), "2027年中秋国庆走访慰问", D(2027, 9, 1), D(2027, 11, 30)),
    ],
)
def test_the_demo_round_of_the_season_covers_today(today, title, starts_on, ends_on):
    demo, first, last = round_open_on(today)

    assert (demo.title, first, last) == (title, starts_on, ends_on)
    assert first <= today <= last
    visit_round = visit_round_seed(demo, first, last)
    assert visit_round_seed(demo, first, last) == visit_round  # kept once, by its title
    visit_round.full_clean()
