"""
Person import/export through the real admin pages: Chinese headers, every row
validated, nothing written unless every row is valid, errors named by Excel
row, masking and the export log, formula escaping, the import template.
"""

import datetime
import re
from io import BytesIO

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.test import TestCase
from import_export import fields

from bureau.base.masking import disclosure, mask_id_number, mask_phone, unmasked
from bureau.importexport import PortalXLSX, escape_formula, unescape_formula
from bureau.importexport.formats import NOT_XLSX_MESSAGE
from bureau.importexport.records import PaymentResource, PersonResource
from bureau.importexport.widgets import MASKED_ID_NUMBER, MASKED_VALUE
from bureau.models import ExportLog, ImportJob, Person, ReviewStatus
from tests.factories import PaymentFactory, PersonFactory, make_id_number

IMPORT_URL = "/admin/bureau/person/import/"
CONFIRM_URL = "/admin/bureau/person/process_import/"
EXPORT_URL = "/admin/bureau/person/export/"
TEMPLATE_URL = "/admin/bureau/person/import-template/"

IMPORT_HEADERS = [
    "姓名",
    "身份证号",
    "性别",
    "联系电话",
    "乡镇（街道）",
    "住址",
    "人员状态",
    "军种",
    "入伍日期",
    "退役日期",
    "安置方式",
    "备注",
    "版本",
]
EXPORT_HEADERS = IMPORT_HEADERS[:3] + ["出生日期"] + IMPORT_HEADERS[3:]
FULL_ID = re.compile(r"\d{17}[\dX]")


def xlsx_file(rows, headers=IMPORT_HEADERS):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def person_row(n, township, overrides=None):
    row = {
        "姓名": f"导入人员{n}",
        "身份证号": make_id_number(birth_date=datetime.date(1960, 1, 1) + datetime.timedelta(days=n), sequence=n),
        "联系电话": f"139{n:08d}",
        "乡镇（街道）": township.name,
        "住址": f"幸福路{n}号",
        "人员状态": "退役军人",
        "军种": "陆军",
        "入伍日期": "1980-11-01",
        "退役日期": datetime.date(1985, 10, 1),  # a date cell; openpyxl reads it back as a datetime
        "安置方式": "自主就业",
    }
    return {**row, **(overrides or {})}


def upload(client, content, name="people.xlsx"):
    """
    The first step of the admin import: upload, then the import job's page (preview or errors).
    A refused file is the form again (400). The job's tasks are queued on commit, which the
    test's transaction never does: they run (eagerly) at the end of the request.
    """
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(IMPORT_URL, {"format": "0", "resource": "0", "import_file": _named(content, name)})
    return client.get(response["Location"]) if response.status_code == 302 else response


