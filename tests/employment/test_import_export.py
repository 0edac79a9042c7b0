"""
Excel import/export of enterprises, fair attendees and trainees through the real
admin pages: Chinese headers, all or nothing, errors named by Excel row, masking
and the export log.
"""

import datetime
import re
from io import BytesIO

import openpyxl
import pytest
from django.test import TestCase

from bureau.base.masking import disclosure, mask_id_number, mask_phone, unmasked
from bureau.importexport import PortalXLSX
from bureau.importexport.records import EnterpriseResource
from bureau.models import Enterprise, ExportLog, ReviewStatus
from employment.models import FairAttendance, Trainee
from employment.resources import FairAttendanceResource
from tests.employment.factories import (
    EnterpriseFactory,
    FairAttendanceFactory,
    JobFairFactory,
    TrainingClassFactory,
    VeteranFactory,
    make_credit_code,
)
from tests.factories import PersonFactory, make_id_number

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dX]")
ENTERPRISE_HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "行业领域",
    "所在乡镇（街道）",
    "退役军人创办",
    "创办人身份证号",
    "联系人",
    "联系电话",
    "版本",
]
ATTENDEE_HEADERS = ["招聘会", "身份证号", "姓名"]
TRAINEE_HEADERS = ["培训班", "身份证号", "姓名", "出勤天数"]


def xlsx_file(rows, headers):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def upload(client, url, content):
    """Upload, then the import job's page (its tasks run eagerly, at the end of the request)."""
    file = BytesIO(content)
    file.name = "import.xlsx"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url + "import/", {"format": "0", "resource": "0", "import_file": file})
    return client.get(response["Location"]) if response.status_code == 302 else response


def confirm(client, url, response):
    form = response.context["confirm_form"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url + "process_import/", {name: form.initial.get(name, "") for name in form.fields})


def row_messages(response):
    return response.context["job"].errors


def sheet_rows(content):
    sheet = openpyxl.load_workbook(BytesIO(content)).active
    headers = [cell.value for cell in sheet[1]]
    return (
        sheet,
        headers,
        [dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)],
    )


# --- enterprises -----------------------------------------------------------------------------

ENTERPRISES = "/admin/bureau/enterprise/"


def enterprise_row(n, township, **overrides):
    return {
        "企业名称": f"导入企业{n}有限公司",
        "统一社会信用代码": make_credit_code(100 + n),
        "行业领域": "汽车配件",
        "所在乡镇（街道）": township.name,
        "退役军人创办": "否",
        "联系人": "王经理",
        "联系电话": f"139{n:08d}",
        **overrides,
    }


def test_enterprise_import_creates_and_matches_on_the_credit_code(client_for, bureau_user, township_a, person_a):
    existing = EnterpriseFactory(credit_code=make_credit_code(101), name="旧名称")
    rows = [
        enterprise_row(1, township_a, 统一社会信用代码=make_credit_code(101).lower()),
        enterprise_row(2, township_a, 退役军人创办="是", 创办人身份证号=person_a.id_number),
    ]
    client = client_for(bureau_user)

    preview = upload(client, ENTERPRISES, xlsx_file(rows, ENTERPRISE_HEADERS))
    assert row_messages(preview) == []
    confirm(client, ENTERPRISES, preview)

    assert Enterprise.objects.count() == 2
    existing.refresh_from_db()
    assert (existing.name, existing.sector, existing.township) == ("导入企业1有限公司", "汽车配件", township_a)
    founded = Enterprise.objects.get(credit_code=make_credit_code(102))
    assert (founded.veteran_founded, founded.founder, founded.contact_phone) == (True, person_a, "13900000002")


def test_a_bad_credit_code_in_the_enterprise_import_names_the_row_and_writes_nothing(
    client_for, bureau_user, township_a
):
    valid = make_credit_code(103)
    rows = [
        enterprise_row(1, township_a),
        enterprise_row(2, township_a),
        enterprise_row(3, township_a, 统一社会信用代码=valid[:-1] + ("1" if valid[-1] != "1" else "2")),
    ]
    client = client_for(bureau_user)

    response = upload(client, ENTERPRISES, xlsx_file(rows, ENTERPRISE_HEADERS))

    assert row_messages(response) == ["第 4 行：统一社会信用代码校验位错误，请核对。"]
    assert "第 4 行：统一社会信用代码校验位错误，请核对。" in response.content.decode()
    assert "confirm_form" not in response.context
    assert not Enterprise.objects.exists()


