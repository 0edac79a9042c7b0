"""
The public selection (公开选岗) as a service: scores from the published rule, the ranking and its
tie rule, turns in score order with one deferral, the posts never over-filled, and the refusals
(a full post, a candidate out of turn, a closed session) that change nothing.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bureau.models import Merit
from resettlement import selection
from resettlement.models import (
    PlacementBatch,
    PlacementCandidate,
    PlacementDeferral,
    PlacementPosition,
    PlacementSelection,
    ScoreAdjustment,
)
from tests.factories import MeritFactory, UserFactory
from tests.resettlement.factories import (
    NcoFactory,
    PlacementBatchFactory,
    PlacementCandidateFactory,
    PlacementPositionFactory,
    ScoreAdjustmentFactory,
    ScoringRuleFactory,
)

State = PlacementBatch.State


@pytest.fixture
def batch(db):
    return PlacementBatchFactory(rule=ScoringRuleFactory())


@pytest.fixture
def ten_and_twelve(batch):
    """10 candidates scored 30, 29, … 21 (service years by the registry's dates), and 12 posts in 6 units (2 each)."""
    candidates = [
        PlacementCandidateFactory(batch=batch, person=NcoFactory(name=f"候选{n:02d}", years=21 + n)) for n in range(10)
    ]
    positions = [
        PlacementPositionFactory(batch=batch, department=f"部门{unit}", institution=f"单位{unit}", posts=2)
        for unit in range(6)
    ]
    return candidates, positions


def confirm(batch, user, candidate, position, **kwargs):
    return selection.confirm(
        batch=batch, candidate_id=candidate.pk, position_id=position.pk, by=user, signed=kwargs.pop("signed", True)
    )


def current_name(batch):
    state = selection.session_state(PlacementBatch.objects.get(pk=batch.pk))
    return state.current.candidate.person.name if state.current else None


# --- scores and ranking ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_score_is_the_rule_applied_component_by_component_plus_the_adjustments(batch):
    # The registry: 2008-09-10 to 2021-09-01 is 12 whole years (the 13th anniversary not reached); the
    # merits of the years of service; a merit of 2005, before the enlistment, is not one of them.
    person = NcoFactory(enlisted_on=datetime.date(2008, 9, 10))
    for level, year in [
        (Merit.Level.SECOND_CLASS, 2015),
        (Merit.Level.THIRD_CLASS, 2012),
        (Merit.Level.THIRD_CLASS, 2018),
    ]:
        MeritFactory(person=person, level=level, year=year)
    for year in (2010, 2016, 2021):
        MeritFactory(person=person, level=Merit.Level.HONOUR_TITLE, year=year)
    MeritFactory(person=person, level=Merit.Level.FIRST_CLASS, year=2005)
    candidate = PlacementCandidateFactory(
        batch=batch, person=person, hardship_years=Decimal("4"), training=PlacementCandidate.Training.GOOD
    )
    ScoreAdjustmentFactory(candidate=candidate, points=Decimal("-1.5"), reason="处分未满期")

    (row,) = selection.ranking(batch)

    assert [(c.label, c.detail, c.points) for c in row.components] == [
        ("服役年限", "12年 × 1 分", Decimal("12")),
        ("艰苦边远地区服役", "4年 × 0.5 分", Decimal("2.0")),
        ("一等功", "0次 × 15 分", Decimal("0")),
        ("二等功", "1次 × 10 分", Decimal("10")),
        ("三等功", "2次 × 5 分", Decimal("10")),
        ("优秀士官等荣誉", "3次 × 2 分", Decimal("6")),
        ("培训考核", "良好", Decimal("2")),
    ]
    # 12 + 2 + 10 + 10 + 6 + 2 − 1.5
    assert row.score == Decimal("40.5")
    stored = PlacementCandidate.objects.get(pk=candidate.pk)
    assert [getattr(stored, name) for name in PlacementCandidate.REGISTRY_FACTS] == [12, 0, 1, 2, 3]


@pytest.mark.django_db
def test_ties_go_to_longer_service_then_merits_then_earlier_enlistment(batch):
    def candidate(name, *, service, merits=0, enlisted):
        person = NcoFactory(name=name, enlisted_on=enlisted)
        for _ in range(merits):
            MeritFactory(person=person, level=Merit.Level.THIRD_CLASS, year=2015)
        return PlacementCandidateFactory(
            batch=batch,
            person=person,
            hardship_years=Decimal((20 - service - merits * 5) * 2),  # every candidate totals 20
        )

    # Discharged on 2021-09-01: 12 whole years for each but the one enlisted in 2007.
    candidate("晚入伍", service=12, enlisted=datetime.date(2009, 6, 1))
    candidate("早入伍", service=12, enlisted=datetime.date(2009, 3, 1))
    candidate("年限长", service=14, enlisted=datetime.date(2007, 3, 1))
    candidate("有立功", service=12, merits=1, enlisted=datetime.date(2009, 8, 1))

    ranked = selection.ranking(batch)

    assert {row.score for row in ranked} == {Decimal(20)}
    assert [(row.rank, row.candidate.person.name) for row in ranked] == [
        (1, "年限长"),
        (2, "有立功"),
        (3, "早入伍"),
        (4, "晚入伍"),
    ]


# --- the session ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ten_candidates_take_twelve_posts_in_score_order_with_one_deferral(ten_and_twelve, bureau_user):
    candidates, positions = ten_and_twelve
    batch = candidates[0].batch
    selection.start_session(batch=batch, by=bureau_user)
    by_rank = sorted(candidates, key=lambda c: -c.service_years)
    assert [c.rank for c in PlacementCandidate.objects.filter(pk__in=[c.pk for c in by_rank])] == list(range(1, 11))

    # Rank 1 and 2 take unit 0's two places; rank 3 defers, rank 4 comes next.
    confirm(batch, bureau_user, by_rank[0], positions[0])
    confirm(batch, bureau_user, by_rank[1], positions[0])
    selection.defer(batch=batch, candidate_id=by_rank[2].pk, by=bureau_user)
    assert current_name(batch) == by_rank[3].person.name
    # Ranks 4…10 each take a place in units 1…4 in turn.
    for candidate, position in zip(by_rank[3:], [p for p in positions[1:5] for _ in range(2)], strict=False):
        confirm(batch, bureau_user, candidate, position)
    # The deferred candidate comes last and chooses from what is left.
    assert current_name(batch) == by_rank[2].person.name
    state = selection.session_state(batch)
    assert [(p.institution, left) for p, left in state.posts] == [
        ("单位0", 0),
        ("单位1", 0),
        ("单位2", 0),
        ("单位3", 0),
        ("单位4", 1),
        ("单位5", 2),
    ]
    confirm(batch, bureau_user, by_rank[2], positions[5])

    batch.refresh_from_db()
    assert batch.state == State.CLOSED  # everyone has chosen
    chosen = {s.candidate.person.name: s.position.institution for s in PlacementSelection.objects.all()}
    assert chosen == {
        by_rank[0].person.name: "单位0",
        by_rank[1].person.name: "单位0",
        by_rank[3].person.name: "单位1",
        by_rank[4].person.name: "单位1",
        by_rank[5].person.name: "单位2",
        by_rank[6].person.name: "单位2",
        by_rank[7].person.name: "单位3",
        by_rank[8].person.name: "单位3",
        by_rank[9].person.name: "单位4",
        by_rank[2].person.name: "单位5",
    }
    for position in PlacementPosition.objects.all():
        assert position.selections.count() <= position.posts
    # Each choice was confirmed in turn, in the order the session followed.
    order = list(PlacementSelection.objects.order_by("chosen_at", "id").values_list("candidate__rank", flat=True))
    assert order == [1, 2, 4, 5, 6, 7, 8, 9, 10, 3]


@pytest.mark.django_db
def test_a_candidate_defers_only_once_and_the_last_one_cannot_defer(ten_and_twelve, bureau_user):
    candidates, positions = ten_and_twelve
    batch = candidates[0].batch
    selection.start_session(batch=batch, by=bureau_user)
    by_rank = sorted(candidates, key=lambda c: -c.service_years)
    selection.defer(batch=batch, candidate_id=by_rank[0].pk, by=bureau_user)
    for candidate, position in zip(by_rank[1:], [p for p in positions for _ in range(2)], strict=False):
        confirm(batch, bureau_user, candidate, position)

    assert current_name(batch) == by_rank[0].person.name
    with pytest.raises(ValidationError) as refused:
        selection.defer(batch=batch, candidate_id=by_rank[0].pk, by=bureau_user)
    assert refused.value.messages == [f"{by_rank[0].person.name} 已暂缓过一次，不能再次暂缓，请现在选岗。"]
    assert PlacementDeferral.objects.count() == 1


@pytest.mark.django_db
def test_the_last_candidate_may_not_defer(batch, bureau_user):
    only = PlacementCandidateFactory(batch=batch, person=NcoFactory(name="唯一"))
    PlacementPositionFactory(batch=batch)
    selection.start_session(batch=batch, by=bureau_user)

    with pytest.raises(ValidationError) as refused:
        selection.defer(batch=batch, candidate_id=only.pk, by=bureau_user)

    assert refused.value.messages == ["唯一 是最后一位选岗人，不能暂缓，请现在选岗。"]
    assert not PlacementDeferral.objects.exists()


# --- hostile cases: a clear refusal, nothing changed ---------------------------------------------------


@pytest.mark.django_db
def test_a_full_post_is_refused_and_nothing_changes(ten_and_twelve, bureau_user):
    candidates, positions = ten_and_twelve
    batch = candidates[0].batch
    selection.start_session(batch=batch, by=bureau_user)
    by_rank = sorted(candidates, key=lambda c: -c.service_years)
    confirm(batch, bureau_user, by_rank[0], positions[0])
    confirm(batch, bureau_user, by_rank[1], positions[0])

    with pytest.raises(ValidationError) as refused:
        confirm(batch, bureau_user, by_rank[2], positions[0])

    assert refused.value.messages == ["岗位「单位0·综合管理岗」已选满，请选择其他岗位。"]
    assert PlacementSelection.objects.count() == 2
    assert current_name(batch) == by_rank[2].person.name


@pytest.mark.django_db
def test_a_candidate_out_of_turn_is_refused_and_nothing_changes(ten_and_twelve, bureau_user):
    candidates, positions = ten_and_twelve
    batch = candidates[0].batch
    selection.start_session(batch=batch, by=bureau_user)
    by_rank = sorted(candidates, key=lambda c: -c.service_years)

    with pytest.raises(ValidationError) as refused:
        confirm(batch, bureau_user, by_rank[4], positions[3])

    assert refused.value.messages == [f"现在轮到 {by_rank[0].person.name} 选岗，不是 {by_rank[4].person.name}。"]
    assert not PlacementSelection.objects.exists()
    with pytest.raises(ValidationError) as deferred:
        selection.defer(batch=batch, candidate_id=by_rank[4].pk, by=bureau_user)
    assert deferred.value.messages == ["只有正在选岗的候选人可以暂缓。"]
    assert not PlacementDeferral.objects.exists()


@pytest.mark.django_db
def test_a_confirm_after_the_session_closed_is_refused(ten_and_twelve, bureau_user):
    candidates, positions = ten_and_twelve
    batch = candidates[0].batch
    selection.start_session(batch=batch, by=bureau_user)
    selection.close_session(batch=batch, by=bureau_user)
    by_rank = sorted(candidates, key=lambda c: -c.service_years)

    with pytest.raises(ValidationError) as refused:
        confirm(batch, bureau_user, by_rank[0], positions[0])

    assert refused.value.messages == ["公开选岗已结束，不能再确认选岗。"]
    assert not PlacementSelection.objects.exists()


@pytest.mark.django_db
def test_a_confirm_before_the_session_or_unsigned_or_twice_is_refused(ten_and_twelve, bureau_user):
    candidates, positions = ten_and_twelve
    batch = candidates[0].batch
    by_rank = sorted(candidates, key=lambda c: -c.service_years)
    with pytest.raises(ValidationError) as early:
        confirm(batch, bureau_user, by_rank[0], positions[0])
    assert early.value.messages == ["公开选岗尚未开始。"]

    selection.start_session(batch=batch, by=bureau_user)
    with pytest.raises(ValidationError) as unsigned:
        confirm(batch, bureau_user, by_rank[0], positions[0], signed=False)
    assert unsigned.value.messages == ["请候选人当场签字确认后再提交。"]
    confirm(batch, bureau_user, by_rank[0], positions[0])
    with pytest.raises(ValidationError) as twice:
        confirm(batch, bureau_user, by_rank[0], positions[1])
    assert twice.value.messages == [f"{by_rank[0].person.name} 已选定岗位「单位0·综合管理岗」，不能重复确认。"]
    assert PlacementSelection.objects.count() == 1


@pytest.mark.django_db
def test_a_post_of_another_batch_is_refused(ten_and_twelve, bureau_user):
    candidates, _ = ten_and_twelve
    batch = candidates[0].batch
    other = PlacementPositionFactory()  # another batch's post
    selection.start_session(batch=batch, by=bureau_user)
    first = max(candidates, key=lambda c: c.service_years)

    with pytest.raises(ValidationError) as refused:
        confirm(batch, bureau_user, first, other)

    assert refused.value.messages == ["所选岗位不属于本批次。"]
    assert not PlacementSelection.objects.exists()


@pytest.mark.django_db
def test_only_a_user_with_the_session_permission_runs_it(ten_and_twelve):
    candidates, _ = ten_and_twelve
    batch = candidates[0].batch
    with pytest.raises(PermissionDenied):
        selection.start_session(batch=batch, by=UserFactory())
    assert PlacementBatch.objects.get(pk=batch.pk).state == State.PREPARING


# --- the frozen batch ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_once_started_the_batch_its_posts_candidates_scores_and_rule_refuse_changes(ten_and_twelve, bureau_user):
    candidates, positions = ten_and_twelve
    batch = candidates[0].batch
    selection.start_session(batch=batch, by=bureau_user)
    batch.refresh_from_db()
    frozen = "公开选岗已开始，候选人名单、岗位和评分不能再修改。"

    candidate = PlacementCandidate.objects.get(pk=candidates[0].pk)
    candidate.service_years = Decimal("30")
    position = PlacementPosition.objects.get(pk=positions[0].pk)
    position.posts = 5
    attempts = [
        candidate.save,
        position.save,
        position.delete,
        lambda: PlacementPositionFactory(batch=batch),
        lambda: PlacementCandidateFactory(batch=batch),
        lambda: ScoreAdjustment.objects.create(candidate=candidate, points=Decimal("3"), reason="补加分"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.messages == [frozen]
    batch.title = "改名"
    with pytest.raises(ValidationError):
        batch.save()
    rule = batch.rule
    rule.per_service_year = Decimal("2")
    with pytest.raises(ValidationError) as rule_refused:
        rule.save()
    assert rule_refused.value.messages == ["该评分办法已用于公开选岗，不能修改；如标准调整，请新增一份评分办法。"]

    assert PlacementCandidate.objects.get(pk=candidates[0].pk).service_years == candidates[0].service_years
    assert PlacementPosition.objects.get(pk=positions[0].pk).posts == 2
    assert PlacementPosition.objects.filter(batch=batch).count() == 6
    assert not ScoreAdjustment.objects.exists()
    # The ranking the session follows is the one fixed at its start.
    assert [row.candidate.pk for row in selection.ranking(batch)] == [
        c.pk for c in sorted(candidates, key=lambda c: -c.service_years)
    ]


@pytest.mark.django_db
def test_every_session_step_is_in_the_history_and_the_audit_trail(ten_and_twelve, bureau_user):
    from bureau.models import AuditEvent

    candidates, positions = ten_and_twelve
    batch = candidates[0].batch
    selection.start_session(batch=batch, by=bureau_user)
    by_rank = sorted(candidates, key=lambda c: -c.service_years)
    selection.defer(batch=batch, candidate_id=by_rank[0].pk, by=bureau_user)
    confirm(batch, bureau_user, by_rank[1], positions[0])
    selection.close_session(batch=batch, by=bureau_user)

    assert [h.state for h in batch.history.order_by("history_id")] == ["preparing", "in_session", "closed"]
    assert batch.history.order_by("history_id").last().history_user == bureau_user
    assert PlacementSelection.history.get().history_user == bureau_user
    assert PlacementDeferral.history.get().history_user == bureau_user
    assert PlacementCandidate.history.filter(history_type="~", rank__isnull=False).count() == 10
    details = list(
        AuditEvent.objects.filter(user=bureau_user).exclude(detail="").order_by("id").values_list("detail", flat=True)
    )
    assert details == [
        "开始公开选岗，候选人 10 名",
        "第1名候选人暂缓选岗",
        "第2名候选人选定「单位0·综合管理岗」",
        "公开选岗结束（主持人结束选岗）",
    ]
