"""
量化评分排名公示 (resettlement.printouts): the demo year's batch, read back from the .docx: the candidates in
rank order with their exact scores, the scoring rule and the tie rule in the text, the notice period, names
only (no ID number), offered on the batch's page, each download audited.
"""

import pytest

from bureau.demo.writers import CLERK_USERNAME
from bureau.models import AuditEvent, User
from resettlement import selection
from resettlement.models import PlacementBatch
from resettlement.printouts import BAD_START, rule_text
from tests.printout_reading import download, paragraphs, read, tables

pytestmark = pytest.mark.django_db
YEAR = 2021


@pytest.fixture
def batch(demo_district):
    return PlacementBatch.objects.select_related("rule").get(year=YEAR)


def url(batch, query="") -> str:
    return f"/printouts/placement-notice/{batch.pk}/?format=docx{query}"


def test_the_notice_lists_the_candidates_in_rank_order_with_their_scores(batch, client):
    clerk = User.objects.get(username=CLERK_USERNAME)
    candidates = list(batch.candidates.select_related("person").order_by("rank"))

    response = download(client, clerk, url(batch, "&start=2021-06-01"))

    assert response.status_code == 200
    document = read(response.content)
    [table] = tables(document)
    assert table[0] == ["排名", "姓名", "符合条件", "服役年限（年）", "总分"]
    assert [(row[0], row[1], row[4]) for row in table[1:]] == [
        (str(c.rank), c.person.name, selection.score_text(c.score)) for c in candidates
    ]
    assert len(candidates) == 10
    text = "\n".join(paragraphs(document))
    assert document.paragraphs[0].text == f"关于{batch.full_title}候选人量化评分排名的公示"
    assert "（公示期：2021年6月1日至2021年6月7日）" in text
    assert rule_text(batch.rule) in text and f"服现役每满一年计{batch.rule.per_service_year.normalize():f}分" in text
    assert "按量化评分总分从高到低排名。" + selection.TIE_RULE in text
    # Posted publicly: names and scores, no ID number whole or masked.
    cells = "".join(cell for row in table for cell in row)
    assert "*" not in cells and not any(c.person.id_number in text + cells for c in candidates)
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD, user=clerk).latest("pk")
    assert (event.object_id, event.detail) == (str(batch.pk), "量化评分排名公示（docx）")


@pytest.mark.slow  # renders the batch's admin page and a Word printout (~2 s of CPU)
def test_the_batch_page_offers_the_notice_and_a_bad_date_is_refused(batch, client):
    clerk = User.objects.get(username=CLERK_USERNAME)

    page = download(client, clerk, f"/admin/resettlement/placementbatch/{batch.pk}/change/").content.decode()
    bad = client.get(url(batch, "&start=2021-13-01"))

    assert f'href="{url(batch)}"' in page and "打印量化评分排名公示（Word）" in page
    assert (bad.status_code, bad.content.decode()) == (400, BAD_START)
    assert client.get(f"/printouts/placement-notice/{batch.pk + 1000}/").status_code == 404