def confirm(client, response):
    """The second step: post the confirm form the preview offered."""
    form = response.context["confirm_form"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(CONFIRM_URL, {name: form.initial.get(name, "") for name in form.fields})


def _named(content, name):
    file = BytesIO(content)
    file.name = name
    return file


def row_messages(response):
    return response.context["job"].errors


def export(client, **extra):
    fields = {f"personresource_{name}": "on" for name in PersonResource().get_export_order()}
    response = client.post(EXPORT_URL, {"format": "0", "resource": "0", **fields, **extra})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(BytesIO(response.content)).active


def cells_of(sheet):
    headers = [cell.value for cell in sheet[1]]
    return headers, [dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]


# --- import ----------------------------------------------------------------------


def test_valid_import_creates_approved_people_with_derived_birth_date_gender_and_township(
    client_for, bureau_user, township_a, township_b
):
    rows = [
        person_row(1, township_a),
        person_row(
            2, township_b, {"性别": "女", "身份证号": make_id_number(sequence=2, male=False), "人员状态": "军属及其他"}
        ),
        person_row(
            3, township_a, {"入伍日期": None, "退役日期": None, "军种": None, "安置方式": None, "人员状态": None}
        ),
    ]
    client = client_for(bureau_user)

    preview = upload(client, xlsx_file(rows))
    assert preview.status_code == 200
    assert row_messages(preview) == []
    assert Person.objects.count() == 0  # the dry run wrote nothing
    done = confirm(client, preview)

    assert done.status_code == 302
    assert Person.objects.count() == 3
    first = Person.objects.get(id_number=rows[0]["身份证号"])
    assert first.name == "导入人员1"
    assert first.birth_date == datetime.date(1960, 1, 2)
    assert first.gender == Person.Gender.MALE
    assert first.township == township_a
    assert first.phone == "13900000001"
    assert first.branch == Person.Branch.ARMY
    assert first.enlisted_on == datetime.date(1980, 11, 1)
    assert first.discharged_on == datetime.date(1985, 10, 1)
    assert first.discharge_route == Person.DischargeRoute.SELF_EMPLOYED
    assert first.review_status == ReviewStatus.APPROVED
    assert first.reviewed_by == bureau_user
    second = Person.objects.get(id_number=rows[1]["身份证号"])
    assert (second.gender, second.birth_date, second.township) == ("F", datetime.date(1980, 1, 1), township_b)
    assert second.status == Person.Status.FAMILY
    third = Person.objects.get(id_number=rows[2]["身份证号"])
    assert third.status == Person.Status.VETERAN  # blank status: the default
    assert set(Person.objects.values_list("review_status", flat=True)) == {ReviewStatus.APPROVED}


def test_import_updates_the_person_with_the_same_id_number(client_for, bureau_user, person_a, township_b):
    row = person_row(1, township_b, {"身份证号": person_a.id_number.lower(), "姓名": "张甲改", "性别": None})
    client = client_for(bureau_user)

    confirm(client, upload(client, xlsx_file([row])))

    assert Person.objects.count() == 1
    person_a.refresh_from_db()
    assert (person_a.name, person_a.township, person_a.address) == ("张甲改", township_b, "幸福路1号")


def test_one_bad_row_among_a_thousand_writes_nothing_and_names_excel_row_501(client_for, bureau_user, township_a):
    rows = [person_row(n, township_a) for n in range(1, 1001)]
    valid = rows[499]["身份证号"]  # the 500th data row, below the header: Excel row 501
    wrong_check_digit = "0" if valid[-1] != "0" else "1"
    rows[499]["身份证号"] = valid[:-1] + wrong_check_digit
    client = client_for(bureau_user)

    response = upload(client, xlsx_file(rows))

    assert response.status_code == 200
    assert row_messages(response) == ["第 501 行：身份证号校验位错误，请核对号码。"]
    assert "第 501 行：身份证号校验位错误，请核对号码。" in response.content.decode()
    assert "confirm_form" not in response.context
    assert Person.objects.count() == 0


def test_the_confirm_step_writes_nothing_when_a_row_is_invalid(client_for, bureau_user, township_a):
    # The confirm page is never offered for such a file; a job confirmed all the same (its file changed
    # on disk, or records changed since the preview) must not write the valid rows.
    rows = [
        person_row(1, township_a),
        person_row(2, township_a, {"乡镇（街道）": "不存在镇"}),
        person_row(3, township_a),
    ]
    job = ImportJob(user=bureau_user, model="bureau.person", kind="人员", status=ImportJob.Status.VALIDATED)
    job.file.save("people.xlsx", ContentFile(xlsx_file(rows)))
    client = client_for(bureau_user)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(CONFIRM_URL, {"job": job.pk})
    response = client.get(response["Location"])

    assert Person.objects.count() == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == ["第 3 行：乡镇（街道）“不存在镇”不存在。"]
    assert "第 3 行：乡镇（街道）“不存在镇”不存在。" in response.content.decode()


def test_numeric_id_number_cell_is_refused_with_the_chinese_message(client_for, bureau_user, township_a):
    rows = [person_row(1, township_a), person_row(2, township_a, {"身份证号": 320102198001011234})]
    client = client_for(bureau_user)

    response = upload(client, xlsx_file(rows))

    assert row_messages(response) == ["第 3 行：身份证号必须以文本格式填写（Excel 会把 18 位数字改写成科学计数法）。"]
    assert "confirm_form" not in response.context
    assert Person.objects.count() == 0


def test_unknown_township_is_a_chinese_row_error(client_for, bureau_user, township_a):
    rows = [person_row(1, township_a, {"乡镇（街道）": "丙镇"})]
    client = client_for(bureau_user)

    response = upload(client, xlsx_file(rows))

    assert row_messages(response) == ["第 2 行：乡镇（街道）“丙镇”不存在。"]
    assert Person.objects.count() == 0


def test_every_problem_of_a_row_is_reported_with_its_column(client_for, bureau_user, township_a):
    rows = [
        person_row(1, township_a),
        person_row(2, township_a, {"姓名": None, "联系电话": "12345", "性别": "未知", "入伍日期": "去年"}),
        person_row(3, township_a, {"入伍日期": "1990-01-01", "退役日期": "1989-01-01"}),
    ]
    client = client_for(bureau_user)

    response = upload(client, xlsx_file(rows))

    assert sorted(row_messages(response)) == sorted(
        [
            "第 3 行：姓名，此字段不能为空。",
            "第 3 行：性别，“未知”不是有效的选项，应填写：男、女。",
            "第 3 行：联系电话，电话号码格式不正确：手机号为 11 位（1 开头），固定电话如 025-12345678。",
            "第 3 行：入伍日期，日期“去年”无法识别，请填写如 2021-03-01 的日期。",
            "第 4 行：退役日期不能早于入伍日期。",
        ]
    )
    assert Person.objects.count() == 0


def test_a_file_without_the_id_number_column_is_refused(client_for, bureau_user, township_a):
    headers = [header for header in IMPORT_HEADERS if header != "身份证号"] + ["身分证号"]
    client = client_for(bureau_user)

    response = upload(client, xlsx_file([person_row(1, township_a)], headers=headers))

    assert row_messages(response) == [
        "缺少必需的列：身份证号（第 1 行的表头中没有）；无法识别的列：身分证号。可在下方为无法识别的列指定对应的列后"
        "重新校验。请使用“下载导入模板”得到的表格填写，或改正表头后重新上传。"
    ]
    assert Person.objects.count() == 0


def test_blank_lines_are_skipped_and_row_numbers_stay_those_of_excel(client_for, bureau_user, township_a):
    rows = [person_row(1, township_a), {}, person_row(3, township_a, {"乡镇（街道）": "丙镇"}), {}]
    client = client_for(bureau_user)

    response = upload(client, xlsx_file(rows))

    assert row_messages(response) == ["第 4 行：乡镇（街道）“丙镇”不存在。"]


def test_leadership_may_not_import(client_for, leader):
    client = client_for(leader)

    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(TEMPLATE_URL).status_code == 403


def test_a_station_user_imports_only_their_own_township_as_submissions(station_user_a, township_a, township_b):
    rows = [person_row(1, township_a), person_row(2, township_b)]
    resource = PersonResource(user=station_user_a)
    result = resource.import_data(PortalXLSX().create_dataset(xlsx_file(rows)))

    assert result.row_messages == ["第 3 行：只能登记或修改本乡镇（街道）的记录。"]
    assert Person.objects.count() == 0

    result = PersonResource(user=station_user_a).import_data(PortalXLSX().create_dataset(xlsx_file(rows[:1])))

    assert result.row_messages == []
    assert Person.objects.get().review_status == ReviewStatus.SUBMITTED


def test_a_station_user_cannot_reach_another_townships_person_by_id_number(station_user_a, township_a, person_b):
    row = person_row(1, township_a, {"身份证号": person_b.id_number})
    result = PersonResource(user=station_user_a).import_data(PortalXLSX().create_dataset(xlsx_file([row])))

    assert result.row_messages == ["第 2 行：该身份证号已登记。"]
    person_b.refresh_from_db()
    assert person_b.township.name == "乙镇"


# --- export ----------------------------------------------------------------------


def test_leadership_export_is_masked_and_logged(client_for, leader, person_a, person_b):
    sheet = export(client_for(leader))
    headers, rows = cells_of(sheet)

    assert headers == EXPORT_HEADERS
    assert len(rows) == 2
    for row in sheet.iter_rows():
        for cell in row:
            assert not FULL_ID.search(str(cell.value or ""))
    by_name = {row["姓名"]: row for row in rows}
    assert by_name["张甲"]["身份证号"] == mask_id_number(person_a.id_number)
    assert re.fullmatch(r"\d{4}\*{10}[\dX]{4}", by_name["张甲"]["身份证号"])
    assert by_name["张甲"]["联系电话"] == mask_phone(person_a.phone)
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.file_format, log.row_count, log.unmasked) == (leader, "人员名册", "xlsx", 2, False)


