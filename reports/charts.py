"""
The report's key charts (`reports.chartdata.Chart`) drawn as PNG images for the Word report.

matplotlib on the Agg backend (no display, no pyplot state shared between threads), with a CJK font
found by `cjk_font()`. Without a CJK font matplotlib would draw every Chinese character as an empty
box; here a missing font is an error (`CJKFontMissing`) and so is any glyph the font lacks.
"""

import warnings
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from cycler import cycler
from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import MaxNLocator

from reports.chartdata import Chart

# Families tried first, in this order (Simplified Chinese forms first); any other font whose
# glyphs cover SAMPLE_TEXT is accepted after them.
PREFERRED_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)
# Characters every chart prints (series names, units, months).
SAMPLE_TEXT = "发放金额笔数人次月年退役军人（）元万"
MISSING_FONT_MESSAGE = (
    "未找到可显示中文的字体，无法绘制报告图表（否则汉字会显示为方框）。"
    "请安装 CJK 字体，例如 Debian/Ubuntu：apt install fonts-noto-cjk。"
)

WIDTH_INCHES = 150 / 25.4  # the image's width in the report
HEIGHT_INCHES = 85 / 25.4
DPI = 200
COLOURS = ("#c23531", "#2f4554", "#61a0a8", "#d48265", "#91c7ae", "#749f83", "#ca8622", "#bda29a")


class CJKFontMissing(RuntimeError):
    """No installed font can print the charts' Chinese text."""


@dataclass(frozen=True)
class CJKFont:
    path: str
    family: str
    index: int = 0  # the face within a .ttc collection


def cjk_font(font_dirs: list | None = None) -> CJKFont:
    """
    The CJK font the charts are drawn with: a preferred family first, else any font with the glyphs.

    `font_dirs` limits the search to those directories (tests point it at an empty one); by default
    matplotlib's font list is searched, then every font file on the system (a list cached before
    fonts-noto-cjk was installed would not have it). Raises `CJKFontMissing` when nothing fits.
    """
    if font_dirs is None:
        searches = [_listed_faces, lambda: _faces_in(None)]
    else:
        searches = [lambda: _faces_in([str(d) for d in font_dirs])]
    for faces in searches:
        found = _first_with_glyphs(faces())
        if found:
            return found
    raise CJKFontMissing(MISSING_FONT_MESSAGE)


def has_glyphs(font: CJKFont, text: str = SAMPLE_TEXT) -> bool:
    """
    True when the font face draws every character of `text` with a glyph of its own.

    Glyph 0 is the font's "missing" box; a last-resort font (matplotlib ships LastResortHE) maps
    whole blocks of characters to one placeholder box, so distinct characters must get distinct glyphs.
    """
    try:
        face = FT2Font(font.path, face_index=font.index)
    except (OSError, RuntimeError, ValueError):
        return False
    characters = set(text)
    glyphs = {face.get_char_index(ord(character)) for character in characters}
    return 0 not in glyphs and len(glyphs) == len(characters)


def _listed_faces() -> list[CJKFont]:
    return [CJKFont(e.fname, e.name, getattr(e, "index", 0)) for e in font_manager.fontManager.ttflist]


def _faces_in(font_dirs: list[str] | None) -> list[CJKFont]:
    faces = []
    for path in sorted(font_manager.findSystemFonts(fontpaths=font_dirs)):
        if Path(path).suffix.lower() == ".afm":
            continue
        try:
            first = FT2Font(path)
            faces.append(CJKFont(path, first.family_name, 0))
            faces.extend(CJKFont(path, FT2Font(path, face_index=i).family_name, i) for i in range(1, first.num_faces))
        except (OSError, RuntimeError, ValueError):
            continue  # not a font FreeType can read
    return faces


def _first_with_glyphs(faces: list[CJKFont]) -> CJKFont | None:
    def preference(face: CJKFont) -> int:
        return PREFERRED_FAMILIES.index(face.family) if face.family in PREFERRED_FAMILIES else len(PREFERRED_FAMILIES)

    checked = set()
    for face in sorted(faces, key=preference):
        if (face.path, face.index) in checked:
            continue
        checked.add((face.path, face.index))
        if has_glyphs(face):
            return face
    return None


# --- drawing -----------------------------------------------------------------------------------


def draw_chart(chart: Chart, font: CJKFont | None = None) -> bytes:
    """The chart as a PNG (150 mm wide at 200 dpi); raises CJKFontMissing rather than draw boxes."""
    font = font or cjk_font()
    # A chart costs about 0.2 s of CPU; the same numbers (a report regenerated, the district's and a
    # township's report sharing a chart) are drawn once.
    key = (repr(chart), font)
    if key not in _drawn:
        if len(_drawn) >= DRAWN_KEPT:
            _drawn.clear()
        _drawn[key] = _draw(chart, font)
    return _drawn[key]


