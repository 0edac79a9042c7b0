"""The Word report: GB/T 9704 layout, fonts on every run, exact text, tables without merges, LibreOffice."""

import dataclasses
import datetime
import io
import os
import re
import shutil
import subprocess
import zipfile

import pytest
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length, Pt

from bureau.models import SiteProfile
from reports.compose import compose_report
from reports.docx import render_docx
from reports.registry import collect_sections
from tests.reports.sample_section import SAMPLE, build_records


@pytest.fixture
def records(township_a, township_b):
    SiteProfile.objects.create(district_name="示范区", report_signatory="示范区退役军人事务局")
    return build_records(township_a, township_b)


@pytest.fixture
def sample_only(settings):
    settings.REPORT_SECTIONS = [SAMPLE]


def render(*, previous_year: int | None = None, signed_on: datetime.date | None = None, **kwargs) -> bytes:
    """
    The composed report, without its charts (tests/reports/test_charts.py draws them); the previous year
    and the signing date as the year's settings would give them.
    """
    document = compose_report(with_charts=False, **kwargs)
    return render_docx(dataclasses.replace(document, previous_year=previous_year, signed_on=signed_on))


@pytest.mark.slow(reason="draws the composed report's three charts with matplotlib (about 2 s of CPU)")
def test_the_composed_reports_charts_are_its_second_attachment(records, sample_only):
    data = render_docx(compose_report(year=2021))
    word = read(data)
    paragraphs = texts(word)

    assert "附件：1．主要数据表" in paragraphs
    assert paragraphs[paragraphs.index("附件：1．主要数据表") + 1] == "2．主要图表"
    assert "附件2" in paragraphs and "主要图表" in paragraphs
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        images = [name for name in archive.namelist() if name.startswith("word/media/") and name.endswith(".png")]
    # The district report: payments by month, by programme, and the townships compared.
    assert len(images) == 3


def read(data: bytes):
    return Document(io.BytesIO(data))


def texts(word) -> list[str]:
    return [p.text for p in word.paragraphs]


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def alignment(paragraph):
    return paragraph.alignment or paragraph.style.paragraph_format.alignment


def east_asian_font(run) -> str | None:
    rfonts = run._element.rPr.find(qn("w:rFonts"))
    return rfonts.get(qn("w:eastAsia"))


def xml_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml")}


def test_the_body_reads_exactly_as_composed(records, sample_only):
    word = read(render(year=2021))
    paragraphs = texts(word)

    assert paragraphs[0] == "示范区退役军人事务局2021年“六稳六保”工作情况汇报"
    assert paragraphs[1].startswith("2021年以来，示范区退役军人事务局在区委、区政府的正确领导下")
    assert paragraphs[2:9] == [
        "一、工作开展落实情况",
        "（一）样例工作扎实推进。",
        "为检验报告生成，以下数字均由登记记录统计得出。",
        "一是摸清退役军人底数。全区共有5名退役军人登记在册，其中2021年退役3名。",
        "二是各类资金发放到位。全年共为3名对象发放资金1.33万元。",
        "三是选树宣传退役军人典型。选树宣传张二、张三、李二等2021年退役的退役军人典型。",
        "下一步，我局将继续发挥退役军人部门职责作用，结合“十四五”规划工作，着力推进“六稳六保”工作。",
    ]
    # The attachment note, then the signature, then the attachment on a page of its own (its table, its note).
    assert paragraphs[9:] == [
        "附件：主要数据表",
        "示范区退役军人事务局",
        "2021年12月31日",
        "附件",
        "主要数据表",
        "注：2020年的数据未录入本系统，2020年及增减栏以“—”表示。",
    ]
    assert alignment(word.paragraphs[10]) == alignment(word.paragraphs[11]) == WD_ALIGN_PARAGRAPH.RIGHT
    assert (
        word.paragraphs[12].paragraph_format.page_break_before
        or word.paragraphs[12].style.paragraph_format.page_break_before
    )
    assert "四是" not in "".join(paragraphs)


def test_signed_with_the_years_date_never_the_day_it_is_generated(records, sample_only):
    # No date set for the year: its last day, not today (2026 when this test was written).
    assert "2021年12月31日" in texts(read(render(year=2021)))
    assert "2020年12月31日" in texts(read(render(year=2020)))

    paragraphs = texts(read(render(year=2021, signed_on=datetime.date(2021, 12, 28))))
    today = timezone.localdate()
    assert paragraphs[paragraphs.index("示范区退役军人事务局") + 1] == "2021年12月28日"
    assert f"{today.year}年{today.month}月{today.day}日" not in paragraphs


