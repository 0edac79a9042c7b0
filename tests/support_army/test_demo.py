"""
seed_demo adds the records of section (四) for the demo year, repeatably, and the section states every
item the reference report has: 12 notices on 4 February, the 94th gala, the alliance's 5th batch; this
year's returning veterans are registered up to today, some with steps still open.
"""

import pytest
from django.utils import timezone

from bureau.demo.writers import demo_townships
from bureau.models import CheckUpBatch, Merit, ReviewStatus
from support_army import models, todo
from support_army.report import section

pytestmark = pytest.mark.django_db

MODELS = [
    Merit,
    CheckUpBatch,
    models.MeritNoticeBatch,
    models.MeritNotice,
    models.ReceptionPoint,
    models.DutyShift,
    models.HomecomingStep,
    models.HomecomingRegistration,
    models.HomecomingStepCompletion,
    models.TroopRequest,
    models.JointActivity,
    models.MatchmakingEvent,
    models.ArmyDayGala,
    models.GalaProgramme,
    models.AllianceMember,
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_twice_gives_the_same_records_and_every_item_has_data(demo_district_twice):
    output = demo_district_twice.output
    first = {model.__name__: demo_district_twice.first.counts[model] for model in MODELS}
    assert counts() == first
    assert "双拥共建演示数据已就绪" in output

    items = {item.key: item for item in section(year=2021).items}
    assert all(item.has_data for item in items.values()), [i.key for i in items.values() if not i.has_data]
    values = {f.key: f.value for item in items.values() for f in item.figures}
    assert values["first_batch_date"] == "2月4日"
    assert values["first_batch_size"] <= 12 and values["notices"] <= 38
    assert values["anniversary"] == 94 and values["programmes"] == 15
    assert (values["batch"], values["joined"]) == (5, 6)
    assert values["members"] == 8 + 7 + 6 + 5 + 6 - 1

    # This year: registrations up to today, some with steps open, one per township submitted by its station.
    this_year = models.HomecomingRegistration.objects.filter(received_on__year=timezone.localdate().year)
    assert this_year.exists()
    assert all(r.received_on <= timezone.localdate() for r in this_year)
    assert any(r.open_steps() for r in this_year)
    assert this_year.filter(review_status=ReviewStatus.SUBMITTED).exists()


def test_every_demo_station_has_returning_veterans_and_merit_notices_to_do_today(demo_district):
    today = timezone.localdate()
    open_rows = {}
    for township in demo_townships():
        for expectation in (
            todo.homecoming(township=township, year=today.year, today=today),
            todo.merit_notices(township=township, year=today.year, today=today),
        ):
            open_rows[(township.name, expectation.key)] = sum(not row.done for row in expectation.rows)
    homecoming = {name: count for (name, key), count in open_rows.items() if key == "support_army.homecoming"}
    notices = {name: count for (name, key), count in open_rows.items() if key == "support_army.merit_notices"}
    assert all(homecoming.values()), homecoming
    # One notice due in each township that has an active-duty soldier with his family registered
    # (南湖镇 and 柳河乡 have none: a notice without its family would be a data-quality finding).
    assert {name for name, count in notices.items() if count != 1} == {"南湖镇", "柳河乡"}
    assert notices["南湖镇"] == notices["柳河乡"] == 0
