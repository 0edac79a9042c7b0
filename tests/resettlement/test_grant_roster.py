"""自主就业金发放花名册 (resettlement.printouts, on the kit's bureau.printouts.roster): the demo's paid cohort,
read back from the .docx: its total is the cohort's ledger total; offered on the run's page."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from bureau.demo.writers import CLERK_USERNAME
from bureau.models import Payment, User
from resettlement.models import SubsidyRun
from tests.printout_reading import download, paragraphs, read, tables

pytestmark = pytest.mark.django_db


def test_the_grant_roster_total_is_the_cohorts_ledger_total(demo_district, client):
    clerk = User.objects.get(username=CLERK_USERNAME)
    run = SubsidyRun.objects.filter(batch__isnull=False).order_by("-cohort_year").first()
    payments = Payment.objects.filter(batch_id=run.batch_id)
    total = payments.aggregate(total=Sum("amount"))["total"]

    document = read(download(client, clerk, f"/printouts/grant-roster/{run.pk}/?format=docx").content)
    page = client.get(f"/admin/resettlement/subsidyrun/{run.pk}/change/").content.decode()

    people = [row for table in tables(document) for row in table[1:] if row[1] != "小计"]
    assert len(people) == payments.count() > 0
    assert sum(Decimal(row[4]) for row in people) == total
    assert f"金额{total:.2f}元。" in next(text for text in paragraphs(document) if text.startswith("合计："))
    assert all(row[3] for row in people)  # the programme
    assert f'href="/printouts/grant-roster/{run.pk}/?format=docx"' in page
