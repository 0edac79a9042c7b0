"""The Word report's charts: a real CJK font found by the lookup, an error (never boxes) without one, images in the docx."""

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import matplotlib
import pytest
from docx import Document
from docx.shared import Mm
from fontTools.ttLib import TTFont
from matplotlib.ft2font import FT2Font

from bureau.reporting import Figure
from reports.chartdata import MONTHS, Chart, Series
from reports.charts import CJKFont, CJKFontMissing, cjk_font, draw_chart, has_glyphs
from reports.compose import ReportDocument
from reports.docx import render_docx

# matplotlib's own fonts (DejaVu, STIX, cmr…): plenty of fonts, none with Chinese glyphs, and
# LastResortHE, which maps every Chinese character to one placeholder box.
MATPLOTLIB_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
DEJAVU = CJKFont(str(MATPLOTLIB_FONTS / "DejaVuSans.ttf"), "DejaVu Sans")
LAST_RESORT = CJKFont(str(MATPLOTLIB_FONTS / "LastResortHE-Regular.ttf"), "Last Resort High-Efficiency")

PAYMENTS = Chart(
    "payments_by_month",
    "2021年逐月资金发放",
    "line",
    MONTHS,
    [
        Series("发放金额", [Decimal(120000 + 5000 * month) for month in range(12)], "元"),
        Series("发放笔数", [40 + month for month in range(12)], "笔"),
    ],
)
TOWNSHIPS = Chart(
    "townships_compared",
    "2021年各乡镇（街道）对比",
    "bar",
    ["东城街道", "西城街道", "甲镇"],
    [Series("登记在册退役军人", [12, 9, 7], "人"), Series("资金发放总额", [Decimal(52000), 0, Decimal(800)], "元")],
)
EMPTY = Chart("activities_by_month", "2021年逐月业务活动", "bar", MONTHS, [Series("就业创业", [0] * 12, "次")])


def report(charts: list[Chart]) -> ReportDocument:
    """A report built by hand: the charts are what is under test, not the sections."""
    return ReportDocument(
        year=2021,
        township=None,
        title="示范区退役军人事务局2021年“六稳六保”工作情况汇报",
        subtitle="",
        opening="2021年以来，示范区退役军人事务局积极开展相关工作。",
        sections=[],
        closing="下一步，我局将继续发挥退役军人部门职责作用。",
        gaps=[],
        key_figures=[Figure("veterans", "登记在册退役军人", 28, "人")],
        figures=[],
        signatory="示范区退役军人事务局",
        signed_on=None,
        previous_year=None,
        charts=charts,
    )


@pytest.fixture(scope="module")
def font() -> CJKFont:
    return cjk_font()


@pytest.fixture(scope="module")
def charted(font) -> bytes:
    return render_docx(report([PAYMENTS, EMPTY, TOWNSHIPS]), chart_font=font)


def test_the_lookup_finds_a_font_with_the_chinese_glyphs(font):
    # FreeType (as matplotlib draws) and fontTools (an independent reader) both find the glyphs.
    face = FT2Font(font.path, face_index=font.index)
    assert face.family_name == font.family
    assert all(face.get_char_index(ord(character)) != 0 for character in "发放金额退役军人")
    cmap = TTFont(font.path, fontNumber=font.index, lazy=True).getBestCmap()
    assert all(ord(character) in cmap for character in "发放金额")
    assert re.search(r"CJK|Han|WenQuanYi|SimHei|YaHei", font.family)


def test_the_glyph_check_tells_a_latin_font_from_a_cjk_one(font):
    assert has_glyphs(font)
    assert not has_glyphs(DEJAVU)
    # It has a glyph for 发 — the same box as for 放, 金 and 额.
    assert FT2Font(LAST_RESORT.path).get_char_index(ord("发")) != 0
    assert not has_glyphs(LAST_RESORT)
    assert has_glyphs(DEJAVU, "Amount 123")


def test_the_lookup_searches_the_directories_it_is_given(font):
    found = cjk_font(font_dirs=[Path(font.path).parent])

    assert has_glyphs(found)
    assert Path(found.path).parent == Path(font.path).parent


@pytest.mark.parametrize("where", ["empty", "latin"])
def test_without_a_cjk_font_the_lookup_raises_in_chinese(where, tmp_path):
    font_dirs = [tmp_path] if where == "empty" else [MATPLOTLIB_FONTS]

    with pytest.raises(CJKFontMissing, match="未找到可显示中文的字体.*fonts-noto-cjk"):
        cjk_font(font_dirs=font_dirs)


def test_a_font_without_the_glyphs_is_an_error_never_boxes():
    with pytest.raises(CJKFontMissing, match="缺少图表所需的字形"):
        draw_chart(TOWNSHIPS, DEJAVU)
    with pytest.raises(CJKFontMissing):
        render_docx(report([TOWNSHIPS]), chart_font=DEJAVU)


def test_a_chart_is_a_png_150_mm_wide(font):
    png = draw_chart(PAYMENTS, font)

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    # 150 mm at 200 dpi.
    assert abs(width - 1181) <= 2
    assert 600 < height < 700


def test_the_word_report_holds_each_chart_with_its_caption(charted):
    with zipfile.ZipFile(io.BytesIO(charted)) as archive:
        images = [name for name in archive.namelist() if re.fullmatch(r"word/media/[^/]+\.png", name)]
        assert all(archive.read(name).startswith(b"\x89PNG") for name in images)
    word = Document(io.BytesIO(charted))
    paragraphs = [p.text for p in word.paragraphs]

    # The chart without a value (no activity all year) is left out.
    assert len(images) == 2
    assert [round(shape.width.mm) for shape in word.inline_shapes] == [150, 150]
    assert [text for text in paragraphs if text.startswith("图")] == [
        "图1　2021年逐月资金发放",
        "图2　2021年各乡镇（街道）对比",
    ]
    # Two attachments: numbered in the note (before the signature) as on their pages.
    assert paragraphs[paragraphs.index("附件：1．主要数据表") + 1 : paragraphs.index("附件：1．主要数据表") + 3] == [
        "2．主要图表",
        "示范区退役军人事务局",
    ]
    assert paragraphs[paragraphs.index("附件1") + 1] == "主要数据表"
    assert paragraphs[paragraphs.index("附件2") + 1] == "主要图表"
    assert paragraphs.index("附件2") < paragraphs.index("图1　2021年逐月资金发放")
    assert "2021年12月31日" in paragraphs
    assert Mm(150) == word.inline_shapes[0].width


def test_no_charts_no_chart_attachment(font):
    word = Document(io.BytesIO(render_docx(report([EMPTY]), chart_font=font)))
    paragraphs = [p.text for p in word.paragraphs]

    assert "附件：主要数据表" in paragraphs
    assert "附件" in paragraphs
    assert not any("图表" in text or text.startswith("图1") for text in paragraphs)
    assert len(word.inline_shapes) == 0
