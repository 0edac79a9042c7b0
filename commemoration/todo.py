"""
What a station is expected to do in commemoration (褒扬纪念), declared on the area's config
(`CommemorationConfig.todo`) and composed by the core (bureau.rules.todo):

- `inspections`: every memorial facility in the township is inspected (巡查) once in each period.
  `MemorialFacility` says nothing of how often a facility is inspected, so the rule is the
  module's: once a quarter (`PERIOD_MONTHS`), every facility alike.

A submitted inspection counts as an approved one; a returned or draft one does not. An inspection
counts from its date up to `today`, so a past year reads as it stood on its last day.
"""

import datetime

from django.urls import reverse

from bureau.models import ReviewStatus
from bureau.rules.todo import Expectation, Row
from commemoration.models import FacilityInspection, MemorialFacility

#: A facility is inspected once a quarter (the protection centre's 季度巡查).
PERIOD_MONTHS = 3

COUNTED = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)


def quarters(year: int, today: datetime.date) -> list[tuple[int, datetime.date, datetime.date]]:
    """(number, first day, last day) of each period of `year` begun by `today`."""
    periods = []
    for n, month in enumerate(range(1, 13, PERIOD_MONTHS), start=1):
        first = datetime.date(year, month, 1)
        if first > today:
            break
        end_month = month + PERIOD_MONTHS
        following = datetime.date(year + 1, 1, 1) if end_month > 12 else datetime.date(year, end_month, 1)
        periods.append((n, first, following - datetime.timedelta(days=1)))
    return periods


def period_label(year: int, n: int) -> str:
    return f"{year}年第{n}季度"


def inspections(*, township, year: int, today: datetime.date) -> Expectation:
    """
    One row per facility of the township and quarter of `year` begun by `today`: done when an
    inspection of the facility, submitted or approved, is dated in the quarter (up to `today`);
    due on the quarter's last day. Two queries.
    """
    periods = quarters(year, today)
    facilities = list(MemorialFacility.objects.filter(township=township).order_by("name", "pk"))
    inspected: dict[tuple[int, int], FacilityInspection] = {}
    if periods:
        found = FacilityInspection.objects.filter(
            facility__township=township,
            review_status__in=COUNTED,
            inspected_on__gte=periods[0][1],
            inspected_on__lte=min(periods[-1][2], today),
        ).order_by("inspected_on", "pk")
        for inspection in found.only("pk", "facility_id", "inspected_on"):
            n = (inspection.inspected_on.month - 1) // PERIOD_MONTHS + 1
            inspected.setdefault((inspection.facility_id, n), inspection)
    create = reverse("station:commemoration:inspection_create")
    rows = []
    for n, _first, last in periods:
        for facility in facilities:
            inspection = inspected.get((facility.pk, n))
            done = inspection is not None
            if done:
                url = reverse("station:commemoration:inspection_edit", args=[inspection.pk])
                admin_url = reverse("admin:commemoration_facilityinspection_change", args=[inspection.pk])
            else:
                url = f"{create}?facility={facility.pk}"
                admin_url = reverse("admin:commemoration_facilityinspection_changelist")
            rows.append(
                Row(
                    f"{facility.name}（{period_label(year, n)}）",
                    done=done,
                    url=url,
                    due=last,
                    detail="" if done else "本季度未巡查",
                    admin_url=admin_url,
                )
            )
    if not periods:
        period = ""
    elif len(periods) == 1:
        period = period_label(year, 1)
    else:
        period = f"{year}年第1—{len(periods)}季度"
    return Expectation(
        key="commemoration.inspections", label="纪念设施巡查", unit="次", rows=tuple(rows), period=period
    )