def test_township_report_counts_only_that_township(records, sample_only, township_a, township_b):
    paragraphs = texts(read(render(year=2021, township=township_a)))
    assert paragraphs[1] == "（甲镇）"
    assert "一是摸清退役军人底数。甲镇共有3名退役军人登记在册，其中2021年退役2名。" in paragraphs
    assert "二是各类资金发放到位。全年共为2名对象发放资金1.25万元。" in paragraphs

    # Below 10,000 yuan the sum is shown in 元.
    assert "二是各类资金发放到位。全年共为1名对象发放资金800元。" in texts(read(render(year=2021, township=township_b)))


def test_the_item_without_data_is_left_out_and_the_gaps_are_not_printed(records, sample_only):
    document = compose_report(year=2021)
    word = read(render_docx(document))

    # The gap is the staff's business (the workbook's 数据缺项 sheet), not a page of the leader's document.
    assert [(g.item, g.figure) for g in document.gaps] == [("发放创业补贴", "创业补贴发放人次")]
    assert not any("创业补贴" in text for text in texts(word))
    assert not any("缺项" in text for text in texts(word))
    assert len(word.tables) == 1


def test_placeholder_sections_state_nothing_and_print_no_gap_list(db):
    document = compose_report(year=2021)
    word = read(render_docx(document))
    titles = {item.title for section in collect_sections(year=2021) for item in section.items}

    assert not any(re.match(r"^[一二三四五六七八九十]+是", text) for text in texts(word))
    assert not any(text.startswith("（一）") for text in texts(word))
    assert len(titles) == 23
    assert {gap.item for gap in document.gaps} == titles
    assert "本年度各部分均无可统计的记录。" in texts(word)
    assert not any(title in "".join(texts(word)) for title in titles)
    assert not any("缺项" in text for text in texts(word))
    assert len(word.tables) == 1


def test_key_figures_table_names_the_years_it_compares(records, sample_only):
    word = read(render(year=2021, previous_year=2020))
    rows = table_rows(word.tables[0])

    assert rows[0] == ["指标", "单位", "2021年", "2020年", "增减"]
    assert ["登记在册退役军人", "人", "5", "2", "+3"] in rows
    assert ["2021年退役", "人", "3", "1", "+2"] in rows
    assert ["资金发放对象", "人", "3", "1", "+2"] in rows
    # Money in one unit per row: 13,300 and 6,000 yuan both in 万元.
    assert ["资金发放总额", "万元", "1.33", "0.6", "+0.73"] in rows
    assert "注：增减为2021年较2020年的变化。" in texts(word)


def test_an_unrecorded_previous_year_shows_dashes(records, sample_only):
    # The sample records hold 2020 figures, but the portal was not kept in 2020: nothing to compare with.
    word = read(render(year=2021, previous_year=None))
    rows = table_rows(word.tables[0])

    assert rows[0] == ["指标", "单位", "2021年", "2020年", "增减"]
    assert ["登记在册退役军人", "人", "5", "—", "—"] in rows
    assert ["资金发放总额", "万元", "1.33", "—", "—"] in rows
    assert all(row[3:] == ["—", "—"] for row in rows[1:])
    assert "注：2020年的数据未录入本系统，2020年及增减栏以“—”表示。" in texts(word)


def test_attachment_note_names_the_attachment_as_its_page_does(records, sample_only):
    word = read(render(year=2021))
    paragraphs = texts(word)
    note = word.paragraphs[paragraphs.index("附件：主要数据表")]

    # GB/T 9704: a blank line after the body, two characters in, before the signature.
    assert note.paragraph_format.left_indent == Pt(32)
    assert note.paragraph_format.space_before == Pt(28.95)
    assert paragraphs.index("附件：主要数据表") < paragraphs.index("示范区退役军人事务局")
    heading = word.paragraphs[paragraphs.index("附件")]
    assert {east_asian_font(r) for r in heading.runs} == {"黑体"}
    assert heading.style.paragraph_format.page_break_before
    assert paragraphs[paragraphs.index("附件") + 1] == "主要数据表"
    assert not any(text.startswith(("附表", "附件1", "附件2")) for text in paragraphs)


def test_headings_keep_with_the_next_paragraph(records, sample_only):
    data = render(year=2021)
    styles = xml_parts(data)["word/styles.xml"]
    word = read(data)

    for name in ("公文标题", "公文一级标题", "公文二级标题", "附件标题"):
        style = re.search(rf'<w:style [^>]*w:styleId="[^"]*">\s*<w:name w:val="{name}"/>.*?</w:style>', styles, re.S)
        assert "<w:keepNext/>" in style.group(0), name
    by_text = {p.text: p for p in word.paragraphs}
    for text in (
        "示范区退役军人事务局2021年“六稳六保”工作情况汇报",
        "一、工作开展落实情况",
        "（一）样例工作扎实推进。",
    ):
        assert by_text[text].style.paragraph_format.keep_with_next, text
    # An item's paragraph (bold lead-in, then its sentence) is body text that may break across pages.
    assert not by_text[
        "三是选树宣传退役军人典型。选树宣传张二、张三、李二等2021年退役的退役军人典型。"
    ].style.paragraph_format.keep_with_next


