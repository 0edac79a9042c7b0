"""
No log line holds personal data: every record of every logger, at DEBUG, while realistic
traffic runs (sign-ins right and wrong, a lockout, an ID number typed as the username, admin
lists, searches, the person file, an export, the API, station pages, an import with errors,
400/403/404 answers), is scanned for the ID numbers, phones and bank accounts of the people.
"""

import datetime
import logging
from io import BytesIO

import openpyxl
import pytest
from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bureau.importexport.records import PersonResource
from tests.conftest import PASSWORD
from tests.factories import PersonFactory, make_id_number

pytestmark = pytest.mark.django_db

BANK_ACCOUNT = "6222021234567890123"
PERSONS_API = "/api/v1/persons/"


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def captured_logs():
    """
    Every record of every logger (django.request, axes, celery …) at DEBUG, as the handlers would
    get them with LOG_LEVEL=DEBUG; a logger the portal's LOGGING pins to a level keeps it.
    """
    capture = Capture()
    names = {*logging.root.manager.loggerDict, "django", "django.request", "django.security", "axes", "celery"}
    pinned = {name for name, config in settings.LOGGING.get("loggers", {}).items() if "level" in config}
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in sorted(names - pinned))]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if not logger.propagate:
            logger.addHandler(capture)
    logging.getLogger().addHandler(capture)
    yield capture.records
    for logger, level in levels.items():
        logger.setLevel(level)
        logger.removeHandler(capture)


def logged_text(record: logging.LogRecord) -> str:
    text = [record.getMessage(), repr(record.args)]
    if record.exc_info:
        text.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(text)


def xlsx(rows: list[list]) -> BytesIO:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    stream = BytesIO()
    workbook.save(stream)
    stream.seek(0)
    stream.name = "people.xlsx"
    return stream


def run_traffic(*, people, bureau_user, leader, station_user_a, township_a):
    person = people[0]
    stranger_id = make_id_number(birth_date=datetime.date(1966, 6, 6), sequence=606, male=False)
    station_login = reverse("station:login")

    # Sign-ins: right, wrong, a lockout of an ID number typed as the username, the API's too.
    anonymous = APIClient()
    anonymous.post(station_login, {"username": "station_a", "password": PASSWORD})
    anonymous.post(station_login, {"username": "station_a", "password": "wrong-password"})
    for _ in range(6):
        anonymous.post(station_login, {"username": person.id_number, "password": "wrong-password"})
        anonymous.post(reverse("admin:login"), {"username": person.phone, "password": "wrong", "next": "/admin/"})
    for _ in range(6):
        anonymous.post(reverse("api-token"), {"username": stranger_id, "password": "x"}, format="json")
    anonymous.post(reverse("api-token"), {"username": BANK_ACCOUNT, "password": "x"}, format="json")

    # The admin: lists, searches (by the ID number too), the person file, an export, an import with errors.
    admin = APIClient()
    admin.force_login(bureau_user)
    admin.get("/admin/bureau/person/")
    admin.get("/admin/bureau/person/", {"q": person.id_number})
    admin.get("/admin/bureau/person/", {"q": person.phone})
    admin.get("/admin/bureau/person/", {"id_number__startswith": person.id_number[:6]})
    admin.get(f"/admin/bureau/person/{person.pk}/change/")
    admin.get(f"/admin/bureau/person/{person.pk}/file/")
    admin.get(f"/admin/bureau/person/{person.id_number}/change/")  # redirect, "does not exist"
    admin.get(f"/admin/bureau/person/{person.id_number}/file/")  # 404
    admin.get("/admin/bureau/payment/", {"q": person.id_number})
    fields = {f"personresource_{name}": "on" for name in PersonResource().get_export_order()}
    admin.post("/admin/bureau/person/export/", {"format": "0", "resource": "0", **fields})
    headers = ["姓名", "身份证号", "性别", "联系电话", "乡镇（街道）", "住址", "人员状态", "军种"]
    rows = [
        headers,
        ["重复", person.id_number, "男", person.phone, township_a.name, "", "退役军人", "陆军"],
        ["坏号", stranger_id[:-1] + "0", "女", "1234", "丙镇", "", "退役军人", "陆军"],
    ]
    with TestCase.captureOnCommitCallbacks(execute=True):  # the import job's validation, eagerly
        admin.post("/admin/bureau/person/import/", {"format": "0", "resource": "0", "import_file": xlsx(rows)})

    # Leadership: masked lists and a 403 on writing.
    leader_client = APIClient()
    leader_client.force_login(leader)
    leader_client.get("/admin/bureau/person/", {"q": person.id_number})
    leader_client.get("/admin/bureau/person/add/")  # 403

    # The API: list, retrieve, bad input, 403, 404 (with an ID number in the URL).
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=bureau_user).key}")
    api.get(PERSONS_API)
    api.get(PERSONS_API, {"search": person.id_number})
    api.get(f"{PERSONS_API}{person.pk}/")
    api.get(f"{PERSONS_API}{person.id_number}/")
    api.post(PERSONS_API, {"name": "坏", "id_number": person.id_number, "phone": person.phone}, format="json")
    api.post(PERSONS_API, {"name": "坏", "id_number": stranger_id[:-1] + "0", "phone": "12"}, format="json")
    api.patch(f"{PERSONS_API}{person.pk}/", {"phone": "not-a-phone"}, format="json")
    leader_api = APIClient()
    leader_api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=leader).key}")
    leader_api.delete(f"{PERSONS_API}{person.pk}/")  # 403
    anonymous.get(f"{PERSONS_API}?id_number={person.id_number}")  # 401

    # The station portal: pages, another township's person (404), a bad form (400/200 with errors).
    station = APIClient()
    station.force_login(station_user_a)
    station.get(reverse("station:home"))
    station.get(reverse("station:submissions"))
    station.get(reverse("station:person_create"))
    station.post(reverse("station:person_create"), {"name": "新人", "id_number": person.id_number, "phone": "1"})
    station.get(f"/station/people/{people[-1].pk}/")
    station.get(f"/station/{person.id_number}/")
    station.get("/admin/")  # not staff: the admin's login page


def test_the_template_engines_debug_lines_are_off_whatever_the_log_level():
    # They quote the whole context of a failed variable lookup: the person file's records.
    assert logging.getLogger("django.template").level == logging.INFO


@pytest.mark.slow  # signs three roles in, fails logins up to a lockout and opens their pages (~2 s of CPU)
def test_no_log_record_holds_an_id_number_phone_or_bank_account(
    captured_logs, bureau_user, leader, station_user_a, township_a, township_b
):
    people = [
        PersonFactory(township=township_a, name="张甲"),
        PersonFactory(township=township_a, name="王乙"),
        PersonFactory(township=township_b, name="李丙"),
    ]

    run_traffic(
        people=people, bureau_user=bureau_user, leader=leader, station_user_a=station_user_a, township_a=township_a
    )

    assert len(captured_logs) > 20  # the traffic was logged: the scan below looked at something
    secrets = {BANK_ACCOUNT, *(p.id_number for p in people), *(p.phone for p in people)}
    leaks = [
        (record.name, record.getMessage())
        for record in captured_logs
        if any(secret in logged_text(record) for secret in secrets)
    ]
    assert leaks == [], "\n".join(map(str, leaks))
