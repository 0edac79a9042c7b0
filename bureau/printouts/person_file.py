"""
The person file on paper: the page's basic information and every part of it (the core's and each area's,
`bureau.rules.person_file.sections_for`), read from the parts' own templates (`bureau.printouts.html`).
Found through `visible_to` (another township's person is a 404 for a station), opened as the page is: one
audit event naming the person and the ID number, whole for a role with the right, masked for others.
"""

from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone

from bureau.base.masking import shown_field
from bureau.models import Person, SiteProfile
from bureau.printouts.document import Heading, Paragraph, Printable, Table, chinese_date
from bureau.printouts.html import blocks_from_html
from bureau.printouts.registry import Printout
from bureau.rules import person_file
from bureau.rules.disclosure import revealing

NUMERALS = "一二三四五六七八九十"


def _date(value) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


def person_file_printout(request, pk) -> Printable:
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("township"), pk=pk)
    with revealing(request, person, ["id_number"]) as whole:
        id_number = shown_field(request.user, person, "id_number")
    today = timezone.localdate()
    site = SiteProfile.get()
    document = Printable(
        title=f"{person.name}人员档案",
        subtitle=f"（{site.full_bureau_name}　{chinese_date(today)}打印）",
        filename=f"人员档案-{person.name}-{today:%Y%m%d}",
        landscape=True,  # the payments' table has a column a month
        subject=person,
        rows=1,
        unmasked=whole,
    )
    basics = [
        ["姓名", person.name, "身份证号", id_number],
        ["性别", person.get_gender_display(), "出生日期", _date(person.birth_date)],
        ["乡镇（街道）", str(person.township), "人员状态", person.get_status_display()],
        ["军种", person.get_branch_display() or "—", "安置方式", person.get_discharge_route_display() or "—"],
        ["入伍日期", _date(person.enlisted_on), "退役日期", _date(person.discharged_on)],
    ]
    if person.died_on or person.moved_out_on or person.moved_in_on:
        basics.append(
            [
                "死亡日期",
                _date(person.died_on),
                "迁入 / 迁出日期",
                f"{_date(person.moved_in_on)} / {_date(person.moved_out_on)}",
            ]
        )
    document.add(Heading("一、基本信息"))
    header, *rest = basics
    document.add(Table([(header[0], 40), (header[1], 72), (header[2], 40), (header[3], 73)], rest))
    for number, section in enumerate(person_file.sections_for(person, request.user), start=2):
        document.add(Heading(f"{NUMERALS[number - 1] if number <= 10 else number}、{section['title']}"))
        document.blocks.extend(blocks_from_html(render_to_string(section["template"], {"section": section})))
    document.add(Paragraph("本档案按打印人的权限显示，身份证号等个人信息请妥善保管，用后销毁。", kind="note"))
    return document


PERSON_FILE = Printout(key="person-file", title="人员档案", permission="bureau.view_person", build=person_file_printout)
