"""`manage.py annual_report`: the same files as the portal, written synchronously; errors in Chinese."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from reports.models import Narrative
from tests.reports.sample_section import SAMPLE, build_records


@pytest.fixture
def records(township_a, township_b, settings):
    settings.REPORT_SECTIONS = [SAMPLE]
    return build_records(township_a, township_b)


def run(*args) -> str:
    out = io.StringIO()
    call_command("annual_report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_writes_a_word_report(records, tmp_path):
    path = tmp_path / "report.docx"
    output = run("--year", "2021", "--format", "docx", "--output", str(path))

    paragraphs = [p.text for p in Document(path).paragraphs]
    assert "二是各类资金发放到位。全年共为3名对象发放资金1.33万元。" in paragraphs
    assert "已生成" in output
    assert "数据缺项 1 项" in output


def test_writes_a_township_excel_report_named_by_its_extension(records, tmp_path):
    path = tmp_path / "甲镇.xlsx"
    run("--year", "2021", "--township", "A01", "--output", str(path))

    summary = list(load_workbook(path)["汇总"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert summary == [("样例工作扎实推进", "摸清退役军人底数", "登记在册退役军人", 3, "人", "甲镇", 1, 2)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--township", "Z99"], "没有代码为“Z99”的乡镇（街道）。现有代码：A01、B01。"),
        (["--year", "1999"], "年度 1999 超出范围"),
        (["--format", "pdf"], "不支持的格式“pdf”，请用 docx 或 xlsx。"),
        (["--output", "/nonexistent-directory/report.docx"], "输出目录“/nonexistent-directory”不存在。"),
    ],
)
def test_bad_arguments_are_refused_in_chinese(records, tmp_path, args, message):
    defaults = {"--year": "2021", "--format": "docx", "--output": str(tmp_path / "report.docx")}
    defaults.update(dict(zip(args[::2], args[1::2], strict=True)))

    with pytest.raises(CommandError, match=re.escape(message)):
        run(*[part for pair in defaults.items() for part in pair])
    assert not (tmp_path / "report.docx").exists()


def test_a_narrative_warning_is_reported(records, tmp_path):

    Narrative.objects.create(year=2021, key="sample.payments", text="发放{{ amount_total }}")
    errors = io.StringIO()
    call_command(
        "annual_report", "--year", "2021", "--output", str(tmp_path / "r.docx"), stdout=io.StringIO(), stderr=errors
    )
    assert "自定义文字引用了不存在的指标“amount_total”" in errors.getvalue()