# The export form's choice of whole values, with the purpose it needs (tests/bureau/test_personal_data.py).
WHOLE = {"unmasked": "on", "purpose": "修改后导入"}


def test_bureau_export_with_a_purpose_has_full_id_numbers_and_is_logged_unmasked(client_for, bureau_user, person_a):
    headers, rows = cells_of(export(client_for(bureau_user), **WHOLE))

    assert rows[0]["身份证号"] == person_a.id_number
    assert rows[0]["联系电话"] == person_a.phone
    assert rows[0]["性别"] == "男"
    assert rows[0]["人员状态"] == "退役军人"
    assert rows[0]["乡镇（街道）"] == "甲镇"
    log = ExportLog.objects.get()
    assert (log.user, log.row_count, log.unmasked) == (bureau_user, 1, True)


def test_export_of_a_station_user_holds_only_their_township(station_user_a, person_a, person_b):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    from bureau.admin.people import PersonAdmin

    request = RequestFactory().get(EXPORT_URL)
    request.user = station_user_a
    queryset = PersonAdmin(Person, site).get_export_queryset(request)

    assert list(queryset) == [person_a]


def test_sensitive_fields_are_masked_as_the_model_declares_them_and_counted(leader, bureau_user, person_a):
    with disclosure() as masked_export:
        masked = PersonResource(user=leader).export().dict[0]
    with disclosure() as whole_export, unmasked():
        whole = PersonResource(user=bureau_user).export().dict[0]

    assert (masked["身份证号"], masked["联系电话"]) == (mask_id_number(person_a.id_number), mask_phone(person_a.phone))
    assert (whole["身份证号"], whole["联系电话"]) == (person_a.id_number, person_a.phone)
    assert (masked_export.whole, masked_export.masked, masked_export.unmasked) == (0, 2, False)
    assert (whole_export.whole, whole_export.masked, whole_export.unmasked) == (2, 0, True)


