"""
Who the registry says may be placed (政府安排工作) and who may be paid the self-employment grant
(自主就业金): one person, one truth. Nothing here is typed per batch or per run; every answer is
read from the registry (`bureau.models.Person`, its merits and preferential-care categories) and the
ledger, and every refusal says in Chinese what the registry holds.

The settlement route is exclusive. The grant pays only veterans the registry records as discharged
to 自主就业; a placement candidate is one recorded as discharged to 安排工作. Beyond the route, a
person paid the grant (or calculated in a run awaiting approval) is never a candidate, a candidate
is never in a grant run, and the route of a person with either is not changed (`resettlement.guards`).
A person who died or moved out of the district is neither paid nor placed.

The grounds of a government-arranged job, as the registry can prove them:

- 服现役满12年的士官: an NCO rank (下士, 中士, 上士, …军士长, or the former …士官) and 12 whole years
  between the enlistment and discharge dates (`standards.completed_years`);
- 二等功以上: a merit of the second class or higher in a year of service (enlistment to discharge year);
- 因战致残5至8级: the category 残疾军人 with a grade 5 to 8 (the registry does not record the cause,
  因战 or 因公; the committee checks it in the file);
- 烈士子女: the category 烈士子女.
"""

import datetime
from dataclasses import dataclass

from bureau.models import Merit, Payment, Person, PersonCategory, PreferentialCategory, ReviewStatus
from resettlement.models import PlacementCandidate, SubsidyLine
from resettlement.programmes import SELF_EMPLOYMENT_GRANT
from resettlement.standards import completed_years

Route = Person.DischargeRoute
TWELVE = 12
WAR_DISABLED_GRADES = range(5, 9)
NCO_RANKS = frozenset({"下士", "中士", "上士"})


def is_nco_rank(rank: str) -> bool:
    rank = (rank or "").strip()
    return rank in NCO_RANKS or rank.endswith("军士长") or rank.endswith("士官")