def test_enterprise_import_template_has_the_chinese_headers_and_text_columns(client_for, bureau_user):
    response = client_for(bureau_user).get(ENTERPRISES + "import-template/")

    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == ENTERPRISE_HEADERS
    assert sheet["B1"].number_format == "@"  # the credit code
    assert sheet["F1"].number_format == "@"  # the founder's ID number


def test_enterprise_export_by_leadership_masks_the_founder_and_phone(client_for, leader, person_a):
    EnterpriseFactory(founder=person_a, veteran_founded=True, contact_phone="13812345678", name="=HYPERLINK()")
    fields = {f"enterpriseresource_{name}": "on" for name in EnterpriseResource().get_export_order()}

    response = client_for(leader).post(ENTERPRISES + "export/", {"format": "0", "resource": "0", **fields})

    sheet, headers, rows = sheet_rows(response.content)
    assert headers == ENTERPRISE_HEADERS
    assert rows[0]["企业名称"] == "'=HYPERLINK()"
    assert rows[0]["退役军人创办"] == "是"
    assert rows[0]["联系电话"] == "138****5678"
    assert not FULL_ID.search(str(rows[0]["创办人身份证号"]))
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.row_count, log.unmasked) == (leader, "企业名录", 1, False)


# --- fair attendees ----------------------------------------------------------------------------

ATTENDEES = "/admin/employment/fairattendance/"


def attendee_row(fair, person, **overrides):
    return {"招聘会": str(fair), "身份证号": person.id_number, "姓名": person.name, **overrides}


def test_attendee_import_creates_approved_attendances_in_the_persons_township(
    client_for, bureau_user, township_a, township_b
):
    fair = JobFairFactory(title="退役军人专场招聘会", start_date=datetime.date(2021, 2, 28))
    JobFairFactory(title="退役军人专场招聘会", start_date=datetime.date(2021, 9, 16))
    first = VeteranFactory(township=township_a)
    second = VeteranFactory(township=township_b)
    rows = [
        attendee_row(fair, first),
        attendee_row(fair, second, 招聘会="退役军人专场招聘会(2021-02-28)", 身份证号=f" {second.id_number.lower()} "),
    ]
    client = client_for(bureau_user)

    preview = upload(client, ATTENDEES, xlsx_file(rows, ATTENDEE_HEADERS))
    assert row_messages(preview) == []
    assert not FairAttendance.objects.exists()
    done = confirm(client, ATTENDEES, preview)

    assert done.status_code == 302
    attendances = FairAttendance.objects.order_by("person__township__order")
    assert [(a.fair, a.person, a.township) for a in attendances] == [
        (fair, first, township_a),
        (fair, second, township_b),
    ]
    assert {(a.review_status, a.reviewed_by) for a in attendances} == {(ReviewStatus.APPROVED, bureau_user)}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"姓名": "王五"}, "第 3 行：姓名“王五”与人员库中该身份证号登记的姓名“李四”不一致。"),
        ({"身份证号": "UNKNOWN"}, "第 3 行：身份证号 {unknown} 未在人员库中登记。"),
        ({"招聘会": "春风行动招聘会"}, "第 3 行：招聘会“春风行动招聘会”不存在。"),
        (
            {"身份证号": 320102198001011234},
            "第 3 行：身份证号必须以文本格式填写（Excel 会把 18 位数字改写成科学计数法）。",
        ),
    ],
    ids=["name-mismatch", "unknown-id", "unknown-fair", "numeric-id"],
)
def test_one_bad_attendee_row_writes_nothing_and_is_named(client_for, bureau_user, township_a, change, message):
    fair = JobFairFactory()
    people = [VeteranFactory(township=township_a), VeteranFactory(name="李四", township=township_a)]
    unknown = make_id_number(birth_date=datetime.date(1991, 5, 5), sequence=901)
    change = {key: (unknown if value == "UNKNOWN" else value) for key, value in change.items()}
    rows = [attendee_row(fair, people[0]), attendee_row(fair, people[1], **change)]

    response = upload(client_for(bureau_user), ATTENDEES, xlsx_file(rows, ATTENDEE_HEADERS))

    assert row_messages(response) == [message.format(unknown=unknown)]
    assert "confirm_form" not in response.context
    assert not FairAttendance.objects.exists()


