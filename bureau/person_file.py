"""
The person file: one page with everything every app holds about a person.

The core part is below; each area app declares its part once, in its
`AreaConfig.person_file` (bureau.areas), and the core never imports it by name.
"""

from bureau.areas import area_configs

CORE_TITLE = "优抚类别、家庭关系、立功受奖与资金发放"
CORE_TEMPLATE = "bureau/person_file_core.html"


def _core_context(person, user) -> dict:
    from bureau.models import Payment

    return {
        "categories": person.categories.all(),
        "family_links": person.family_links.select_related("relative"),
        "merits": person.merits.all(),
        "payments": Payment.objects.visible_to(user).filter(person=person).select_related("programme"),
    }


def sections_for(person, user) -> list[dict]:
    """The core part first, then each area's part in its declared order."""
    sections = [(0, CORE_TITLE, CORE_TEMPLATE, _core_context)]
    for area in area_configs():
        if area.person_file:
            part = area.person_file
            sections.append((part.order, part.title, part.template, area.person_file_context()))
    sections.sort(key=lambda section: (section[0], section[1]))
    return [{"title": title, "template": template, **context(person, user)} for _, title, template, context in sections]