_drawn: dict[tuple[str, CJKFont], bytes] = {}
DRAWN_KEPT = 32


def _draw(chart: Chart, font: CJKFont) -> bytes:
    _register(font)
    with warnings.catch_warnings(record=True) as caught, rc_context(_style(font)):
        warnings.simplefilter("always")
        figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        if chart.kind == "pie":
            _draw_pie(figure, chart)
        else:
            _draw_axes(figure, chart)
        buffer = BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    if missing:
        raise CJKFontMissing(f"字体“{font.family}”缺少图表所需的字形：{missing[0]}")
    return buffer.getvalue()


def _register(font: CJKFont) -> None:
    """Make the face findable by its family name (a font found outside matplotlib's list is added)."""
    manager = font_manager.fontManager
    if not any(e.fname == font.path and e.name == font.family for e in manager.ttflist):
        manager.addfont(font.path)


def _style(font: CJKFont) -> dict:
    return {
        "font.family": [font.family],
        "font.size": 9,
        "axes.unicode_minus": False,  # the ASCII hyphen: CJK fonts may lack U+2212
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=COLOURS),
    }


def _draw_axes(figure: Figure, chart: Chart) -> None:
    """Bars or lines of the series of the first unit on the left axis; another unit as lines on the right."""
    axes = figure.add_subplot()
    units = list(dict.fromkeys(series.unit for series in chart.series))
    left = [s for s in chart.series if s.unit == units[0]] if units else []
    right = [s for s in chart.series if len(units) > 1 and s.unit == units[1]]
    positions = list(range(len(chart.categories)))
    handles = _plot(axes, left, positions, bars=chart.kind == "bar", colour_from=0)
    axes.set_ylabel(_axis_label(left))
    _integer_ticks(axes, left)
    axes.set_xticks(positions, chart.categories, rotation=30 if len(chart.categories) > 8 else 0)
    if right:
        twin = axes.twinx()
        twin.spines["right"].set_visible(True)
        handles += _plot(twin, right, positions, bars=False, colour_from=len(left))
        twin.set_ylabel(_axis_label(right))
        _integer_ticks(twin, right)
        twin.set_ylim(bottom=0)
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", alpha=0.3)
    if len(handles) > 1:
        # Above the plot: inside it the legend would hide bars or points.
        figure.legend(handles=handles, loc="outside upper center", frameon=False, ncols=min(len(handles), 5))


def _plot(axes, series_list, positions, *, bars: bool, colour_from: int) -> list:
    handles = []
    width = 0.8 / max(len(series_list), 1)
    for n, series in enumerate(series_list):
        values = _scaled(series.values, _divisor(series_list))
        colour = COLOURS[(colour_from + n) % len(COLOURS)]
        if bars:
            offset = (n - (len(series_list) - 1) / 2) * width
            handle = axes.bar([p + offset for p in positions], values, width, label=series.name, color=colour)
        else:
            (handle,) = axes.plot(positions, values, marker="o", markersize=3, label=series.name, color=colour)
        handles.append(handle)
    return handles


def _draw_pie(figure: Figure, chart: Chart) -> None:
    axes = figure.add_subplot()
    series = chart.series[0]
    pairs = [(c, float(v)) for c, v in zip(chart.categories, series.values, strict=True) if v]
    axes.pie([v for _, v in pairs], labels=[c for c, _ in pairs], autopct="%1.1f%%", colors=COLOURS)
    axes.set_aspect("equal")


def _integer_ticks(axes, series_list) -> None:
    """Counts (people, times) are whole numbers: no 2.5 on their axis."""
    if series_list and all(s.unit != "元" for s in series_list):
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _divisor(series_list) -> int:
    """Money from 10,000 yuan on is drawn in 万元, as the report states it."""
    money = [v for s in series_list if s.unit == "元" for v in s.values if v is not None]
    return 10000 if money and max(abs(v) for v in money) >= 10000 else 1


def _scaled(values, divisor: int) -> list[float]:
    return [float(Decimal(v or 0) / divisor) for v in values]


def _axis_label(series_list) -> str:
    if not series_list:
        return ""
    unit = series_list[0].unit
    if unit == "元" and _divisor(series_list) == 10000:
        unit = "万元"
    names = "、".join(s.name for s in series_list) if len(series_list) <= 2 else ""
    return f"{names}（{unit}）" if names and unit else names or unit
