"""
The station's to-do list across the real areas' declarations (pensions, support_army, commemoration):
for a constructed township it is exactly the planted rows, and each row leaves the list when the
station submits the record that does it, through the areas' own services.
"""

import datetime

import pytest
from django.db import transaction

from bureau import roles
from bureau.models import Merit, Occasion, Person, Visit
from bureau.rules.services import record_save
from bureau.station.todo import station_todo, station_todo_count
from commemoration.models import FacilityInspection
from support_army.models import HomecomingRegistration, HomecomingStep, MeritNotice, MeritNoticeBatch
from support_army.services import complete_steps, deliver_notices
from tests.commemoration.factories import MemorialFacilityFactory
from tests.factories import MeritFactory, PersonCategoryFactory, PersonFactory, TownshipFactory, UserFactory
from tests.pensions.factories import VisitRoundFactory
from tests.support_army.factories import MeritNoticeFactory, SoldierFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 2, 15)
PLANTED = {
    ("走访慰问", "张建国（2025年元旦春节走访慰问）"),
    ("退役军人返乡报到", "周未报（2025年1月退役）"),
    ("立功喜报送达", "钱立功（2024年三等功）"),
    ("纪念设施巡查", "东山纪念碑（2025年第1季度）"),
}


def open_rows(user) -> set[tuple[str, str]]:
    return {(group.label, row.label) for group in station_todo(user, today=TODAY).groups for row in group.rows}


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        township = TownshipFactory(code="ALL1", name="全域镇")
        other = TownshipFactory(code="ALL2", name="别处镇")
        station = UserFactory(username="all-areas", township=township, groups=[roles.STATION_STAFF])
        VisitRoundFactory(year=2025, categories=["disabled_soldier"])
        for place, name in ((township, "张建国"), (other, "李别处")):
            person = PersonFactory(township=place, name=name)
            PersonCategoryFactory(person=person, category="disabled_soldier", started_on=D(2010, 1, 1))
        veteran = PersonFactory(township=township, name="周未报", discharged_on=D(2025, 1, 10))
        PersonFactory(township=other, name="吴别处", discharged_on=D(2025, 1, 12))
        soldier = SoldierFactory(township=township, name="钱立功")
        MeritNoticeFactory(
            soldier=soldier, merit=MeritFactory(person=soldier, year=2024, level=Merit.Level.THIRD_CLASS)
        )
        facility = MemorialFacilityFactory(township=township, name="东山纪念碑")
        MemorialFacilityFactory(township=other, name="别处纪念塔")
        yield {"station": station, "veteran": veteran, "facility": facility}
        transaction.set_rollback(True)


def test_the_list_is_exactly_the_planted_rows_of_three_areas(town):
    assert open_rows(town["station"]) == PLANTED
    assert station_todo_count(town["station"], today=TODAY) == 4


def test_a_visit_submitted_in_the_round_closes_its_row(town):
    person = Person.objects.get(name="张建国")
    visit = Visit(area="pensions", occasion=Occasion.SPRING_FESTIVAL, person=person, visited_on=D(2025, 1, 20))
    visit.visitor = "服务站站长"
    record_save(record=visit, by=town["station"])
    assert open_rows(town["station"]) == PLANTED - {("走访慰问", "张建国（2025年元旦春节走访慰问）")}


def test_a_homecoming_registered_with_every_step_done_closes_its_row(town):
    registration = record_save(
        record=HomecomingRegistration(person=town["veteran"], received_on=D(2025, 1, 20)), by=town["station"]
    )
    # Registered with steps still open: the row stays, saying which.
    assert ("退役军人返乡报到", "周未报（2025年1月退役）") in open_rows(town["station"])
    steps = list(HomecomingStep.objects.filter(active=True))
    complete_steps(registration=registration, steps=steps, on=D(2025, 1, 25), by=town["station"])
    assert open_rows(town["station"]) == PLANTED - {("退役军人返乡报到", "周未报（2025年1月退役）")}


def test_a_merit_notice_delivered_closes_its_row(town):
    notice = MeritNotice.objects.get(soldier__name="钱立功")
    batch = MeritNoticeBatch(delivered_on=D(2025, 2, 3), delivered_by="服务站站长")
    deliver_notices(batch=batch, notices=[notice], by=town["station"])
    assert open_rows(town["station"]) == PLANTED - {("立功喜报送达", "钱立功（2024年三等功）")}


def test_an_inspection_in_the_quarter_closes_its_row(town):
    inspection = FacilityInspection(facility=town["facility"], inspected_on=D(2025, 2, 10), inspector="服务站站长")
    record_save(record=inspection, by=town["station"])
    assert open_rows(town["station"]) == PLANTED - {("纪念设施巡查", "东山纪念碑（2025年第1季度）")}
