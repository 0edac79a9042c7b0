"""The Word report: GB/T 9704 layout, fonts on every run, exact text, tables without merges, LibreOffice."""

import io
import os
import re
import shutil
import subprocess
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length, Pt

from bureau.models import SiteProfile
from reports.compose import compose_report
from reports.docx import render_docx
from reports.registry import collect_sections
from tests.reports.sample_section import SAMPLE, build_records, pay_startup_subsidy


@pytest.fixture
def records(township_a, township_b):
    SiteProfile.objects.create(district_name="示范区", report_signatory="示范区退役军人事务局")
    return build_records(township_a, township_b)


@pytest.fixture
def sample_only(settings):
    settings.REPORT_SECTIONS = [SAMPLE]


def render(**kwargs) -> bytes:
    return render_docx(compose_report(**kwargs))


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
    assert paragraphs[9] == "示范区退役军人事务局"
    assert alignment(word.paragraphs[9]) == alignment(word.paragraphs[10]) == WD_ALIGN_PARAGRAPH.RIGHT
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", paragraphs[10])
    assert "四是" not in "".join(paragraphs)


def test_township_report_counts_only_that_township(records, sample_only, township_a, township_b):
    paragraphs = texts(read(render(year=2021, township=township_a)))
    assert paragraphs[1] == "（甲镇）"
    assert "一是摸清退役军人底数。甲镇共有3名退役军人登记在册，其中2021年退役2名。" in paragraphs
    assert "二是各类资金发放到位。全年共为2名对象发放资金1.25万元。" in paragraphs

    # Below 10,000 yuan the sum is shown in 元.
    assert "二是各类资金发放到位。全年共为1名对象发放资金800元。" in texts(read(render(year=2021, township=township_b)))


def test_the_item_without_data_is_left_out_and_listed_as_a_gap(records, sample_only):
    word = read(render(year=2021))

    assert not any("创业补贴" in text for text in texts(word))
    assert "附件：数据缺项" in texts(word)
    assert table_rows(word.tables[1]) == [
        ["序号", "业务领域", "条目", "缺少的指标", "乡镇（街道）"],
        ["1", "样例", "发放创业补贴", "创业补贴发放人次", "全区"],
    ]


def test_no_gaps_says_so(records, sample_only):
    pay_startup_subsidy(records["张二"])
    word = read(render(year=2021))

    assert "二是发放创业补贴。发放创业补贴1人次。" in texts(word)
    assert texts(word)[-1] == "无数据缺项。"
    assert len(word.tables) == 1


def test_placeholder_sections_state_nothing_and_list_every_item_as_a_gap(db):
    word = read(render(year=2021))
    gap_items = {row[2] for row in table_rows(word.tables[1])[1:]}
    titles = {item.title for section in collect_sections(year=2021) for item in section.items}

    assert not any(re.match(r"^[一二三四五六七八九十]+是", text) for text in texts(word))
    assert not any(text.startswith("（一）") for text in texts(word))
    assert len(titles) == 23
    assert gap_items == titles
    assert not any(title in "".join(texts(word)) for title in titles)


def test_key_figures_table_has_previous_year_and_change(records, sample_only):
    rows = table_rows(read(render(year=2021)).tables[0])

    assert rows[0] == ["指标", "数值", "单位", "上年", "增减"]
    assert ["登记在册退役军人", "5", "人", "2", "+3"] in rows
    assert ["2021年退役", "3", "人", "1", "+2"] in rows
    assert ["资金发放对象", "3", "人", "1", "+2"] in rows
    # Money in one unit per row: 13,300 and 6,000 yuan both in 万元.
    assert ["资金发放总额", "1.33", "万元", "0.6", "+0.73"] in rows


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


def test_footer_has_a_centred_page_number(records, sample_only):
    data = render(year=2021)
    footer = read(data).sections[0].footer.paragraphs[0]

    assert alignment(footer) == WD_ALIGN_PARAGRAPH.CENTER
    assert footer.text == "— 1 —"
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml_parts(data)["word/footer1.xml"])


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
