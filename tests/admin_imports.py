"""
The admin import as a clerk does it, for the area tests of imports: a file, its upload (the job's
preview, tasks run eagerly on commit), its confirm, and a parametrized case of one record type.
"""

from dataclasses import dataclass
from io import BytesIO

import openpyxl
from django.test import TestCase
from django.urls import reverse


def xlsx_file(headers, rows):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def upload(client, url, content):
    """Upload, then the import job's page (its tasks run eagerly, on commit of the request)."""
    file = BytesIO(content)
    file.name = "import.xlsx"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url + "import/", {"format": "0", "resource": "0", "import_file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"])


def confirm(client, url, preview):
    form = preview.context["confirm_form"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url + "process_import/", {name: form.initial.get(name, "") for name in form.fields})


def imported(client, url, headers, rows):
    """Upload and confirm; the preview's messages must be none."""
    preview = upload(client, url, xlsx_file(headers, rows))
    assert preview.context["job"].errors == []
    assert confirm(client, url, preview).status_code == 302


# --- one record type's case ----------------------------------------------------------------------


@dataclass
class Case:
    model: type
    resource: type
    headers: list
    rows: object  # data -> the file's rows
    summary: object  # record -> a tuple of what the test checks
    expected: object  # data -> the summaries of the rows created, sorted
    change: dict  # the second file's change of its first row
    changed: object  # data -> the summaries after the second file
    id_columns: tuple = ()  # the columns of an ID number (sensitive: masked in exports)

    @property
    def url(self):
        meta = self.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
