"""
Demo placement batches (written with the placement session): the demo year's, held; this year's, to hold.

The demo year's batch: the NCOs the registry records as discharged in the demo year to a
government-arranged job (安排工作) with 12 whole years of service (10 in the small district, at most
15) choose among the posts of 15 fully funded institutions under 9 departments, in the public
session held by the demo clerk through `resettlement.selection` (start, then each candidate
confirms in turn), and every one of them is placed and has reported to the unit.

This year's batch is prepared and its session not held: this year's NCOs discharged to an arranged
job (one a township in the small district, at most ten) and 12 posts in 6 units, so that a
newcomer can run a session on the admin's session page.

One person, one truth: each candidate is saved through the model's validation, so the registry
must show them eligible, and their years of service and merits are the registry's. What the demo
draws is the batch's own: the hard-area service and the training result. The self-employment grant
of the same year pays the 自主就业 veterans only (`resettlement.demo`).

Both are keyed on year and title. A batch whose session has started is left as it is (it cannot
change anyway); a second `seed_demo` adds nothing.
"""

import datetime
import random
from decimal import Decimal

from bureau.demo.helpers import days_before, demo_random, registry_people, registry_veterans
from bureau.demo.writers import CLERK_USERNAME
from bureau.models import Merit, Person, User
from resettlement import selection
from resettlement.eligibility import TWELVE, departure, is_nco_rank, merits_in_service, service_years
from resettlement.models import PlacementBatch, PlacementCandidate, PlacementPosition, ScoringRule

TITLE = "退役士兵安排工作公开选岗"
VENUE = "区退役军人服务中心"
RULE_NAME = "退役士兵安排工作量化评分办法"
RULE_DOCUMENT = "区退役军人事务局、区人力资源和社会保障局联合印发"
CANDIDATES = 15
THIS_YEAR_CANDIDATES = 10

# The demo year's posts: 9 departments, 15 fully funded institutions, one post each (the reference's).
UNITS = {
    "区委政法委": ["区社会治安综合治理中心", "区网格化服务管理中心"],
    "区政协办": ["区政协委员服务中心"],
    "区政府办": ["区政务服务中心", "区大数据管理中心"],
    "区自然资源局": ["区不动产登记中心", "区土地储备中心"],
    "区住房城乡建设局": ["区建设工程质量安全监督站", "区城市建设档案馆"],
    "区水利局": ["区河道管理所"],
    "区农业农村局": ["区农业技术推广中心", "区动物疫病预防控制中心"],
    "区卫生健康委": ["区疾病预防控制中心"],
    "区民政局": ["区社会福利中心", "区殡葬管理所"],
}
# This year's: 6 units of 2 posts each.
THIS_YEAR_UNITS = [
    ("区委组织部", "区党员教育中心", "综合管理岗"),
    ("区应急管理局", "区应急救援指挥中心", "应急值守岗"),
    ("区交通运输局", "区公路事业发展中心", "综合管理岗"),
    ("区市场监管局", "区食品药品检验所", "综合管理岗"),
    ("区文化和旅游局", "区文化馆", "综合管理岗"),
    ("区退役军人事务局", "区退役军人服务中心", "服务保障岗"),
]
POSTS_PER_UNIT_THIS_YEAR = 2


def _rule(*, name: str, published_on: datetime.date) -> ScoringRule:
    # Never updated: a rule a session used refuses changes, and the defaults are the published values.
    return ScoringRule.objects.get_or_create(
        name=name, defaults={"published_on": published_on, "document": RULE_DOCUMENT}
    )[0]


def _held(year: int, title: str) -> PlacementBatch | None:
    """The batch if its session has started (then it is left alone)."""
    return PlacementBatch.objects.filter(year=year, title=title).exclude(state=PlacementBatch.State.PREPARING).first()


def _prepare(*, year: int, title: str, rule: ScoringRule, session_on, posts, people, rng) -> PlacementBatch:
    """The batch in preparation with these posts `(department, institution, title, posts)` and candidates."""
    batch, _ = PlacementBatch.objects.update_or_create(
        year=year, title=title, defaults={"rule": rule, "session_on": session_on, "venue": VENUE}
    )
    for department, institution, post_title, count in posts:
        PlacementPosition.objects.update_or_create(
            batch=batch,
            institution=institution,
            title=post_title,
            defaults={"department": department, "fully_funded": True, "posts": count},
        )
    for person in people:
        candidate = batch.candidates.filter(person=person).first() or PlacementCandidate(batch=batch, person=person)
        for name, value in _components(person, rng).items():
            setattr(candidate, name, value)
        candidate.full_clean()  # the registry must show the candidate eligible
        candidate.save()
    for stale in batch.candidates.exclude(person__in=people):
        stale.delete()  # a run at another scale picked other persons
    return batch


