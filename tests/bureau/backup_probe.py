"""
What a restore must reproduce, computed the same way in the test process and, on the restored
database, in a `manage.py shell` subprocess (tests/bureau/test_backup.py): the 2021 report's text
as its Word file reads, the ledger's totals per programme, and every file's checksum.
"""

import hashlib
import io
import json
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Sum
from docx import Document

from bureau.models import Payment
from reports.compose import compose_report
from reports.docx import render_docx

REPORT_YEAR = 2021


def report_text(year: int = REPORT_YEAR) -> str:
    """The district report's Word file as text: every paragraph, then every table cell."""
    word = Document(io.BytesIO(render_docx(compose_report(year=year))))
    lines = [paragraph.text for paragraph in word.paragraphs]
    lines += ["\t".join(cell.text for cell in row.cells) for table in word.tables for row in table.rows]
    return "\n".join(lines)


def ledger_totals() -> dict[str, list]:
    """Programme code → [number of payments, their sum in yuan]."""
    rows = Payment.objects.values("programme__code").annotate(count=Count("id"), total=Sum("amount"))
    return {row["programme__code"]: [row["count"], str(row["total"])] for row in rows.order_by("programme__code")}


def file_checksums() -> dict[str, str]:
    checksums = {}
    for folder, root in (("media", settings.MEDIA_ROOT), ("private", settings.PRIVATE_ROOT)):
        for path in sorted(Path(root).rglob("*")):
            if path.is_file():
                checksums[f"{folder}/{path.relative_to(root).as_posix()}"] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return checksums


def snapshot() -> dict:
    return {"report": report_text(), "ledger": ledger_totals(), "files": file_checksums()}


def print_snapshot() -> None:
    """For `manage.py shell -c`: one line of JSON after a marker, whatever else the process prints."""
    print("SNAPSHOT " + json.dumps(snapshot(), ensure_ascii=False))