def test_a_resource_without_a_user_masks(person_a):
    row = PersonResource().export().dict[0]

    assert (row["身份证号"], row["联系电话"]) == (mask_id_number(person_a.id_number), mask_phone(person_a.phone))


class PaymentWithIdNumberResource(PaymentResource):
    id_number = fields.Field("person__id_number", "身份证号", readonly=True)

    class Meta:
        model = PaymentResource.Meta.model
        fields = [*PaymentResource.Meta.fields, "id_number"]


def test_a_column_following_a_relation_to_a_sensitive_field_is_masked(leader, bureau_user, person_a):
    PaymentFactory(person=person_a)

    assert PaymentWithIdNumberResource(user=leader).export()["身份证号"] == [mask_id_number(person_a.id_number)]
    assert PaymentWithIdNumberResource(user=bureau_user).export()["身份证号"] == [mask_id_number(person_a.id_number)]
    with unmasked():
        assert PaymentWithIdNumberResource(user=bureau_user).export()["身份证号"] == [person_a.id_number]


def test_the_import_preview_masks_like_an_export(client_for, bureau_user, person_a):
    row = person_row(
        1, person_a.township, {"身份证号": person_a.id_number, "姓名": "张甲改", "联系电话": "13900000001"}
    )

    page = upload(client_for(bureau_user), xlsx_file([row]))

    job = ImportJob.objects.get()
    [change] = job.summary["sample"]
    shown = {field["column"]: field["after"] for field in change["fields"]}
    assert shown["姓名"] == "张甲改"
    assert shown["联系电话"] == mask_phone("13900000001")
    assert not FULL_ID.search(str(job.summary)) and not FULL_ID.search(page.content.decode())
    assert person_a.id_number not in page.content.decode()


def test_formula_strings_are_escaped_on_export_and_restored_on_reimport(client_for, bureau_user, township_a):
    person = PersonFactory(
        name="=1+1", address="=1+1", notes="@SUM(A1)", township=township_a, enlisted_on=datetime.date(1990, 3, 1)
    )
    client = client_for(bureau_user)

    sheet = export(client, **WHOLE)
    headers = [cell.value for cell in sheet[1]]
    cells = dict(zip(headers, sheet[2], strict=True))

    assert cells["住址"].value == "'=1+1"
    assert cells["住址"].data_type == "s"
    assert cells["姓名"].value == "'=1+1"
    assert cells["备注"].value == "'@SUM(A1)"
    assert cells["入伍日期"].data_type == "d"  # dates stay dates: the escape touches strings only
    assert cells["入伍日期"].value.date() == datetime.date(1990, 3, 1)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)

    exported = BytesIO()
    sheet.parent.save(exported)
    Person.objects.filter(pk=person.pk).update(address="changed", name="changed", notes="")
    preview = upload(client, exported.getvalue())
    assert row_messages(preview) == []
    confirm(client, preview)

    person.refresh_from_db()
    assert (person.name, person.address, person.notes) == ("=1+1", "=1+1", "@SUM(A1)")
    assert Person.objects.count() == 1


