"""
The second test-only area's part of the annual report: the approved stipends paid in the
year (in the township, for a township's report). Declared as `report_section` in apps.py;
`reports.registry` finds it there, nothing else names it.
"""

from django.db.models import Count, Sum

from bureau.reporting import Figure, Item, Section
from tests.kit_area_two.models import Stipend

SENTENCE = "全年发放测试津贴{{ people }}人次，共{{ total }}。"


def section(*, year: int, township=None) -> Section:
    stipends = Stipend.objects.approved().filter(paid_on__year=year)
    if township is not None:
        stipends = stipends.filter(township=township)
    totals = stipends.aggregate(people=Count("pk"), total=Sum("amount"))
    # No item in a year without stipends: a test-only area adds no gap (数据缺项) to the reports of the
    # other tests, which list the real areas' gaps.
    items = []
    if totals["people"]:
        figures = [
            Figure("people", "发放人次", totals["people"], "人次"),
            Figure("total", "发放金额", totals["total"], "元"),
        ]
        items.append(Item(key="kit_two_stipends", title="测试津贴", default_sentence=SENTENCE, figures=figures))
    return Section(app_label="kit_area_two", area="测试领域二", heading="测试津贴按时发放", items=items)
