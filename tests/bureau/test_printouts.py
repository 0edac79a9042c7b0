"""
The printout kit (bureau.printouts): the person file and the station's lists on the demo district, read back
from the .docx with their sources' exact figures; masking per role and the audit of every download; a
station never prints another township's person; the declarations checked (bureau.E111); the GB/T 9704
page; one PDF through LibreOffice.
"""

import os
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import Count, Sum
from docx.enum.section import WD_ORIENT

from bureau.checks import check_area_declarations
from bureau.demo.writers import CLERK_USERNAME, station_username
from bureau.models import AuditEvent, ExportLog, Payment, Person, ReviewStatus, User
from bureau.printouts.document import Paragraph, Printable, Table
from bureau.printouts.registry import printouts
from bureau.printouts.render import pdf_available, render_docx
from bureau.station.overview import record_types
from bureau.station.todo import station_todo
from tests.printout_reading import download, paragraphs, read, tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(demo_district):
    """A person of the demo paid several times, with the station of their township."""
    busy = Payment.objects.values("person").annotate(n=Count("pk")).filter(n__gte=3).order_by("person")
    return Person.objects.select_related("township").get(pk=busy.first()["person"])


def station_of(township) -> User:
    return User.objects.get(username=station_username(township))


def file_url(person) -> str:
    return f"/printouts/person-file/{person.pk}/?format=docx"


def test_the_person_files_payments_add_up_to_the_ledger(person, client):
    clerk = User.objects.get(username=CLERK_USERNAME)
    paid = Payment.objects.filter(person=person).aggregate(total=Sum("amount"))["total"]

    document = read(download(client, clerk, file_url(person)).content)

    payment_tables = [table for table in tables(document) if table[0][0] == "资金项目"]
    year_totals = [Decimal(row[-1]) for table in payment_tables for row in table[1:] if row[0] == "合计"]
    assert len(year_totals) == len(payment_tables) > 0
    assert sum(year_totals) == paid
    headings = paragraphs(document)
    assert headings[0] == f"{person.name}人员档案"
    assert "一、基本信息" in headings and any(text.endswith("、优待抚恤") for text in headings)
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    # The clerk holds the right: the whole number, and the opening is an audit event as the page's is.
    assert tables(document)[0][0][:4] == ["姓名", person.name, "身份证号", person.id_number]
    viewed = AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW, user=clerk, object_id=str(person.pk))
    assert viewed.filter(fields="id_number").exists()
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD, user=clerk).latest("pk")
    assert (event.object_id, event.detail) == (str(person.pk), "人员档案（docx）")
    assert ExportLog.objects.filter(user=clerk, kind="人员档案").latest("pk").unmasked is True


def test_a_leader_prints_the_file_masked(person, client):
    leader = User.objects.get(username="leader")

    document = read(download(client, leader, file_url(person)).content)

    number = person.id_number
    assert tables(document)[0][0][3] == number[:4] + "*" * (len(number) - 8) + number[-4:]
    assert number not in "\n".join(paragraphs(document))
    assert ExportLog.objects.filter(user=leader, kind="人员档案").latest("pk").unmasked is False


def test_a_station_prints_its_own_persons_file_and_no_other(person, client):
    own = station_of(person.township)
    other = User.objects.filter(username__startswith="station_").exclude(township=person.township).first()

    assert download(client, own, file_url(person)).status_code == 200
    assert download(client, other, file_url(person)).status_code == 404
    page = download(client, User.objects.get(username=CLERK_USERNAME), f"/admin/bureau/person/{person.pk}/file/")
    assert f'href="{file_url(person)}"' in page.content.decode()


def data_rows(document) -> list[list[str]]:
    return [row for table in tables(document) for row in table[1:] if row[1] != "无"]


