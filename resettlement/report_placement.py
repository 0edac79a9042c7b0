"""
Item 二 of section (二), 安置工作三方满意: from the year's placement batches (`PlacementBatch.year`).

- eligible NCOs: the candidates of the year's batches (each eligible for a government-arranged job);
- departments and institutions: the distinct departments of the posts offered, and the distinct
  fully funded institutions among them; positions: the sum of the posts;
- candidates who selected: those with a confirmed selection; the share placed is theirs of all
  the candidates, as a percentage. When every candidate chose, the sentence says so, as the
  reference does (每位转业士官都选到了心仪的岗位). Before any session is held nobody has chosen:
  those two figures are missing rather than 0 and 0%.

A township report speaks of the candidates living there (their person's township), in its own
name (今年东城街道共有…). The departments, institutions and posts are the district's offer, open to
every candidate (scope DISTRICT): a township report does not state them. A year without a batch (or
a township without a candidate) has no figures: the item goes to 数据缺项.

Drill-down: the candidates' and the placed candidates' persons (`records`).
"""

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from bureau.models import Person
from bureau.reporting import DISTRICT, DeferredRows, Figure, Item
from resettlement.models import PlacementBatch, PlacementCandidate, PlacementPosition

KEY = "resettlement.placement"
TITLE = "安置工作三方满意"
# Departments the sentence names before 等 (the reference names four).
NAMED_DEPARTMENTS = 4
SENTENCE = (
    "今年{% if in_township %}{{ place }}{% else %}我区{% endif %}共有{{ eligible_ncos }}名退役士官符合政府安排工作条件，"
    "{% if departments %}共提供了{% if department_names %}{{ department_names|join:'、' }}等{% endif %}"
    "{{ departments|count_word }}个部门"
    "{% if institutions %}{{ institutions|count_word }}个全额拨款事业单位{% endif %}"
    "的{{ positions|count_word }}个优质岗位以供选择，{% endif %}"
    "{{ candidates }}名转业士官按照量化标准得分从高到低依次公开选岗，并当场签字确认，"
    "{% if placed_share == '100%' %}每位转业士官都选到了心仪的岗位{% else %}选岗率{{ placed_share }}{% endif %}。"
)
REQUIRED = ("eligible_ncos", "departments", "positions", "candidates", "placed_share")
DETAIL_HEADERS = ["排名", "姓名", "总分", "主管部门", "事业单位", "岗位"]


def percentage(part: int, whole: int) -> str:
    """`100%`, `93.3%`: one decimal where it is not whole."""
    share = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{share.normalize():f}%" if share == share.to_integral() else f"{share}%"


def placement_item(*, year: int, township=None) -> Item:
    batches = PlacementBatch.objects.filter(year=year)
    candidates = list(
        PlacementCandidate.objects.filter(batch__in=batches)
        .in_township(township)
        .select_related("batch", "person", "selection__position")
        .order_by("batch__session_on", "batch_id", "rank", "id")
    )
    chosen = [c for c in candidates if hasattr(c, "selection")]
    # The district offered every post of its batches, chosen or not, to every candidate.
    posts = list(PlacementPosition.objects.filter(batch__in=batches).order_by("batch_id", "id"))
    departments = list(dict.fromkeys(p.department for p in posts))
    institutions = {p.institution for p in posts if p.fully_funded}
    eligible = Person.objects.filter(pk__in=[c.person_id for c in candidates])
    placed = Person.objects.filter(pk__in=[c.person_id for c in chosen])
    figures = [
        Figure("eligible_ncos", "符合安排工作条件的退役士官", eligible.count(), "人", records=eligible),
        Figure("departments", "提供岗位的部门", len(departments), "个", scope=DISTRICT),
        Figure("institutions", "全额拨款事业单位", len(institutions), "个", scope=DISTRICT),
        Figure("positions", "提供岗位", sum(p.posts for p in posts), "个", scope=DISTRICT),
        # Before the session nobody has chosen: the selection is not "0%", it has not happened yet.
        Figure(
            "candidates", "参加选岗", placed.count() or None, "人", records=placed if chosen else None, headline=True
        ),
        Figure("placed_share", "选岗率", percentage(len(chosen), len(candidates)) if chosen else None),
        Figure("department_names", "提供岗位的部门（举例）", departments[:NAMED_DEPARTMENTS], scope=DISTRICT),
    ]
    if not candidates:
        figures = [replace(f, value=None, records=None) for f in figures]
    return Item(
        key=KEY,
        title=TITLE,
        default_sentence=SENTENCE,
        figures=figures,
        required=REQUIRED,
        detail_headers=DETAIL_HEADERS,
        detail_rows=DeferredRows(
            lambda: [
                [
                    c.rank,
                    c.person.name,
                    c.score,
                    *(
                        (c.selection.position.department, c.selection.position.institution, c.selection.position.title)
                        if hasattr(c, "selection")
                        else ("", "", "未选岗")
                    ),
                ]
                for c in candidates
            ]
        ),
    )