def _components(person: Person, rng: random.Random) -> dict:
    """The ground the registry shows, and the batch's own facts (hard-area service, training), drawn."""
    levels = {merit.level for merit in merits_in_service(person)}
    second_or_higher = bool(levels & {Merit.Level.FIRST_CLASS, Merit.Level.SECOND_CLASS})
    return {
        "eligibility": (
            PlacementCandidate.Eligibility.MERIT if second_or_higher else PlacementCandidate.Eligibility.TWELVE_YEARS
        ),
        "hardship_years": Decimal(rng.choice(range(0, 17))) / 2,
        "training": rng.choice(
            [PlacementCandidate.Training.EXCELLENT, PlacementCandidate.Training.GOOD, PlacementCandidate.Training.PASS]
        ),
    }


def eligible_ncos(people: list[Person], *, year: int) -> list[Person]:
    """The registry's NCOs discharged in `year` to an arranged job with 12 whole years, in the district, by ID number."""
    return sorted(
        (
            p
            for p in people
            if p.status == Person.Status.VETERAN
            and p.discharge_route == Person.DischargeRoute.ARRANGED_JOB
            and p.discharged_on
            and p.discharged_on.year == year
            and is_nco_rank(p.rank)
            and (service_years(p) or 0) >= TWELVE
            and not departure(p)
        ),
        key=lambda p: p.id_number,
    )


def _clerk() -> User:
    return User.objects.get(username=CLERK_USERNAME)


# --- the demo year ------------------------------------------------------------------------------


def demo_year_candidates(*, year: int, scale: str) -> list[Person]:
    """The registry's NCOs discharged in `year` to an arranged job (at most `CANDIDATES`)."""
    return eligible_ncos(registry_people(year=year, scale=scale), year=year)[:CANDIDATES]


def seed(*, year: int, scale: str, stdout) -> None:
    """The demo year's placement batch, its session held and every candidate placed."""
    title = f"{year}年{TITLE}"
    if batch := _held(year, title):
        stdout.write(f"安排工作公开选岗演示数据已存在：{batch}（{batch.get_state_display()}），未改动。")
        return
    rng = demo_random("resettlement-placement", year)
    people = demo_year_candidates(year=year, scale=scale)
    posts = [
        (department, institution, "综合管理岗", 1)
        for department, institutions in UNITS.items()
        for institution in institutions
    ]
    session_on = datetime.date(year, 11, 20)
    rule = _rule(name=RULE_NAME, published_on=datetime.date(year, 5, 10))
    batch = _prepare(year=year, title=title, rule=rule, session_on=session_on, posts=posts, people=people, rng=rng)
    _hold_session(batch, rng=rng, reported_on=session_on + datetime.timedelta(days=21))
    state = selection.session_state(batch)
    stdout.write(
        f"安排工作公开选岗演示数据已就绪：{batch}，候选人 {len(state.ranked)} 名（均为人员登记中本年度以安排工作方式退役的士官），"
        f"已选岗 {state.placed} 名。"
    )


def _hold_session(batch: PlacementBatch, *, rng: random.Random, reported_on: datetime.date) -> None:
    """The clerk holds the session: each candidate in turn picks one of the posts still open, signed."""
    clerk = _clerk()
    batch = selection.start_session(batch=batch, by=clerk)
    while (state := selection.session_state(batch)).current is not None:
        open_posts = [position for position, left in state.posts if left > 0]
        if not open_posts:
            break
        chosen = selection.confirm(
            batch=batch,
            candidate_id=state.current.candidate.pk,
            position_id=rng.choice(open_posts).pk,
            by=clerk,
            signed=True,
        )
        chosen.reported_unit = chosen.position.institution
        chosen.reported_on = reported_on
        chosen._history_user = clerk
        chosen.save()
        batch.refresh_from_db()
    if batch.state == PlacementBatch.State.IN_SESSION:
        selection.close_session(batch=batch, by=clerk)


# --- this year ----------------------------------------------------------------------------------


def seed_this_year(*, today: datetime.date, scale: str, stdout) -> None:
    """This year's placement batch, prepared, its session not yet held."""
    title = f"{today.year}年{TITLE}"
    if batch := _held(today.year, title):
        stdout.write(f"本年安排工作公开选岗：{batch}（{batch.get_state_display()}），未改动。")
        return
    rng = demo_random("resettlement-placement-this-year", today.year)
    people = eligible_ncos(registry_veterans(year=today.year), year=today.year)[:THIS_YEAR_CANDIDATES]
    posts = [
        (department, institution, post_title, POSTS_PER_UNIT_THIS_YEAR)
        for department, institution, post_title in THIS_YEAR_UNITS
    ]
    rule = _rule(name=f"{RULE_NAME}（{today.year}年修订）", published_on=datetime.date(today.year, 1, 1))
    batch = _prepare(
        year=today.year, title=title, rule=rule, session_on=days_before(today, 0), posts=posts, people=people, rng=rng
    )
    stdout.write(
        f"本年安排工作公开选岗：{batch}，候选人 {len(people)} 名，{len(posts)} 个单位 "
        f"{len(posts) * POSTS_PER_UNIT_THIS_YEAR} 个岗位，待主持人开始选岗。"
    )
