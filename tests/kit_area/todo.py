"""
The kit area's expectation (`KitAreaConfig.todo`): every person of the township holding the category
困难退役军人 during the year is expected one grant (`Grant`) in the year, by 30 June. Two queries,
whatever the rows: the persons, and the year's grants of the township.
"""

import datetime

from django.db.models import Q
from django.urls import reverse

from bureau.models import Person, ReviewStatus
from bureau.models.categories import PreferentialCategory
from bureau.rules.todo import Expectation, Row
from tests.kit_area.models import Grant

CATEGORY = PreferentialCategory.HARDSHIP_VETERAN
DONE_STATES = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)


def grant_once(*, township, year: int, today: datetime.date) -> Expectation:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    persons = (
        Person.objects.in_township(township)
        .filter(categories__category=CATEGORY, categories__started_on__lte=last)
        .filter(Q(categories__ended_on__isnull=True) | Q(categories__ended_on__gte=first))
        .distinct()
        .order_by("name", "pk")
    )
    grants = {}
    for grant in Grant.objects.in_township(township).filter(granted_on__year=year).order_by("pk"):
        # A grant submitted or approved closes the row; a returned one is still to do.
        if grant.review_status in DONE_STATES or grant.person_id not in grants:
            grants[grant.person_id] = grant
    rows = []
    for person in persons:
        grant = grants.get(person.pk)
        done = grant is not None and grant.review_status in DONE_STATES
        if grant is not None:
            url = reverse("station:kit_area:grant_edit", args=[grant.pk])
        else:
            url = f"{reverse('station:kit_area:grant_create')}?person={person.pk}"
        admin_url = reverse("admin:kit_area_grant_change", args=[grant.pk]) if grant else ""
        rows.append(
            Row(
                label=person.name,
                done=done,
                url=url,
                due=datetime.date(year, 6, 30),
                detail="" if done else ("补助被退回，待修改" if grant else "未发放测试补助"),
                admin_url=admin_url,
            )
        )
    return Expectation(key="kit_area.grant", label="困难退役军人测试补助", unit="人", rows=tuple(rows))
