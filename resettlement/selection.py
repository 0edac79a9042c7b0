"""
The public rank-order selection (公开选岗) of a placement batch.

Scores. A candidate's score is the sum of the components of the batch's published rule (years of
service, service in hard or remote areas, merits, honours, training result), each shown with how it
was reached, plus the adjustments staff entered with a reason. The years of service (whole years
between the registry's enlistment and discharge dates) and the merits are the registry's, read
afresh while the batch prepares and fixed with the score when the session starts.

Ranking. Higher score first. Ties are broken, in order, by: longer service; more merit points
(the merit and honour components); earlier enlistment date; earlier date of birth; and last the
order in which the candidates were entered (the candidate's number). The rule is printed on the
ranking page and on the result list, and the rank is fixed when the session starts.

Turns. Candidates choose in rank order, each from the posts still open at their turn. A candidate
may defer once: their turn moves to the end, after everyone who has not deferred, where the
deferred choose in rank order from the posts left.

Session. It starts only when every candidate is still eligible by the registry (a death, a move, a
corrected record are named). Starting it fixes scores and ranks and freezes the batch (candidates, posts, scores and
the rule are no longer changed). Every confirm and every deferral takes the batch's row lock first,
then checks that the session is open, that it is this candidate's turn and that the post still has
room: of two staff confirming at the same moment, the second sees the first's choice and is refused
in Chinese. The session closes by itself when every candidate has chosen, or when staff close it.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Sum
from django.template.defaultfilters import floatformat
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from bureau.rules import audit
from resettlement.eligibility import placement_refusals
from resettlement.models import (
    PlacementBatch,
    PlacementCandidate,
    PlacementDeferral,
    PlacementPosition,
    PlacementSelection,
    ScoreAdjustment,
    ScoringRule,
)

State = PlacementBatch.State
PERMISSION = "resettlement.run_placement_session"
# The one score format of the desk, the ranking and the big screen: the templates' floatformat:"-2".
SCORE_FORMAT = "-2"
TIE_RULE = (
    "总分相同时，依次以服役年限长者、立功受奖（含荣誉）得分高者、入伍时间早者、出生日期早者在前；"
    "仍相同的，按候选人登记顺序排列。"
)
TURN_RULE = (
    "候选人按排名依次选岗，每人从轮到其时仍有空缺的岗位中选择；每人可暂缓一次，暂缓者在其余候选人选完后按排名依次选岗。"
)


@dataclass(frozen=True)
class Component:
    label: str
    detail: str
    points: Decimal


@dataclass
class Ranked:
    candidate: PlacementCandidate
    components: list[Component]
    adjustments: list[ScoreAdjustment]
    score: Decimal
    rank: int = 0
    merit_points: Decimal = Decimal("0")
    status: str = ""
    position: PlacementPosition | None = None
    extra: dict = field(default_factory=dict)


def _points(value) -> str:
    return f"{Decimal(value).normalize():f}"


def score_components(candidate: PlacementCandidate, rule: ScoringRule) -> list[Component]:
    """Each part of the rule as applied to the candidate, with how its points were reached (registry facts fresh while preparing)."""
    candidate.take_registry_facts()
    training_points = {
        PlacementCandidate.Training.EXCELLENT: rule.training_excellent,
        PlacementCandidate.Training.GOOD: rule.training_good,
        PlacementCandidate.Training.PASS: rule.training_pass,
    }.get(candidate.training, Decimal("0"))
    rows = [
        ("服役年限", candidate.service_years, "年", rule.per_service_year),
        ("艰苦边远地区服役", candidate.hardship_years, "年", rule.per_hardship_year),
        ("一等功", candidate.first_class_merits, "次", rule.first_class_merit),
        ("二等功", candidate.second_class_merits, "次", rule.second_class_merit),
        ("三等功", candidate.third_class_merits, "次", rule.third_class_merit),
        ("优秀士官等荣誉", candidate.honours, "次", rule.honour),
    ]
    components = [
        Component(label, f"{_points(amount)}{unit} × {_points(per)} 分", Decimal(amount) * per)
        for label, amount, unit, per in rows
    ]
    components.append(
        Component("培训考核", candidate.get_training_display() or "未参加", training_points),
    )
    return components


MERIT_LABELS = {"一等功", "二等功", "三等功", "优秀士官等荣誉"}


def ranking(batch: PlacementBatch, *, components: bool = True) -> list[Ranked]:
    """
    The candidates in rank order with their score components (fixed ranks once the session started).
    `components=False`, once the session started: the fixed scores alone, without the components
    and adjustments (what the big screen shows, read every few seconds).
    """
    candidates = batch.candidates.select_related("person", "selection__position", "deferral").order_by("id")
    if not components and not batch.preparing:
        ranked = [Ranked(candidate=c, components=[], adjustments=[], score=c.score) for c in candidates]
        for row in ranked:
            row.candidate.batch = batch
            row.rank = row.candidate.rank or 0
        return sorted(ranked, key=lambda row: (row.rank, row.candidate.pk))
    candidates = candidates.prefetch_related(Prefetch("adjustments", queryset=ScoreAdjustment.objects.order_by("id")))
    if batch.preparing:
        # The registry's merits count while the batch prepares; once started the facts are fixed on the candidate.
        candidates = candidates.prefetch_related("person__merits")
    ranked = []
    for candidate in candidates:
        candidate.batch = batch
        candidate.take_registry_facts()  # while preparing: what the registry holds now
        components = score_components(candidate, batch.rule)
        adjustments = list(candidate.adjustments.all())
        score = sum((c.points for c in components), Decimal("0")) + sum((a.points for a in adjustments), Decimal("0"))
        ranked.append(
            Ranked(
                candidate=candidate,
                components=components,
                adjustments=adjustments,
                score=candidate.score if candidate.score is not None else score,
                merit_points=sum((c.points for c in components if c.label in MERIT_LABELS), Decimal("0")),
            )
        )
    if batch.preparing:
        ranked.sort(key=_tie_key)
        for number, row in enumerate(ranked, start=1):
            row.rank = number
    else:
        ranked.sort(key=lambda row: (row.candidate.rank or 0, row.candidate.pk))
        for row in ranked:
            row.rank = row.candidate.rank or 0
    return ranked


def _tie_key(row: Ranked):
    person = row.candidate.person
    far = datetime.date.max
    return (
        -row.score,
        -row.candidate.service_years,
        -row.merit_points,
        person.enlisted_on or far,
        person.birth_date or far,
        row.candidate.pk,
    )


# --- the session's state --------------------------------------------------------------------------


def turn_order(ranked: list[Ranked]) -> list[Ranked]:
    """Rank order, the deferred moved to the end (in rank order among themselves)."""
    return [r for r in ranked if not _deferred(r.candidate)] + [r for r in ranked if _deferred(r.candidate)]


def _deferred(candidate: PlacementCandidate) -> bool:
    return hasattr(candidate, "deferral")


def _selected(candidate: PlacementCandidate) -> bool:
    return hasattr(candidate, "selection")


def open_posts(batch: PlacementBatch) -> list[tuple[PlacementPosition, int]]:
    """Every post of the batch with the number of places still open (0 for a full one)."""
    positions = batch.positions.annotate(taken=Count("selections")).order_by("department", "institution", "id")
    return [(position, position.posts - position.taken) for position in positions]


@dataclass
class SessionState:
    batch: PlacementBatch
    ranked: list[Ranked]
    current: Ranked | None
    posts: list[tuple[PlacementPosition, int]]

    @property
    def posts_left(self) -> int:
        return sum(left for _, left in self.posts)

    @property
    def placed(self) -> int:
        return sum(1 for row in self.ranked if _selected(row.candidate))


def session_state(batch: PlacementBatch, *, components: bool = True) -> SessionState:
    ranked = ranking(batch, components=components)
    current = None
    if batch.state == State.IN_SESSION:
        current = next((row for row in turn_order(ranked) if not _selected(row.candidate)), None)
    for row in ranked:
        candidate = row.candidate
        if _selected(candidate):
            row.status = "已选岗"
            row.position = candidate.selection.position
        elif row is current:
            row.status = "正在选岗"
        elif _deferred(candidate):
            row.status = "暂缓，最后选岗" if batch.state == State.IN_SESSION else "暂缓，未选岗"
        else:
            row.status = "等待选岗" if batch.state != State.CLOSED else "未选岗"
    return SessionState(batch=batch, ranked=ranked, current=current, posts=open_posts(batch))


def score_text(score) -> str:
    """A score as the desk and the big screen show it: two decimals, trimmed when whole (23, 23.50)."""
    return floatformat(score, SCORE_FORMAT)


def live_data(batch: PlacementBatch) -> dict:
    """What the big screen shows, as JSON: the ranking, who is choosing, the posts left."""
    state = session_state(batch, components=False)
    return {
        "batch": str(batch),
        "state": batch.state,
        "state_display": batch.get_state_display(),
        "current": (
            {
                "rank": state.current.rank,
                "name": state.current.candidate.person.name,
                "score": score_text(state.current.score),
            }
            if state.current
            else None
        ),
        "placed": state.placed,
        "candidates": len(state.ranked),
        "posts_left": state.posts_left,
        "ranking": [
            {
                "rank": row.rank,
                "name": row.candidate.person.name,
                "score": score_text(row.score),
                "status": row.status,
                "position": str(row.position) if row.position else "",
            }
            for row in state.ranked
        ],
        "posts": [
            {
                "department": position.department,
                "institution": position.institution,
                "title": position.title,
                "posts": position.posts,
                "left": left,
            }
            for position, left in state.posts
        ],
        "updated_at": timezone.localtime().strftime("%H:%M:%S"),
    }


# --- the session's steps --------------------------------------------------------------------------


def _check_permission(by) -> None:
    if not by.has_perm(PERMISSION):
        raise PermissionDenied("您没有主持公开选岗的权限。")


def _locked(batch: PlacementBatch) -> PlacementBatch:
    """The batch, its row locked until the transaction ends (one session step at a time)."""
    return PlacementBatch.objects.select_for_update().select_related("rule").get(pk=batch.pk)


def start_refusal(batch: PlacementBatch) -> str:
    """Why the session cannot start ("" when it can)."""
    if batch.state != State.PREPARING:
        return "该批次的公开选岗已经开始或已结束。"
    if not batch.candidates.exists():
        return "该批次还没有候选人，不能开始选岗。"
    places = batch.positions.aggregate(total=Sum("posts"))["total"] or 0
    if not places:
        return "该批次还没有岗位，不能开始选岗。"
    if ineligible := ineligible_candidates(batch):
        return "以下候选人据人员登记已不符合安排工作条件，请先移出或核实人员登记后再开始选岗：" + "；".join(ineligible)
    return ""


def ineligible_candidates(batch: PlacementBatch) -> list[str]:
    """What the registry now says against each candidate of the batch (a death, a move, a corrected record)."""
    found = []
    for candidate in batch.candidates.select_related("person").prefetch_related("person__merits").order_by("id"):
        candidate.batch = batch
        errors = placement_refusals(candidate)
        found += [message for messages in errors.values() for message in messages]
    return found


def start_session(*, batch: PlacementBatch, by) -> PlacementBatch:
    """Fix every score and rank and open the session; the batch is frozen from now on."""
    _check_permission(by)
    with transaction.atomic():
        batch = _locked(batch)
        if refusal := start_refusal(batch):
            raise ValidationError(refusal)
        ranked = ranking(batch)
        for row in ranked:
            row.candidate.score = row.score
            row.candidate.rank = row.rank
        bulk_update_with_history(
            [row.candidate for row in ranked],
            PlacementCandidate,
            ["score", "rank", *PlacementCandidate.REGISTRY_FACTS],
            default_user=by,
        )
        batch.state = State.IN_SESSION
        batch.started_at = timezone.now()
        batch.started_by = by
        batch._history_user = by
        batch.save()
        audit.record(audit.Kind.UPDATE, user=by, obj=batch, detail=f"开始公开选岗，候选人 {len(ranked)} 名")
    return batch


def confirm(
    *,
    batch: PlacementBatch,
    candidate_id: int,
    position_id: int,
    by,
    signed: bool,
    signature_scan=None,
) -> PlacementSelection:
    """The candidate whose turn it is takes a place of an open post, signed on the spot."""
    _check_permission(by)
    with transaction.atomic():
        batch = _locked(batch)
        if batch.state == State.PREPARING:
            raise ValidationError("公开选岗尚未开始。")
        if batch.state == State.CLOSED:
            raise ValidationError("公开选岗已结束，不能再确认选岗。")
        candidates, current = _turn(batch)
        candidate = next((c for c in candidates if c.pk == candidate_id), None)
        if candidate is None:
            raise ValidationError("该候选人不在本批次中。")
        if _selected(candidate):
            raise ValidationError(
                f"{candidate.person.name} 已选定岗位「{candidate.selection.position}」，不能重复确认。"
            )
        if current is None or current.pk != candidate.pk:
            now = current.person.name if current else "无人"
            raise ValidationError(f"现在轮到 {now} 选岗，不是 {candidate.person.name}。")
        left = {position.pk: (position, remaining) for position, remaining in open_posts(batch)}
        if position_id not in left:
            raise ValidationError("所选岗位不属于本批次。")
        position, remaining = left[position_id]
        if remaining <= 0:
            raise ValidationError(f"岗位「{position}」已选满，请选择其他岗位。")
        if not signed:
            raise ValidationError("请候选人当场签字确认后再提交。")
        selection = PlacementSelection(
            candidate=candidate, position=position, confirmed_by=by, signed=True, reported_unit=""
        )
        if signature_scan:
            selection.signature_scan = signature_scan
        selection.full_clean(exclude=["candidate", "position", "confirmed_by"])
        selection._history_user = by
        selection.save()
        audit.record(audit.Kind.CREATE, user=by, obj=selection, detail=f"第{candidate.rank}名候选人选定「{position}」")
        if all(_selected(other) for other in candidates if other.pk != candidate.pk):
            _close(batch, by, "全部候选人已选岗")
    return selection


def _turn(batch: PlacementBatch) -> tuple[list[PlacementCandidate], PlacementCandidate | None]:
    """
    The candidates of a started session in rank order, and whose turn it is: one query whatever
    the batch's size. A session step needs the fixed ranks and who has chosen or deferred, not
    the scores' components that `session_state` recomputes for the desk and the screen.
    """
    candidates = list(
        batch.candidates.select_related("person", "selection__position", "deferral").order_by("rank", "id")
    )
    for candidate in candidates:
        candidate.batch = batch
    order = [c for c in candidates if not _deferred(c)] + [c for c in candidates if _deferred(c)]
    current = next((c for c in order if not _selected(c)), None) if batch.state == State.IN_SESSION else None
    return candidates, current


def defer(*, batch: PlacementBatch, candidate_id: int, by) -> PlacementDeferral:
    """The candidate whose turn it is chooses later, once, after everyone else."""
    _check_permission(by)
    with transaction.atomic():
        batch = _locked(batch)
        if batch.state != State.IN_SESSION:
            raise ValidationError("公开选岗未在进行中，不能暂缓。")
        candidates, current = _turn(batch)
        if current is None or current.pk != candidate_id:
            raise ValidationError("只有正在选岗的候选人可以暂缓。")
        candidate = current
        if _deferred(candidate):
            raise ValidationError(f"{candidate.person.name} 已暂缓过一次，不能再次暂缓，请现在选岗。")
        others = [c for c in candidates if c.pk != candidate.pk and not _selected(c)]
        if not others:
            raise ValidationError(f"{candidate.person.name} 是最后一位选岗人，不能暂缓，请现在选岗。")
        deferral = PlacementDeferral(candidate=candidate, deferred_by=by)
        deferral._history_user = by
        deferral.save()
        audit.record(audit.Kind.CREATE, user=by, obj=deferral, detail=f"第{candidate.rank}名候选人暂缓选岗")
    return deferral


def close_session(*, batch: PlacementBatch, by) -> PlacementBatch:
    """End the session (those who have not chosen stay unplaced)."""
    _check_permission(by)
    with transaction.atomic():
        batch = _locked(batch)
        if batch.state != State.IN_SESSION:
            raise ValidationError("公开选岗未在进行中。")
        _close(batch, by, "主持人结束选岗")
    return batch


def _close(batch: PlacementBatch, by, reason: str) -> None:
    batch.state = State.CLOSED
    batch.closed_at = timezone.now()
    batch._history_user = by
    batch.save()
    audit.record(audit.Kind.UPDATE, user=by, obj=batch, detail=f"公开选岗结束（{reason}）")
