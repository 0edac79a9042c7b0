"""
The shared shape of the import tests of the record types an office keeps in spreadsheets
(tests/employment/test_imports_more.py, tests/pensions/test_imports_more.py): one `ImportCase` per
type, run through the real admin pages (template download, upload as a job, confirm), each against
rows built once per module.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO

import openpyxl
from django.test import TestCase
from django.urls import reverse

from bureau.models import ImportJob


@dataclass
class ImportCase:
    """
    One record type: `rows(data)` are the valid rows of a file (column → value), `stored(model)` reads
    what the database holds as comparable tuples and `expected(data)` says what it must be after the
    import; `change` = (row index, column, value) is what a second file changes, `changed(data)` what
    is stored then. `masked` maps each sensitive column to the message a masked value gets.
    """

    id: str
    admin: str
    resource: type
    rows: Callable
    stored: Callable
    expected: Callable
    change: tuple
    changed: Callable
    masked: dict = field(default_factory=dict)
    payments: Callable | None = None
    payments_changed: Callable | None = None

    @property
    def model(self):
        return self.resource._meta.model

    def url(self, name: str, *args) -> str:
        return reverse(f"admin:{self.admin}_{name}", args=args)

    def headers(self) -> list[str]:
        return [column.column_name for column in self.resource().import_columns()]


def xlsx(headers, rows) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def header_row(content: bytes) -> list:
    sheet = openpyxl.load_workbook(BytesIO(content)).active
    return [cell.value for cell in sheet[1]]


def import_through_admin(client, case: ImportCase, rows) -> ImportJob:
    """Upload as the admin's import job, and confirm it when it validated (tasks run at the end of each request)."""
    file = BytesIO(xlsx(case.headers(), rows))
    file.name = "import.xlsx"
    before = ImportJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(case.url("import"), {"format": "0", "resource": "0", "import_file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get(pk__gt=before)
    if job.status == ImportJob.Status.VALIDATED:
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(case.url("process_import"), {"job": job.pk})
        job.refresh_from_db()
    return job