def test_reimporting_attendees_adds_no_duplicates(bureau_user, township_a):
    fair = JobFairFactory()
    person = VeteranFactory(township=township_a)
    dataset = PortalXLSX().create_dataset(xlsx_file([attendee_row(fair, person)] * 2, ATTENDEE_HEADERS))

    for _ in range(2):
        result = FairAttendanceResource(user=bureau_user).import_data(dataset)
        assert result.row_messages == []

    assert FairAttendance.objects.get().person == person


def test_attendee_export_by_leadership_is_masked_and_logged(client_for, leader, township_a):
    attendances = FairAttendanceFactory.create_batch(2, person__township=township_a)
    fields = {f"fairattendanceresource_{name}": "on" for name in FairAttendanceResource().get_export_order()}

    response = client_for(leader).post(ATTENDEES + "export/", {"format": "0", "resource": "0", **fields})

    assert response.status_code == 200
    sheet, headers, rows = sheet_rows(response.content)
    assert headers == ["招聘会", "身份证号", "姓名", "乡镇（街道）", "审核状态", "版本"]
    assert len(rows) == 2
    for row in sheet.iter_rows():
        for cell in row:
            assert not FULL_ID.search(str(cell.value or ""))
    masked = {a.person.id_number[:4] + "**********" + a.person.id_number[-4:] for a in attendances}
    assert {row["身份证号"] for row in rows} == masked
    assert {row["乡镇（街道）"] for row in rows} == {"甲镇"}
    assert {row["审核状态"] for row in rows} == {"已通过"}
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.file_format, log.row_count, log.unmasked) == (
        leader,
        "招聘会参加人员",
        "xlsx",
        2,
        False,
    )


def test_attendee_export_by_the_bureau_with_a_purpose_is_unmasked_and_logged_so(client_for, bureau_user):
    attendance = FairAttendanceFactory()
    fields = {f"fairattendanceresource_{name}": "on" for name in FairAttendanceResource().get_export_order()}
    whole = {"unmasked": "on", "purpose": "核对参会人员"}

    response = client_for(bureau_user).post(ATTENDEES + "export/", {"format": "0", "resource": "0", **fields, **whole})

    _, _, rows = sheet_rows(response.content)
    assert rows[0]["身份证号"] == attendance.person.id_number
    assert rows[0]["招聘会"] == str(attendance.fair)
    assert ExportLog.objects.get().unmasked is True


def test_an_attendee_export_masks_the_id_number_for_a_user_without_the_permission_and_counts_it(leader, township_a):
    attendances = FairAttendanceFactory.create_batch(2, person__township=township_a)

    with disclosure() as shown:
        dataset = FairAttendanceResource(user=leader).export()

    assert sorted(dataset["身份证号"]) == sorted(mask_id_number(a.person.id_number) for a in attendances)
    assert (shown.whole, shown.masked, shown.unmasked) == (0, 2, False)


def test_an_attendee_export_shows_the_id_number_whole_with_the_permission_and_counts_it(bureau_user, township_a):
    attendances = FairAttendanceFactory.create_batch(2, person__township=township_a)

    with disclosure() as shown, unmasked():
        dataset = FairAttendanceResource(user=bureau_user).export()

    assert sorted(dataset["身份证号"]) == sorted(a.person.id_number for a in attendances)
    assert (shown.whole, shown.masked, shown.unmasked) == (2, 0, True)


def test_an_attendee_export_without_a_user_masks(township_a):
    attendance = FairAttendanceFactory(person__township=township_a)

    assert FairAttendanceResource().export()["身份证号"] == [mask_id_number(attendance.person.id_number)]


def test_an_enterprise_export_counts_the_founders_id_number_and_the_contact_phone(leader, person_a):
    EnterpriseFactory(founder=person_a, veteran_founded=True, contact_phone="13812345678")

    with disclosure() as shown:
        row = EnterpriseResource(user=leader).export().dict[0]

    assert (row["创办人身份证号"], row["联系电话"]) == (mask_id_number(person_a.id_number), mask_phone("13812345678"))
    assert (shown.whole, shown.masked) == (0, 2)