def test_the_station_todo_lists_every_open_row(person, client):
    station = station_of(person.township)
    listing = station_todo(station)

    response = download(client, station, "/printouts/station-todo/?format=docx")

    document = read(response.content)
    assert len(data_rows(document)) == sum(group.count for group in listing.groups)
    assert paragraphs(document)[0] == f"{person.township.name}服务站待办事项清单"
    assert f"共 {listing.count} 项待办，其中逾期 {listing.late} 项" in paragraphs(document)[2]
    page = client.get("/station/todo/").content.decode()
    assert 'href="/printouts/station-todo/?format=docx"' in page
    assert download(client, User.objects.get(username=CLERK_USERNAME), "/printouts/station-todo/").status_code == 403


def test_the_station_submissions_list_every_record_of_the_township_and_only_them(person, client):
    station = station_of(person.township)
    expected = sum(t.model.objects.visible_to(station).count() for t in record_types())
    approved = sum(
        t.model.objects.visible_to(station).filter(review_status=ReviewStatus.APPROVED).count() for t in record_types()
    )

    everything = read(download(client, station, "/printouts/station-submissions/?format=docx").content)
    only_approved = read(client.get("/printouts/station-submissions/?format=docx&status=approved").content)

    assert len(data_rows(everything)) == expected > 0
    assert len(data_rows(only_approved)) == approved < expected
    assert f"共 {expected} 条记录。" in paragraphs(everything)
    # The township's people, masked as every list is; no other township's.
    people = [row[1] for row in data_rows(everything) if re.search(r"（\d{4}\*{10}[\dX]{4}）$", row[1])]
    assert len(people) == Person.objects.filter(township=person.township).count() < Person.objects.count()
    assert client.get("/printouts/station-submissions/?status=nothing").status_code == 400
    page = client.get("/station/submissions/?status=approved").content.decode()
    assert 'href="/printouts/station-submissions/?format=docx&amp;status=approved"' in page


def test_every_printout_is_declared_and_checked(monkeypatch):
    assert {"person-file", "station-todo", "station-submissions", "payroll-roster", "placement-notice"} <= set(
        printouts()
    )
    pensions = apps.get_app_config("pensions")
    monkeypatch.setattr(
        pensions,
        "printouts",
        ("bureau.models.Person", "resettlement.printouts.PLACEMENT_NOTICE", "pensions.printouts.ROSTER"),
    )

    errors = [error for error in check_area_declarations(None) if error.obj is pensions]

    assert [error.id for error in errors] == ["bureau.E101", "bureau.E111", "bureau.E111"]
    assert "printouts[2] = 'pensions.printouts.ROSTER', which does not import" in errors[0].msg
    assert "which is a ModelBase, not a bureau.printouts.registry.Printout" in errors[1].msg
    assert "whose key 'placement-notice' is already the key of" in errors[2].msg


def test_the_page_is_gbt_9704():
    document = read(
        render_docx(
            Printable(
                title="标题",
                filename="x",
                blocks=[
                    Paragraph("正文。"),
                    Table([("序号", 20), ("姓名", 40)], [["1", "张三"]], totals=[["", "合计"]]),
                ],
                signature=("某区退役军人事务局",),
            )
        )
    )
    section = document.sections[0]
    assert [round(length.mm) for length in (section.page_width, section.top_margin, section.left_margin)] == [
        210,
        37,
        28,
    ]
    assert [p.text for p in section.footer.paragraphs] == ["— 1 —"]
    assert paragraphs(document) == ["标题", "正文。", "某区退役军人事务局"]
    assert tables(document) == [[["序号", "姓名"], ["1", "张三"], ["", "合计"]]]


@pytest.mark.slow  # LibreOffice starts in a process of its own to convert the file (seconds, more under load)
def test_a_printout_converts_to_pdf(person, client):
    if not pdf_available():
        reason = "LibreOffice 未安装 / LibreOffice is not installed: no PDF printouts are offered."
        if os.environ.get("REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    station = station_of(person.township)

    response = download(client, station, "/printouts/station-todo/?format=pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 1000
    assert 'href="/printouts/station-todo/?format=pdf"' in client.get("/station/todo/").content.decode()
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD, user=station).latest("pk")
    assert event.detail == "待办事项清单（pdf）"