def test_page_is_a4_with_the_gb9704_text_block(records, sample_only):
    section = read(render(year=2021)).sections[0]

    assert round(section.page_width.mm) == 210
    assert round(section.page_height.mm) == 297
    assert (round(section.top_margin.mm), round(section.bottom_margin.mm)) == (37, 35)
    assert (round(section.left_margin.mm), round(section.right_margin.mm)) == (28, 26)
    assert round(Length(section.page_width - section.left_margin - section.right_margin).mm) == 156
    assert round(Length(section.page_height - section.top_margin - section.bottom_margin).mm) == 225


def test_every_run_names_its_chinese_font(records, sample_only):
    word = read(render(year=2021))
    title, opening = word.paragraphs[0], word.paragraphs[1]

    assert [east_asian_font(r) for r in title.runs] == ["方正小标宋简体"]
    assert title.runs[0].font.size == Pt(22)
    assert alignment(title) == WD_ALIGN_PARAGRAPH.CENTER
    assert {east_asian_font(r) for r in word.paragraphs[2].runs} == {"黑体"}
    assert {east_asian_font(r) for r in word.paragraphs[3].runs} == {"楷体_GB2312"}
    body = [p for p in word.paragraphs if p.style.name == "公文正文"]
    assert len(body) == 6
    for paragraph in body:
        assert paragraph.runs
        for run in paragraph.runs:
            assert east_asian_font(run) == "仿宋_GB2312"
            assert run.font.size == Pt(16)
    assert opening.style.paragraph_format.first_line_indent == Pt(32)
    assert opening.style.paragraph_format.line_spacing == Pt(28.95)
    # The lead-in of an item is bold, its sentence is not.
    assert [r.bold for r in body[2].runs] == [True, None]
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                assert all(east_asian_font(r) for p in cell.paragraphs for r in p.runs)


def test_no_theme_font_can_pull_in_a_japanese_font(records, sample_only):
    parts = xml_parts(render(year=2021))

    assert "eastAsiaTheme" not in parts["word/styles.xml"]
    assert "asciiTheme" not in parts["word/styles.xml"]
    assert 'w:eastAsia="zh-CN"' in parts["word/styles.xml"]
    assert 'w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"' in parts["word/settings.xml"]
    normal_fonts = re.search(r"<w:rPrDefault>.*?<w:rFonts([^>]*)/>", parts["word/styles.xml"], re.S).group(1)
    assert 'w:eastAsia="仿宋_GB2312"' in normal_fonts


def test_no_placeholder_template_tag_or_merged_cell_anywhere(records, sample_only, township_a):
    for data in (render(year=2021), render(year=2021, township=township_a), render(year=2020)):
        for name, xml in xml_parts(data).items():
            for forbidden in ("XXX", "{{", "{%", "None", "w:gridSpan", "w:vMerge", "w:hMerge"):
                assert forbidden not in xml, (name, forbidden)


def test_page_numbers_odd_on_the_right_even_on_the_left_one_character_in(records, sample_only):
    data = render(year=2021)
    parts = xml_parts(data)
    section = read(data).sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]

    assert "<w:evenAndOddHeaders/>" in parts["word/settings.xml"]
    assert odd.text == even.text == "— 1 —"
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    # One 4号 (14 pt) character in from the outer edge.
    assert odd.paragraph_format.right_indent == Pt(14)
    assert even.paragraph_format.left_indent == Pt(14)
    assert odd.paragraph_format.left_indent is None and even.paragraph_format.right_indent is None
    for footer in (odd, even):
        assert {east_asian_font(r) for r in footer.runs} == {"宋体"}
        assert {r.font.size for r in footer.runs} == {Pt(14)}
    sectpr = parts["word/document.xml"]
    odd_id = re.search(r'<w:footerReference w:type="default" r:id="(\w+)"', sectpr).group(1)
    even_id = re.search(r'<w:footerReference w:type="even" r:id="(\w+)"', sectpr).group(1)
    assert odd_id != even_id
    footers = [xml for name, xml in parts.items() if name.startswith("word/footer")]
    assert len(footers) == 2
    for xml in footers:
        assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml)


@pytest.mark.slow  # LibreOffice starts in a process of its own and converts to PDF (5.6 s under load)
def test_libreoffice_opens_the_document(records, sample_only, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if not office:
        reason = "LibreOffice 未安装 / LibreOffice is not installed: cannot check that the .docx converts to PDF."
        if os.environ.get("REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    source = tmp_path / "report.docx"
    source.write_bytes(render(year=2021))
    # A private profile directory: a second LibreOffice (or a user's) must not lock this one out.
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    subprocess.run(
        [office, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "report.pdf"
    assert pdf.exists()
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 1000