def _day(day: datetime.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else "未登记"


def _route(person: Person) -> str:
    return person.get_discharge_route_display() or "未登记"


def departure(person: Person) -> str:
    """Why the person is no longer in the district ("" while they are): a death or a move recorded."""
    if person.died_on:
        return f"已于 {_day(person.died_on)} 死亡"
    if person.moved_out_on:
        return f"已于 {_day(person.moved_out_on)} 迁出本区"
    return ""


# --- what the registry holds -----------------------------------------------------------------------


def service_years(person: Person) -> int | None:
    """Whole years of service by the registry's dates; None without both dates."""
    if not (person.enlisted_on and person.discharged_on):
        return None
    return completed_years(enlisted_on=person.enlisted_on, discharged_on=person.discharged_on)


def merits_in_service(person: Person) -> list[Merit]:
    """The registry's merits of the years of service (all of them when the dates are not recorded)."""
    first = person.enlisted_on.year if person.enlisted_on else 0
    last = person.discharged_on.year if person.discharged_on else 9999
    return [merit for merit in person.merits.all() if first <= merit.year <= last]


def registry_facts(person: Person) -> dict:
    """
    A candidate's registry facts, as `PlacementCandidate` stores them: service years (whole years,
    0 without dates) and the merits of the years of service by level; the honour titles (荣誉称号)
    are the rule's 优秀士官等荣誉.
    """
    levels = [merit.level for merit in merits_in_service(person)]
    return {
        "service_years": service_years(person) or 0,
        "first_class_merits": levels.count(Merit.Level.FIRST_CLASS),
        "second_class_merits": levels.count(Merit.Level.SECOND_CLASS),
        "third_class_merits": levels.count(Merit.Level.THIRD_CLASS),
        "honours": levels.count(Merit.Level.HONOUR_TITLE),
    }


def grant_paid(person: Person) -> Payment | None:
    """The self-employment grant the ledger has paid the person (a person is discharged, and paid, once)."""
    return (
        Payment.objects.filter(person=person, programme__code=SELF_EMPLOYMENT_GRANT).order_by("paid_on", "pk").first()
    )


# --- placement ---------------------------------------------------------------------------------


def ground_refusal(person: Person, eligibility: str) -> str:
    """Why the registry does not show the ground claimed ("" when it does)."""
    Ground = PlacementCandidate.Eligibility
    name = person.name
    if eligibility == Ground.TWELVE_YEARS:
        if not is_nco_rank(person.rank):
            return (
                f"人员登记中{name}的军衔为“{person.rank or '未登记'}”，不是士官，不符合“{Ground(eligibility).label}”。"
            )
        years = service_years(person)
        if years is None:
            return f"人员登记中{name}的入伍日期或退役日期未登记，无法核实服役满{TWELVE}年。"
        if years < TWELVE:
            return (
                f"人员登记中{name}入伍日期 {_day(person.enlisted_on)}、退役日期 {_day(person.discharged_on)}，"
                f"服役满 {years} 年，不满{TWELVE}年。"
            )
    elif eligibility == Ground.MERIT:
        levels = {merit.level for merit in merits_in_service(person)}
        if not levels & {Merit.Level.FIRST_CLASS, Merit.Level.SECOND_CLASS}:
            return f"人员登记中没有{name}服现役期间二等功以上的立功受奖记录。"
    elif eligibility == Ground.WAR_DISABLED:
        held = PersonCategory.objects.filter(
            person=person,
            category=PreferentialCategory.DISABLED_SOLDIER,
            disability_grade__in=WAR_DISABLED_GRADES,
        )
        if not held.exists():
            return f"人员登记中{name}没有伤残等级为五级至八级的“残疾军人”优抚类别。"
    elif (
        eligibility == Ground.MARTYR_CHILD
        and not PersonCategory.objects.filter(person=person, category=PreferentialCategory.MARTYR_CHILD).exists()
    ):
        return f"人员登记中{name}没有“烈士子女”优抚类别。"
    return ""


def placement_refusals(candidate) -> dict[str, list[str]]:
    """
    What the registry says against the candidate of a batch, by form field (`person`,
    `eligibility`); empty when they may be placed. Read by `PlacementCandidate.clean()` (the admin,
    the API) and before the session starts.
    """
    person, batch = candidate.person, candidate.batch
    name = person.name
    refusals = []
    if person.review_status != ReviewStatus.APPROVED:
        refusals.append(f"{name}的人员登记尚未审核通过，不能列为安排工作候选人。")
    if gone := departure(person):
        refusals.append(f"人员登记记载{name}{gone}，不能列为安排工作候选人。")
    elif person.status != Person.Status.VETERAN:
        refusals.append(f"人员登记中{name}的人员状态为“{person.get_status_display()}”，不是退役军人。")
    if person.discharged_on is None:
        refusals.append(f"人员登记中{name}的退役日期未登记，无法核实是否为{batch.year}年退役。")
    elif person.discharged_on.year != batch.year:
        refusals.append(
            f"人员登记中{name}的退役日期为 {_day(person.discharged_on)}，不是{batch.year}年退役，"
            f"不能列入{batch.year}年的安排工作批次。"
        )
    if person.discharge_route != Route.ARRANGED_JOB:
        refusals.append(f"人员登记中{name}的安置方式为“{_route(person)}”，不是“安排工作”，不能列为安排工作候选人。")
    if paid := grant_paid(person):
        refusals.append(
            f"{name}已于 {_day(paid.paid_on)} 领取{paid.period}年自主就业金，自主就业与安排工作只能选择一种，"
            "不能列为安排工作候选人。"
        )
    elif line := SubsidyLine.objects.filter(person=person).select_related("run").first():
        refusals.append(f"{name}已列入{line.run}的核算，自主就业与安排工作只能选择一种，不能列为安排工作候选人。")
    other = (
        PlacementCandidate.objects.filter(person=person)
        .exclude(pk=candidate.pk)
        .exclude(batch=batch)
        .select_related("batch")
    ).first()
    if other is not None:
        refusals.append(f"{name}已是“{other.batch}”的候选人，不能重复列入。")
    errors = {"person": refusals} if refusals else {}
    if candidate.eligibility and (ground := ground_refusal(person, candidate.eligibility)):
        errors["eligibility"] = [ground]
    return errors


# --- the self-employment grant ----------------------------------------------------------------


@dataclass(frozen=True)
class Excluded:
    """A person of the cohort the grant does not pay, and why (listed back to the clerk)."""

    person: Person
    reason: str


def grant_exclusions(people: list[Person]) -> dict[int, str]:
    """
    Why each of these persons (of a cohort discharged to 自主就业) is not paid the grant, by person
    id: not a veteran, died or moved out of the district, or a placement candidate. One query.
    """
    candidates = {
        candidate.person_id: candidate
        for candidate in PlacementCandidate.objects.filter(person__in=[p.pk for p in people]).select_related("batch")
    }
    reasons = {}
    for person in people:
        if gone := departure(person):
            reasons[person.pk] = f"据人员登记{gone}，不发放自主就业金。"
        elif person.status != Person.Status.VETERAN:
            reasons[person.pk] = f"人员状态为“{person.get_status_display()}”，不是退役军人，不发放自主就业金。"
        elif candidate := candidates.get(person.pk):
            reasons[person.pk] = (
                f"已是“{candidate.batch}”的安排工作候选人，自主就业与安排工作只能选择一种，不发放自主就业金。"
            )
    return reasons


# --- contradictions, for a data-quality check ---------------------------------------------------


def candidates_differing_from_registry() -> list[tuple[PlacementCandidate, dict]]:
    """
    Candidates whose stored registry facts the registry no longer holds, with {field: (stored, registry)}:
    a record corrected after the session fixed them (a preparing batch takes them afresh on every save).
    """
    candidates = PlacementCandidate.objects.select_related("person", "batch").prefetch_related("person__merits")
    found = []
    for candidate in candidates.order_by("batch__year", "batch_id", "id"):
        if differences := candidate.differs_from_registry():
            found.append((candidate, differences))
    return found


def placed_and_paid_the_grant():
    """Persons both placement candidates (placed or not) and paid the self-employment grant: the routes exclude each other."""
    return Person.objects.filter(
        pk__in=PlacementCandidate.objects.values("person"),
    ).filter(pk__in=Payment.objects.filter(programme__code=SELF_EMPLOYMENT_GRANT).values("person"))


def candidates_not_arranged_job():
    """Candidates the registry records with another settlement route than 安排工作 (the issue's demo: 自主就业)."""
    return PlacementCandidate.objects.exclude(person__discharge_route=Route.ARRANGED_JOB).select_related(
        "person", "batch"
    )


def grants_not_self_employed():
    """Grant payments to persons the registry records with another settlement route than 自主就业."""
    return Payment.objects.filter(programme__code=SELF_EMPLOYMENT_GRANT).exclude(
        person__discharge_route=Route.SELF_EMPLOYED
    )
