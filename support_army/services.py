"""
Writes of the station pages that touch several records at once: a delivery of merit notices
(the batch and its notices, together) and the completion of homecoming checklist steps.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from bureau.rules.services import check_write_allowed, record_save
from support_army.models import (
    HomecomingRegistration,
    HomecomingStep,
    HomecomingStepCompletion,
    MeritNotice,
    MeritNoticeBatch,
)


@transaction.atomic
def deliver_notices(*, batch: MeritNoticeBatch, notices: list[MeritNotice], by) -> MeritNoticeBatch:
    """
    Save the batch (a station's is submitted to the bureau, the bureau's approved) and mark its
    notices delivered on its date. The notices keep their own review state: the report counts a
    delivery once its batch is approved.
    """
    if not notices:
        raise ValidationError({"notices": "请至少选择一位待送喜报的现役军人。"})
    for notice in notices:
        check_write_allowed(user=by, record=notice)
        if notice.delivered_on is not None:
            raise ValidationError({"notices": f"{notice.soldier.name}的喜报已于{notice.delivered_on:%Y-%m-%d}送达。"})
        if batch.delivered_on and batch.delivered_on.year < notice.merit.year:
            raise ValidationError({"delivered_on": f"送达日期早于{notice.soldier.name}的立功年度。"})
    record_save(record=batch, by=by)
    for notice in MeritNotice.objects.select_for_update().filter(pk__in=[n.pk for n in notices]):
        if notice.delivered_on is not None:  # delivered by someone else in the meantime
            raise ValidationError({"notices": f"{notice.soldier.name}的喜报已由他人登记送达。"})
        notice.batch = batch
        notice.delivered_on = batch.delivered_on
        notice._history_user = by
        notice.save()
    return batch


@transaction.atomic
def complete_steps(
    *, registration: HomecomingRegistration, steps: list[HomecomingStep], on: datetime.date, by
) -> list[HomecomingStepCompletion]:
    """Record the steps done for a returning veteran, by whom and when (a step done once stays done)."""
    check_write_allowed(user=by, record=registration)
    if not steps:
        raise ValidationError({"steps": "请至少勾选一项已办结的事项。"})
    if on < registration.received_on:
        raise ValidationError({"done_on": "办结日期不能早于报到日期。"})
    done = set(registration.completions.values_list("step_id", flat=True))
    completions = []
    for step in steps:
        if step.pk in done:
            continue
        completion = HomecomingStepCompletion(registration=registration, step=step, done_on=on, done_by=by)
        completion.full_clean(exclude=["registration", "step", "done_by"], validate_constraints=False)
        completion._history_user = by
        completion.save()
        completions.append(completion)
    return completions