def test_escape_touches_only_strings_starting_with_a_formula_character():
    assert [escape_formula(v) for v in ("=A1", "+1", "-1", "@x", "\tx", "\rx", "a=1", "")] == [
        "'=A1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "a=1",
        "",
    ]
    assert escape_formula(-5) == -5
    assert escape_formula(1.5) == 1.5
    assert escape_formula(datetime.date(2021, 1, 1)) == datetime.date(2021, 1, 1)
    assert unescape_formula("'=A1") == "=A1"
    assert unescape_formula("'abc") == "'abc"


# --- template --------------------------------------------------------------------


def test_import_template_has_the_chinese_headers_and_a_text_id_column(client_for, bureau_user, township_a):
    client = client_for(bureau_user)

    response = client.get(TEMPLATE_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == IMPORT_HEADERS
    assert sheet.max_row == 1
    assert sheet["B1"].number_format == "@"
    assert sheet.column_dimensions["B"].number_format == "@"


def test_changelist_and_import_page_link_to_the_template(client_for, bureau_user):
    client = client_for(bureau_user)

    for url in ("/admin/bureau/person/", IMPORT_URL):
        page = client.get(url).content.decode()
        assert f'href="{TEMPLATE_URL}"' in page
        assert "下载导入模板" in page


def test_the_template_filled_in_imports(client_for, bureau_user, township_a):
    client = client_for(bureau_user)
    workbook = openpyxl.load_workbook(BytesIO(client.get(TEMPLATE_URL).content))
    sheet = workbook.active
    row = person_row(7, township_a)
    sheet.append([row.get(header) for header in IMPORT_HEADERS])
    filled = BytesIO()
    workbook.save(filled)

    confirm(client, upload(client, filled.getvalue()))

    assert Person.objects.get().id_number == row["身份证号"]


@pytest.mark.parametrize("headers", [EXPORT_HEADERS])
def test_export_headers_are_chinese(headers):
    assert PersonResource().get_export_headers() == headers


def test_a_confirm_request_of_a_job_that_does_not_exist_is_a_404_not_a_500(client_for, bureau_user):
    client = client_for(bureau_user)

    for data in ({"job": "999999"}, {"import_file_name": "gone.xlsx", "format": "0"}):
        assert client.post(CONFIRM_URL, data).status_code == 404
    assert client.get(CONFIRM_URL).status_code == 405


def test_a_file_that_is_not_xlsx_is_refused_on_the_form(client_for, bureau_user):
    client = client_for(bureau_user)

    response = upload(client, "姓名,身份证号\n张三,320102198001011234\n".encode(), name="people.csv")

    # A refused file is a bad request (400); the form still names what is wrong.
    assert response.status_code == 400
    assert response.context["form"].errors["import_file"] == [NOT_XLSX_MESSAGE]
    assert Person.objects.count() == 0


def test_a_masked_export_cannot_be_imported_back_and_says_why(client_for, bureau_user, person_a):
    client = client_for(bureau_user)
    exported = BytesIO()
    export(client).parent.save(exported)

    preview = upload(client, exported.getvalue())

    assert row_messages(preview)[0] == f"第 2 行：{MASKED_ID_NUMBER}"
    assert Person.objects.get().id_number == person_a.id_number


def test_a_masked_phone_in_a_reimported_export_is_said_to_be_masked(client_for, bureau_user, person_a):
    person_a.phone = "13812345678"
    person_a.save()
    client = client_for(bureau_user)
    sheet = export(client)  # masked by default: the ID number and the phone
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("身份证号") + 1, value=person_a.id_number)  # the clerk restores it
    restored = BytesIO()
    sheet.parent.save(restored)

    messages = row_messages(upload(client, restored.getvalue()))

    assert messages == [f"第 2 行：联系电话，{MASKED_VALUE}"]
    assert Person.objects.get().phone == "13812345678"