def test_a_station_user_imports_attendees_of_their_own_township_as_submissions(station_user_a, township_a):
    fair = JobFairFactory()
    person = VeteranFactory(township=township_a)
    dataset = PortalXLSX().create_dataset(xlsx_file([attendee_row(fair, person)], ATTENDEE_HEADERS))

    result = FairAttendanceResource(user=station_user_a).import_data(dataset)

    assert result.row_messages == []
    attendance = FairAttendance.objects.get()
    assert (attendance.township, attendance.review_status) == (township_a, ReviewStatus.SUBMITTED)


def test_a_station_user_cannot_import_an_attendee_of_another_township(station_user_a, township_a, person_b):
    fair = JobFairFactory()
    dataset = PortalXLSX().create_dataset(xlsx_file([attendee_row(fair, person_b)], ATTENDEE_HEADERS))

    result = FairAttendanceResource(user=station_user_a).import_data(dataset)

    # Out of sight, the person is not found; the row is not also reported as out of scope.
    assert result.row_messages == [f"第 2 行：身份证号 {person_b.id_number} 未在人员库中登记。"]
    assert not FairAttendance.objects.exists()


def test_leadership_may_not_import_attendees(client_for, leader):
    client = client_for(leader)

    assert client.get(ATTENDEES + "import/").status_code == 403
    assert client.get(ATTENDEES + "import-template/").status_code == 403


# --- trainees ------------------------------------------------------------------------------------

TRAINEES = "/admin/employment/trainee/"


def trainee_row(training_class, person, days=3, **overrides):
    return {
        "培训班": str(training_class),
        "身份证号": person.id_number,
        "姓名": person.name,
        "出勤天数": days,
        **overrides,
    }


def test_trainee_import_creates_the_trainees(client_for, bureau_user, township_a):
    training_class = TrainingClassFactory()
    people = VeteranFactory.create_batch(3, township=township_a)
    client = client_for(bureau_user)

    preview = upload(client, TRAINEES, xlsx_file([trainee_row(training_class, p) for p in people], TRAINEE_HEADERS))
    assert row_messages(preview) == []
    confirm(client, TRAINEES, preview)

    assert training_class.trainees.count() == 3
    assert set(training_class.trainees.values_list("days_attended", flat=True)) == {3}


@pytest.mark.parametrize(
    "person_fields",
    [{"status": "family", "discharged_on": None}, {"status": "veteran", "discharged_on": None}],
    ids=["family-member", "no-discharge-date"],
)
def test_a_trainee_who_is_not_a_discharged_veteran_is_refused_in_the_import(
    client_for, bureau_user, township_a, person_fields
):
    training_class = TrainingClassFactory()
    veteran = VeteranFactory(township=township_a)
    other = PersonFactory(name="赵丙", township=township_a, **person_fields)
    rows = [trainee_row(training_class, veteran), trainee_row(training_class, other)]

    response = upload(client_for(bureau_user), TRAINEES, xlsx_file(rows, TRAINEE_HEADERS))

    assert row_messages(response) == ["第 3 行：赵丙不是已退役的退役军人，不能参加适应性培训。"]
    assert "confirm_form" not in response.context
    assert not Trainee.objects.exists()


def test_trainee_import_reports_unknown_people_and_too_many_days(client_for, bureau_user, township_a):
    training_class = TrainingClassFactory()  # three days
    people = VeteranFactory.create_batch(2, township=township_a)
    unknown = make_id_number(birth_date=datetime.date(1992, 2, 2), sequence=313)
    rows = [
        trainee_row(training_class, people[0], days=4),
        trainee_row(training_class, people[1], 身份证号=unknown),
        trainee_row(training_class, people[1], days="三"),
    ]

    response = upload(client_for(bureau_user), TRAINEES, xlsx_file(rows, TRAINEE_HEADERS))

    assert row_messages(response) == [
        "第 2 行：出勤天数不能超过培训天数。",
        f"第 3 行：身份证号 {unknown} 未在人员库中登记。",
        "第 4 行：出勤天数，“三”不是有效的整数。",
    ]
    assert not Trainee.objects.exists()


def test_trainee_import_template_names_the_columns(client_for, bureau_user):
    response = client_for(bureau_user).get(TRAINEES + "import-template/")

    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == TRAINEE_HEADERS
    assert sheet["B1"].number_format == "@"
