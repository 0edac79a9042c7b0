"""
Real rosters as they come, through the person import's real job path (eager Celery): the header
row found below title rows and merged cells, common aliases of the column names, columns the
import does not use listed as ignored, unknown headers mapped once on the preview and the mapping
applied to the next file, Excel's row numbers in the errors, and the template's sample row.
"""

import datetime
from io import BytesIO

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import TestCase

from bureau.importexport import PortalXLSX
from bureau.importexport.headers import CORE_ALIASES, ColumnNames, find_header, normalize
from bureau.importexport.records import PersonResource
from bureau.models import AuditEvent, ImportColumnMapping, ImportJob, Person
from tests.bureau.test_import_export import IMPORT_HEADERS, TEMPLATE_URL, confirm, person_row, upload
from tests.conftest import PERSONAS
from tests.factories import UserFactory

TITLE = "示范区退役军人花名册（2021年）"


def roster(rows, headers, *, titles=(), blank_rows=0, rename=None):
    """
    An xlsx as offices keep it: title rows merged across the table's width, blank rows, then
    the header (with `rename`: file header -> the template's column it holds) and the rows.
    """
    rename = rename or {}
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for title in titles:
        sheet.append([title])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=len(headers))
    for _ in range(blank_rows):
        sheet.append([])
    sheet.append(headers)
    for number, row in enumerate(rows, start=1):
        sheet.append([number if header == "序号" else row.get(rename.get(header, header)) for header in headers])
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def headers_with(replacements=None, extra_front=(), drop=("版本",)):
    """The template's import headers, some renamed (template column -> file header), some dropped."""
    replacements = replacements or {}
    return [*extra_front, *(replacements.get(header, header) for header in IMPORT_HEADERS if header not in drop)]


def job_of(response) -> ImportJob:
    return response.context["job"]


def columns_of(response) -> dict:
    return job_of(response).summary["columns"]


def post_mapping(client, job, choices):
    url = f"/admin/bureau/person/import/{job.pk}/columns/"
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, choices)


# --- the acceptance roster -----------------------------------------------------------------


def test_a_roster_with_a_title_row_a_row_number_column_and_id_number_alias_imports(client_for, bureau_user, township_a):
    headers = headers_with({"身份证号": "身份证号码"}, extra_front=["序号"])
    rows = [person_row(n, township_a) for n in (1, 2, 3)]
    client = client_for(bureau_user)

    response = upload(client, roster(rows, headers, titles=[TITLE], rename={"身份证号码": "身份证号"}))

    job = job_of(response)
    assert job.status == ImportJob.Status.VALIDATED
    assert job.errors == []
    assert (job.summary["new"], job.summary["update"], job.summary["skip"], job.summary["error"]) == (3, 0, 0, 0)
    assert job.rows_total == 3
    assert columns_of(response) == {
        "header_row": 2,
        "ignored": ["序号"],
        "unknown": [],
        "aliased": [["身份证号码", "身份证号"]],
        "mapped": [],
        "targets": ["版本"],
    }
    html = response.content.decode()
    assert "以下列未使用，已忽略：序号" in html
    assert "表头在第 2 行，其上 1 行（标题等）已跳过。" in html
    assert "按常用列名识别：身份证号码 → 身份证号" in html
    # The sample of the changes names Excel's rows: the first data row under a header on row 2 is row 3.
    assert [change["row"] for change in job.summary["sample"]] == [3, 4, 5]
    # 序号 alone is no header a clerk should map.
    assert "指定无法识别的列" not in html

    done = job_of(client.get(confirm(client, response)["Location"]))

    assert done.status == ImportJob.Status.DONE
    assert done.result == {"new": 3, "update": 0, "skip": 0, "error": 0}
    assert sorted(Person.objects.values_list("id_number", flat=True)) == sorted(row["身份证号"] for row in rows)
    assert set(Person.objects.values_list("phone", flat=True)) == {"13900000001", "13900000002", "13900000003"}


def test_the_header_is_found_below_merged_title_cells_and_errors_name_excels_rows(client_for, bureau_user, township_a):
    headers = headers_with({"联系电话": "手机号", "乡镇（街道）": "所在乡镇"})
    rows = [
        person_row(1, township_a, {"联系电话": "12345"}),
        person_row(2, township_a),
        person_row(3, township_a, {"乡镇（街道）": "丙镇"}),
    ]
    content = roster(
        rows,
        headers,
        titles=[TITLE, "填报单位：甲镇退役军人服务站"],
        blank_rows=1,
        rename={"手机号": "联系电话", "所在乡镇": "乡镇（街道）"},
    )

    response = upload(client_for(bureau_user), content)

    # Header on row 4: the first data row is row 5, the third row 7.
    assert job_of(response).errors == [
        "第 5 行：联系电话，电话号码格式不正确：手机号为 11 位（1 开头），固定电话如 025-12345678。",
        "第 7 行：乡镇（街道）“丙镇”不存在。",
    ]
    assert columns_of(response)["header_row"] == 4
    assert columns_of(response)["aliased"] == [["手机号", "联系电话"], ["所在乡镇", "乡镇（街道）"]]
    assert Person.objects.count() == 0


