"""
What a station is expected to do in military-civilian support (双拥共建), declared on the area's
config (`SupportArmyConfig.todo`) and composed by the core (bureau.rules.todo):

- `homecoming`: every veteran of the township discharged in the year (up to `today`) and in the
  district on `today` registers his homecoming (返乡报到) and has every active checklist step done.
- `merit_notices`: every merit notice (喜报) of the township is delivered to the family.

Each function runs the same queries whatever the number of rows. A record counts from the day it
carries (a registration's `received_on`, a step's `done_on`, a notice's `delivered_on`) up to
`today`, so a past year reads as it stood on its last day; a submitted record counts as an approved
one, a returned or draft registration does not.
"""

import datetime

from django.urls import reverse

from bureau.models import Person, ReviewStatus
from bureau.rules.todo import Expectation, Row
from support_army.models import HomecomingRegistration, HomecomingStep, HomecomingStepCompletion, MeritNotice

#: A discharged soldier reports to the place of settlement within 30 days of his discharge
#: (《退役士兵安置条例》第十七条): his homecoming registration and checklist are due then.
HOMECOMING_DAYS = 30

#: Merits are awarded at the end of a year (年终评功评奖) and their notices delivered by the Spring
#: Festival that follows: a notice of a merit of year Y is due on 31 March of Y + 1 (`Merit` has a
#: year, no date).
NOTICE_DUE_MONTH, NOTICE_DUE_DAY = 3, 31

COUNTED = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)


def admin_change(record) -> str:
    meta = record._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])


def admin_list(model) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")


# --- 返乡报到 -------------------------------------------------------------------------------------


def homecoming(*, township, year: int, today: datetime.date) -> Expectation:
    """
    One row per veteran of the township discharged in `year` up to `today` and present on `today`:
    done when his registration is submitted or approved and every active checklist step is done;
    due `HOMECOMING_DAYS` after his discharge. Four queries.
    """
    steps = list(HomecomingStep.objects.filter(active=True).order_by("order", "pk"))
    people = list(
        Person.objects.discharged_in(year)
        .filter(township=township, discharged_on__lte=today)
        .present_on(today)
        .order_by("discharged_on", "name", "pk")
    )
    veterans = Person.objects.discharged_in(year).filter(township=township)
    registrations = {
        r.person_id: r
        for r in HomecomingRegistration.objects.filter(person__in=veterans, received_on__lte=today).only(
            "pk", "person_id", "review_status"
        )
    }
    done_steps: dict[int, set[int]] = {}
    for registration_id, step_id in HomecomingStepCompletion.objects.filter(
        registration__person__in=veterans, done_on__lte=today
    ).values_list("registration_id", "step_id"):
        done_steps.setdefault(registration_id, set()).add(step_id)

    create = reverse("station:support_army:homecoming_create")
    rows = []
    for person in people:
        label = f"{person.name}（{person.discharged_on.year}年{person.discharged_on.month}月退役）"
        due = person.discharged_on + datetime.timedelta(days=HOMECOMING_DAYS)
        registration = registrations.get(person.pk)
        if registration is None:
            rows.append(
                Row(
                    label,
                    done=False,
                    url=f"{create}?person={person.pk}",
                    due=due,
                    detail="未报到",
                    admin_url=admin_list(HomecomingRegistration),
                )
            )
            continue
        if registration.review_status not in COUNTED:
            rows.append(
                Row(
                    label,
                    done=False,
                    url=reverse("station:support_army:homecoming_edit", args=[registration.pk]),
                    due=due,
                    detail=f"报到登记{registration.get_review_status_display()}，待重新提交",
                    admin_url=admin_change(registration),
                )
            )
            continue
        missing = [step.name for step in steps if step.pk not in done_steps.get(registration.pk, ())]
        rows.append(
            Row(
                label,
                done=not missing,
                url=reverse("station:support_army:homecoming_checklist", args=[registration.pk]),
                due=due,
                detail=f"未办结：{'、'.join(missing)}" if missing else "",
                admin_url=admin_change(registration),
            )
        )
    return Expectation(key="support_army.homecoming", label="退役军人返乡报到", unit="人", rows=tuple(rows))


# --- 立功送喜报 -----------------------------------------------------------------------------------


def notice_due(merit_year: int) -> datetime.date:
    return datetime.date(merit_year + 1, NOTICE_DUE_MONTH, NOTICE_DUE_DAY)


def merit_notices(*, township, year: int, today: datetime.date) -> Expectation:
    """
    The township's merit notices of merits of `year`, and those of earlier merits still due when
    `year` began (not delivered before its first day): done once delivered (`delivered_on`, up to
    `today`); due by `notice_due` of the merit's year. One query.
    """
    first = datetime.date(year, 1, 1)
    notices = (
        MeritNotice.objects.filter(township=township, merit__year__lte=year)
        .exclude(delivered_on__lt=first)
        .select_related("soldier", "merit")
        .order_by("merit__year", "soldier__name", "pk")
    )
    deliver = reverse("station:support_army:notice_deliver")
    listing = reverse("station:support_army:notice_list")
    rows = []
    for notice in notices:
        done = notice.delivered_on is not None and notice.delivered_on <= today
        merit = notice.merit
        rows.append(
            Row(
                f"{notice.soldier.name}（{merit.year}年{merit.get_level_display()}）",
                done=done,
                url=listing if done else deliver,
                due=notice_due(merit.year),
                detail="" if done else "喜报未送达",
                admin_url=admin_change(notice),
            )
        )
    return Expectation(key="support_army.merit_notices", label="立功喜报送达", unit="份", rows=tuple(rows))
