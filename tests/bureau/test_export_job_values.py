"""
The export job reads values, not records (bureau.importexport.jobs.exports): every cell as the
resource's own `export_field` gives it from the record (masked per role, formula-escaped, choices
by label, related records by name), and a fixed number of queries whatever the number of rows.
"""

import datetime
from contextlib import nullcontext
from io import BytesIO

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bureau.base import masking
from bureau.importexport import jobs
from bureau.importexport.jobs import exports
from bureau.importexport.records import EnterpriseResource, PersonResource
from bureau.models import Enterprise, ExportJob, ExportLog, Person
from tests.bureau.test_import_export import EXPORT_HEADERS
from tests.factories import PersonFactory, make_id_number

HEADERS = tuple(EXPORT_HEADERS)  # the person export's header row, as the import/export tests know it
FIRST_ID = make_id_number(birth_date=datetime.date(1975, 3, 8), sequence=11)
SECOND_ID = make_id_number(birth_date=datetime.date(1990, 12, 1), sequence=22, male=False)


@pytest.fixture
def two_people(township_a):
    PersonFactory(
        name="张三",
        id_number=FIRST_ID,
        gender=Person.Gender.MALE,
        phone="13812345678",
        township=township_a,
        address='=HYPERLINK("http://example.com")',
        branch=Person.Branch.ARMY,
        enlisted_on=datetime.date(1993, 9, 1),
        discharged_on=datetime.date(2008, 12, 1),
        notes="铃\x07声\n第二行",
    )
    PersonFactory(name="李四", id_number=SECOND_ID, phone="", township=township_a, address="幸福路1号")


def run_job(user, *, unmasked=False):
    job = ExportJob.objects.create(
        user=user, model="bureau.person", kind="人员名册", unmasked=unmasked, purpose="核对" if unmasked else ""
    )
    job = jobs.export_job_run(job_id=job.pk)
    assert job.status == ExportJob.Status.DONE, job.error
    with job.file.open("rb") as stored:
        sheet = openpyxl.load_workbook(BytesIO(stored.read()), read_only=True).worksheets[0]
        return list(sheet.iter_rows(values_only=True))


def test_the_export_job_file_is_cell_for_cell_what_it_was(two_people, leader, bureau_user):
    masked = run_job(leader)
    whole = run_job(bureau_user, unmasked=True)

    first = ["张三", FIRST_ID, "男", "1975-03-08", "13812345678", "甲镇", '\'=HYPERLINK("http://example.com")']
    first += ["退役军人", "陆军", "1993-09-01", "2008-12-01", None, "铃声\n第二行", 1]
    second = ["李四", SECOND_ID, "女", "1990-12-01", None, "甲镇", "幸福路1号", "退役军人"]
    second += [None, None, None, None, None, 1]
    assert whole == [HEADERS, tuple(first), tuple(second)]
    first[1], first[4], second[1] = masking.mask_id_number(FIRST_ID), "138****5678", masking.mask_id_number(SECOND_ID)
    assert masked == [HEADERS, tuple(first), tuple(second)]
    assert "3201******" in masked[1][1]
    # The log says which file held whole values, as the values were shown.
    assert list(ExportLog.objects.order_by("pk").values_list("row_count", "unmasked")) == [(2, False), (2, True)]


def record_rows(resource, queryset) -> list[list]:
    """The cells as the job wrote them before it read values: the resource's `export_resource` of each record."""
    return [[exports.cell_value(v) for v in resource.export_resource(record)] for record in queryset.order_by("pk")]


@pytest.mark.parametrize("whole", [False, True])
def test_the_values_the_job_reads_make_the_cells_the_records_made(two_people, township_a, bureau_user, whole):
    founder = Person.objects.get(name="张三")
    Enterprise.objects.create(name="=老兵工坊", credit_code="91350100M000100Y43", township=township_a, founder=founder)
    Enterprise.objects.create(name="无创办人企业", credit_code="91350100M000200Y43", township=None, founder=None)
    for resource_class, model in ((PersonResource, Person), (EnterpriseResource, Enterprise)):
        resource = resource_class(user=bureau_user)
        assert exports.values_columns(resource, None) is not None  # read as values, not records
        with masking.disclosure() as by_values, masking.unmasked() if whole else nullcontext():
            values = list(exports._rows(resource, model.objects.order_by("pk"), None))
        with masking.disclosure() as by_records, masking.unmasked() if whole else nullcontext():
            records = record_rows(resource, model.objects.all())

        assert values == records
        assert (by_values.whole, by_values.masked) == (by_records.whole, by_records.masked)
        assert by_values.whole > 0 if whole else by_values.masked > 0


def test_a_column_that_needs_the_record_is_read_from_records(bureau_user):
    class Named(PersonResource):
        def dehydrate_notes(self, person):
            return f"档案{person.pk}"

    assert exports.values_columns(Named(user=bureau_user), None) is None
    assert exports.values_columns(PersonResource(user=bureau_user), ["name", "township"])[0] == [
        "pk",
        "name",
        "township_id",
        "township__name",
    ]


def export_queries(user, township, count: int, monkeypatch) -> list[str]:
    Person.objects.all().delete()
    PersonFactory.create_batch(count, township=township)
    job = ExportJob.objects.create(user=user, model="bureau.person", kind="人员名册")
    with CaptureQueriesContext(connection) as captured:
        job = jobs.export_job_run(job_id=job.pk)
    assert (job.status, job.rows_done) == (ExportJob.Status.DONE, count)
    return [query["sql"] for query in captured.captured_queries]


def test_the_export_job_queries_are_as_many_at_any_size(leader, township_a, monkeypatch):
    # Progress is noted every 2 rows here: in the progress cache, not by an UPDATE of the job each time.
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)

    export_queries(leader, township_a, 3, monkeypatch)  # what a process reads once (content types) is read
    small = export_queries(leader, township_a, 3, monkeypatch)
    large = export_queries(leader, township_a, 24, monkeypatch)

    # 18: the user's permissions are read in one query (bureau.rules.accounts.PermissionBackend).
    assert len(small) == len(large) == 18
    assert sum("bureau_person" in sql for sql in large) == 2  # the count, then the rows (one query, read in chunks)