def test_aliases_brackets_and_spaces_are_read_by_the_resource(bureau_user, township_a):
    headers = headers_with({"联系电话": "联系方式", "乡镇（街道）": " 乡镇(街道) ", "姓名": "姓　名"})
    rename = {"联系方式": "联系电话", " 乡镇(街道) ": "乡镇（街道）", "姓　名": "姓名"}
    rows = [person_row(1, township_a), person_row(2, township_a)]

    result = PersonResource(user=bureau_user).import_data(
        PortalXLSX().create_dataset(roster(rows, headers, rename=rename))
    )

    assert result.row_messages == []
    people = Person.objects.order_by("name")
    assert [(person.name, person.phone, person.township_id) for person in people] == [
        ("导入人员1", "13900000001", township_a.pk),
        ("导入人员2", "13900000002", township_a.pk),
    ]


def test_header_matching_rules():
    names = ColumnNames(["姓名", "身份证号", "联系电话", "乡镇（街道）"], CORE_ALIASES)
    title = [TITLE, None, None, None]
    header = ["序号", "姓 名", "公民身份号码", "手机号码", "所在乡镇（街道）", "电话", "单位"]

    match = find_header([title, [], header, ["1", "张三"]], names)

    assert match.excel_row == 3
    assert match.columns == [None, "姓名", "身份证号", "联系电话", "乡镇（街道）", None, None]
    # 电话 would name 联系电话 too, already taken by 手机号码: ignored, not a second phone column.
    assert (match.ignored, match.unknown) == (["序号", "电话", "单位"], ["电话", "单位"])
    assert normalize(" 乡镇(街道)\n") == normalize("乡镇（街道）")
    assert find_header([title, ["不相干", "的表"]], names) is None


def test_a_file_without_any_header_row_is_refused_without_claiming_row_one(client_for, bureau_user):
    workbook = openpyxl.Workbook()
    workbook.active.append([TITLE])
    workbook.active.append(["编号", "单位", "人数"])
    stream = BytesIO()
    workbook.save(stream)

    response = upload(client_for(bureau_user), stream.getvalue())

    assert job_of(response).errors == [
        "未找到表头：表格前 10 行中没有一行含有本导入的列名（如 身份证号、姓名、性别）。"
        "请使用“下载导入模板”得到的表格填写，或确认第一个工作表就是要导入的名单。"
    ]
    assert "第 1 行" not in job_of(response).errors[0]


# --- mapping an unknown header --------------------------------------------------------------


def test_a_mapping_is_stored_audited_and_applied_to_the_next_file(client_for, bureau_user, township_a):
    headers = headers_with({"住址": "户籍地址"})
    client = client_for(bureau_user)
    first = upload(client, roster([person_row(1, township_a)], headers, rename={"户籍地址": "住址"}))
    job = job_of(first)
    assert job.status == ImportJob.Status.VALIDATED
    assert (columns_of(first)["ignored"], columns_of(first)["targets"]) == (["户籍地址"], ["住址", "版本"])
    html = first.content.decode()
    assert '<select name="map-0" id="id_map-0">' in html and '<option value="住址">住址</option>' in html

    response = post_mapping(client, job, {"map-0": "住址"})

    assert response.status_code == 302
    mapping = ImportColumnMapping.objects.get()
    assert (mapping.model, mapping.source_header, mapping.target_column, mapping.created_by) == (
        "bureau.person",
        "户籍地址",
        "住址",
        bureau_user,
    )
    event = AuditEvent.objects.get(content_type=ContentType.objects.get_for_model(ImportColumnMapping))
    assert (event.kind, event.user, event.object_repr) == (AuditEvent.Kind.CREATE, bureau_user, "户籍地址 → 住址")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED
    assert job.summary["columns"]["mapped"] == [["户籍地址", "住址"]]
    assert job.summary["columns"]["ignored"] == []
    rechecked = client.get(response["Location"])
    assert "按已保存的对应关系：户籍地址 → 住址" in rechecked.content.decode()
    confirm(client, rechecked)
    assert Person.objects.get().address == "幸福路1号"

    # The next file with that header: mapped without asking.
    second = upload(client, roster([person_row(2, township_a)], headers, rename={"户籍地址": "住址"}))

    assert columns_of(second)["mapped"] == [["户籍地址", "住址"]]
    assert "按已保存的对应关系：户籍地址 → 住址" in second.content.decode()
    assert "指定无法识别的列" not in second.content.decode()


