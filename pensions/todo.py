"""
What preferential care expects of a station (its to-do list, the bureau's completeness table):
`bureau.rules.todo` composes the expectations the area declares (`PensionsConfig.todo`).

- `visits_due`: in each visiting round the bureau decided (`VisitRound`), every person of the
  township holding one of the round's categories while in the district during the round is due a
  visit of the round's occasion within its days, recorded as this area's (`Visit.area`, what its
  report counts: another area's visit of the person does not close the row). A round is the
  year's when its days meet the year (a round from December to February is expected in both
  years), once it has started.
- `problems_due`: every problem of the township reported in the year, and those of earlier years
  still open (or solved during the year), is due by its deadline (`Problem.due_on`, by default
  `PROBLEM_DAYS` after the report).

Each function runs a fixed number of queries whatever the rows (values() reads, one per kind), and
counts a submitted record as done: a submitted visit, a problem whose solving waits for the bureau's
approval as a proposed change.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse

from bureau.models import PendingChange, Person, PersonCategory, ReviewStatus
from bureau.models.people import presence
from bureau.rules.todo import Expectation, Row
from pensions.forms import pensions_visits
from pensions.models import Problem, VisitRound, problem_due_on

# A visit the station submitted counts as done; one returned for correction does not.
VISIT_DONE_STATES = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)
PERSON_FIELDS = ("pk", "name", "status", "died_on", "moved_out_on", "moved_in_on")


def visits_due(*, township, year: int, today: datetime.date) -> Expectation:
    """One row per (round of the year started by `today`, person due a visit in it), in the rounds' order."""
    first_day, last_day = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    rounds = list(
        VisitRound.objects.filter(starts_on__lte=min(today, last_day), ends_on__gte=first_day).order_by(
            "starts_on", "pk"
        )
    )
    expectation = Expectation(key="pensions.visits", label="走访慰问", unit="人")
    if not rounds:
        return expectation
    start, end = min(r.starts_on for r in rounds), max(r.ends_on for r in rounds)
    codes = {code for r in rounds for code in r.categories}
    held = (
        PersonCategory.objects.filter(person__township=township, category__in=codes, started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .filter(presence(start, end, prefix="person__"))
        .values_list("person_id", "category", "started_on", "ended_on")
    )
    categories: dict[int, list[tuple[str, datetime.date, datetime.date | None]]] = {}
    for person_id, code, started_on, ended_on in held:
        categories.setdefault(person_id, []).append((code, started_on, ended_on))
    people = {
        person["pk"]: person
        for person in Person.objects.filter(pk__in=list(categories)).order_by("name", "pk").values(*PERSON_FIELDS)
    }
    visits: dict[tuple[int, str], list[tuple[datetime.date, int]]] = {}
    for person_id, occasion, visited_on, pk in (
        pensions_visits()
        .filter(
            person__township=township,
            occasion__in={r.occasion for r in rounds},
            visited_on__range=(start, end),
            review_status__in=VISIT_DONE_STATES,
        )
        .order_by("visited_on", "pk")
        .values_list("person_id", "occasion", "visited_on", "pk")
    ):
        visits.setdefault((person_id, occasion), []).append((visited_on, pk))
    create = reverse("station:pensions:visit_create")
    rows = []
    for visit_round in rounds:
        wanted = set(visit_round.categories)
        for person in people.values():  # by name
            held_during = any(
                code in wanted
                and started_on <= visit_round.ends_on
                and (ended_on is None or ended_on >= visit_round.starts_on)
                for code, started_on, ended_on in categories[person["pk"]]
            )
            if not held_during or not _present(person, visit_round.starts_on, visit_round.ends_on):
                continue
            visit = next(
                (
                    pk
                    for visited_on, pk in visits.get((person["pk"], visit_round.occasion), ())
                    if visit_round.starts_on <= visited_on <= visit_round.ends_on
                ),
                None,
            )
            label = f"{person['name']}（{visit_round.title}）"
            if visit is None:
                url = f"{create}?person={person['pk']}&occasion={visit_round.occasion}"
                rows.append(Row(label, False, url, due=visit_round.ends_on, detail="未走访"))
            else:
                rows.append(
                    Row(
                        label,
                        True,
                        reverse("station:pensions:visit_edit", args=[visit]),
                        due=visit_round.ends_on,
                        admin_url=reverse("admin:bureau_visit_change", args=[visit]),
                    )
                )
    period = "、".join(r.title for r in rounds)
    return Expectation(
        key=expectation.key, label=expectation.label, unit=expectation.unit, rows=tuple(rows), period=period
    )


def _present(person: dict, first: datetime.date, last: datetime.date) -> bool:
    """`bureau.models.people.presence` on a values() row: the SQL read the rounds' whole span, this one round."""
    died_on = person["died_on"]
    alive = died_on >= first if died_on is not None else person["status"] != Person.Status.DECEASED
    stayed = person["moved_out_on"] is None or person["moved_out_on"] >= first
    arrived = person["moved_in_on"] is None or person["moved_in_on"] <= last
    return alive and stayed and arrived


def problems_due(*, township, year: int, today: datetime.date) -> Expectation:
    """
    The township's problems of `year` (reported in it, or earlier and open or solved in it), due by
    their deadline, oldest first; done when solved, or when the station's solving awaits approval.
    """
    first_day, last_day = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    earlier = Q(reported_on__lt=first_day) & (~Q(state__in=Problem.SOLVED) | Q(resolved_on__gte=first_day))
    problems = (
        Problem.objects.filter(township=township, reported_on__lte=min(today, last_day))
        .filter(Q(reported_on__gte=first_day) | earlier)
        .order_by("reported_on", "pk")
        .values("pk", "person__name", "kind", "state", "reported_on", "due_on")
    )
    rows = []
    proposed = _solving_proposed(township)
    kinds, states = dict(Problem.Kind.choices), dict(Problem.State.choices)
    for problem in problems:
        pk = problem["pk"]
        solved = problem["state"] in Problem.SOLVED
        done = solved or pk in proposed
        detail = "" if solved else ("解决情况待区局审核" if done else f"办理状态：{states[problem['state']]}")
        rows.append(
            Row(
                f"{problem['person__name']}：{kinds[problem['kind']]}（{problem['reported_on']:%Y-%m-%d}反映）",
                done,
                reverse("station:pensions:problem_edit", args=[pk]),
                due=problem["due_on"] or problem_due_on(problem["reported_on"]),
                detail=detail,
                admin_url=reverse("admin:pensions_problem_change", args=[pk]),
            )
        )
    return Expectation(key="pensions.problems", label="困难问题办理", unit="件", rows=tuple(rows), period="")


def _solving_proposed(township) -> set[int]:
    """The township's problems whose pending change (a station's edit of an approved one) solves them."""
    content_type = ContentType.objects.get_for_model(Problem)  # cached after the first call
    return {
        object_id
        for object_id, changes in PendingChange.objects.pending()
        .filter(content_type=content_type, township=township)
        .values_list("object_id", "changes")
        if (changes or {}).get("state", {}).get("new") in Problem.SOLVED
    }
