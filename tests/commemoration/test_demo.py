"""
seed_demo adds the records of section (五) for the demo year, repeatably, and the section states every
item: the 400万元 upgrade, the second selection with 10 and 5 winners, the 8th Martyrs' Day ceremony and
the Qingming campaign; this year's messages wait for moderation.
"""

from decimal import Decimal

import pytest
from django.utils import timezone

from bureau.models import CheckUp, CheckUpBatch, Visit
from commemoration import models, todo
from commemoration.report import section

pytestmark = pytest.mark.django_db

MODELS = [
    CheckUpBatch,
    CheckUp,
    Visit,
    models.MemorialFacility,
    models.FacilityInspection,
    models.UpgradeProject,
    models.Martyr,
    models.MartyrRelic,
    models.HonourSelection,
    models.Nominee,
    models.Ceremony,
    models.MemorialCampaign,
    models.Tribute,
    models.MemorialDailyVisits,
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
    assert "褒扬纪念演示数据已就绪" in output

    items = {item.key: item for item in section(year=2021).items}
    assert all(item.has_data for item in items.values()), [i.key for i in items.values() if not i.has_data]
    values = {f.key: f.value for item in items.values() for f in item.figures}
    assert values["investment"] == Decimal("4000000")
    assert values["facility_names"] == "革命纪念塔及纪念广场"
    assert (values["edition"], values["veterans"], values["spouses"]) == (2, 10, 5)
    assert values["ordinal"] == 8
    assert values["tributes"] > 0 and values["visitors"] > 0

    # The published martyrs are on the memorial; this year's messages wait for moderation.
    assert models.Martyr.objects.published().exists()
    assert models.Tribute.objects.filter(moderation=models.Tribute.Moderation.PENDING).exists()
    assert models.Nominee.objects.filter(review_status="submitted").exists()
    assert models.MemorialCampaign.objects.featured().first().title.startswith("致敬·")


def test_every_demo_facility_has_this_years_earlier_quarters_to_inspect(demo_district):
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    for facility in models.MemorialFacility.objects.select_related("township"):
        rows = todo.inspections(township=facility.township, year=today.year, today=today).rows
        mine = [row for row in rows if row.label.startswith(f"{facility.name}（")]
        # The station submitted an inspection days ago (this quarter, unless the year began days ago).
        assert [row.done for row in mine][: quarter - 1] == [False] * (quarter - 1), facility.name
        assert len(mine) == quarter, facility.name