def test_a_missing_required_column_is_mapped_from_an_unknown_header_and_the_file_checked_again(
    client_for, bureau_user, township_a
):
    headers = headers_with({"身份证号": "身分证号"})
    client = client_for(bureau_user)
    response = upload(client, roster([person_row(1, township_a)], headers, rename={"身分证号": "身份证号"}))
    job = job_of(response)
    assert job.status == ImportJob.Status.INVALID
    assert job.errors[0].startswith("缺少必需的列：身份证号（第 1 行的表头中没有）；无法识别的列：身分证号。")
    assert job.file  # kept for the mapping
    assert "指定无法识别的列" in response.content.decode()

    response = post_mapping(client, job, {"map-0": "身份证号"})

    job.refresh_from_db()
    assert (job.status, job.errors, job.summary["new"]) == (ImportJob.Status.VALIDATED, [], 1)
    confirm(client, client.get(response["Location"]))
    assert Person.objects.get().id_number == person_row(1, township_a)["身份证号"]


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"map-0": "姓名"}, "“姓名”不是可以指定的列。请在列表中选择。"),
        ({"map-0": "不存在的列"}, "“不存在的列”不是可以指定的列。请在列表中选择。"),
        ({"map-0": "住址", "map-1": "住址"}, "两列不能对应到同一列，请重新选择。"),
        ({}, "请至少为一列选择对应的导入列；不需要的列选择“不导入”即可，无须重新校验。"),
    ],
)
def test_a_bad_mapping_is_refused_in_chinese(client_for, bureau_user, township_a, choices, message):
    headers = headers_with({"住址": "户籍地址", "备注": "说明"})
    client = client_for(bureau_user)
    job = job_of(upload(client, roster([person_row(1, township_a)], headers, rename={"户籍地址": "住址"})))

    response = post_mapping(client, job, choices)

    assert (response.status_code, response.content.decode()) == (400, message)
    assert ImportColumnMapping.objects.count() == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED


def test_only_the_jobs_user_with_the_import_permission_may_map(client_for, bureau_user, leader, township_a):
    headers = headers_with({"住址": "户籍地址"})
    job = job_of(upload(client_for(bureau_user), roster([person_row(1, township_a)], headers)))
    other_clerk = UserFactory(**{**PERSONAS["bureau_user"], "username": "clerk2"})

    # Another clerk who may import persons: not their job, so no such job (404).
    assert post_mapping(client_for(other_clerk), job, {"map-0": "住址"}).status_code == 404
    assert post_mapping(client_for(leader), job, {"map-0": "住址"}).status_code == 403
    assert client_for(bureau_user).get(f"/admin/bureau/person/import/{job.pk}/columns/").status_code == 405
    assert ImportColumnMapping.objects.count() == 0


# --- the template's sample row --------------------------------------------------------------


def test_the_template_has_its_sample_row_under_the_imports_own_header(client_for, bureau_user, township_a):
    response = client_for(bureau_user).get(TEMPLATE_URL)

    book = openpyxl.load_workbook(BytesIO(response.content))
    data, notes = book.worksheets
    header = [cell.value for cell in data[1]]
    assert header == IMPORT_HEADERS
    assert data.max_row == 1  # nothing on the sheet the import reads but the header
    rows = list(notes.iter_rows(values_only=True))
    at = rows.index(tuple(IMPORT_HEADERS))
    assert rows[at - 1][0] == "填写示例（仅供参考，不会导入；请在第一个工作表中填写）"
    sample = dict(zip(IMPORT_HEADERS, rows[at + 1], strict=True))
    assert sample == {
        "姓名": "张三",
        "身份证号": "110105199503070013",
        "性别": "男",
        "联系电话": "13800000000",
        "乡镇（街道）": "甲镇",
        "住址": "幸福路1号",
        "人员状态": "退役军人",
        "军种": "陆军",
        "入伍日期": "2013-09-01",
        "退役日期": "2018-09-01",
        "安置方式": Person.DischargeRoute.choices[0][1],
        "备注": None,
        "版本": None,
    }


def test_the_sample_row_imports_and_a_resource_may_override_it(bureau_user, township_a):
    class SampleResource(PersonResource):
        sample_row = {**PersonResource.sample_row, "姓名": "王五", "退役日期": "2019-12-01"}

    book = openpyxl.load_workbook(BytesIO(SampleResource(user=bureau_user).import_template()))
    rows = list(book["填写说明"].iter_rows(values_only=True))
    at = rows.index(tuple(IMPORT_HEADERS))
    sample = dict(zip(IMPORT_HEADERS, rows[at + 1], strict=True))
    assert (sample["姓名"], sample["退役日期"], sample["入伍日期"]) == ("王五", "2019-12-01", "2013-09-01")

    # The sample is a valid row of the import (version aside: a new record has none).
    sheet = openpyxl.Workbook()
    sheet.active.append(IMPORT_HEADERS[:-1])
    sheet.active.append([sample[column] for column in IMPORT_HEADERS[:-1]])
    stream = BytesIO()
    sheet.save(stream)
    result = PersonResource(user=bureau_user).import_data(PortalXLSX().create_dataset(stream.getvalue()))
    assert result.row_messages == []
    person = Person.objects.get()
    assert (person.name, person.birth_date, person.discharged_on) == (
        "王五",
        datetime.date(1995, 3, 7),
        datetime.date(2019, 12, 1),
    )
