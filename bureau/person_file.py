"""
The person file: one page with everything every app holds about a person.

The core does not import the area apps; each app registers its part here from
its `AppConfig.ready()`:

    person_file.register_section(
        title="招聘会与培训", template="employment/person_file.html",
        context=lambda person, user: {"fairs": ...}, order=10,
    )
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    title: str
    template: str
    context: Callable
    order: int


_sections: dict[str, Section] = {}


def register_section(*, title: str, template: str, context: Callable, order: int = 100) -> None:
    _sections[template] = Section(title=title, template=template, context=context, order=order)


def sections_for(person, user) -> list[dict]:
    return [
        {"title": section.title, "template": section.template, **section.context(person, user)}
        for section in sorted(_sections.values(), key=lambda s: (s.order, s.title))
    ]


def _core_context(person, user):
    from bureau.models import Payment

    return {
        "categories": person.categories.all(),
        "family_links": person.family_links.select_related("relative"),
        "merits": person.merits.all(),
        "payments": Payment.objects.visible_to(user).filter(person=person).select_related("programme"),
    }


register_section(
    title="优抚类别、家庭关系、立功受奖与资金发放",
    template="bureau/person_file_core.html",
    context=_core_context,
    order=0,
)
