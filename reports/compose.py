"""
Compose the annual report from the area sections: numbering, narrative, gaps, year-over-year.

The result (`ReportDocument`) is plain data that the Word and Excel renderers
lay out; nothing here knows about files.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.template import Context, Engine, TemplateSyntaxError

from bureau.models import SiteProfile
from bureau.reporting import Figure, Item, Section, chinese_number
from bureau.reporting.dates import five_year_plan
from bureau.reporting.registry import registry_figures
from reports import chartdata
from reports.models import Narrative, ReportYear
from reports.registry import collect_sections

MISSING_MARK = "\x00缺少:%s\x00"
# Plain text out (no HTML escaping); a misspelt variable leaves a mark we can detect.
ENGINE = Engine(string_if_invalid=MISSING_MARK, autoescape=False, builtins=["bureau.reporting.filters"])

# The bureau's words for the year (Narrative "opening"/"closing" override them per year), as the reference
# writes them: the guiding thought, the province's named document, 保质保量完成; the closing names the
# five-year plan the year falls in ({{ plan }}: 十四五 for 2021–2025, 十五五 for 2026–2030).
DEFAULT_OPENING = (
    "{{ year }}年以来，{{ bureau }}在区委、区政府的正确领导下，坚持以习近平新时代中国特色社会主义思想为指导，"
    "认真贯彻落实《{{ province }}人民政府关于做好“六稳”工作落实“六保”任务的实施意见》文件精神，"
    "结合工作实际，积极开展相关工作，制订计划，明确责任，细化措施，持续推动各项任务落地见效，"
    "切实把“六稳六保”工作保质保量完成。现将有关情况汇报如下："
)
DEFAULT_CLOSING = "下一步，我局将继续发挥退役军人部门职责作用，结合“{{ plan }}”规划工作，着力推进“六稳六保”工作。"


@dataclass
class Part:
    """One of the year's words: the opening, a section's lead or the closing, with its default wording."""

    key: str  # Narrative key: opening, closing, employment.lead
    name: str  # 开头段, 就业创业导语, 下一步段
    default: str


def year_parts(sections: list[Section]) -> list[Part]:
    """The year's words in the report's order: the opening, each section's lead, the closing."""
    return [
        Part(Narrative.OPENING, "开头段", DEFAULT_OPENING),
        *(Part(f"{s.app_label}{Narrative.LEAD}", f"{s.area}导语", s.lead) for s in sections),
        Part(Narrative.CLOSING, "下一步段", DEFAULT_CLOSING),
    ]


def report_context(*, year: int, township=None, profile=None) -> dict:
    """What every sentence, lead, opening and closing may name besides its item's figures."""
    profile = profile or SiteProfile.get()
    place = township.name if township else "全区"
    # `place` names whose figures a sentence states: 全区 or the township (东城街道); `in_township` says which.
    return {
        "year": year,
        "township": place,
        "place": place,
        "in_township": township is not None,
        "bureau": profile.full_bureau_name,
        # 《江西省人民政府关于…》; without a province set, 《省人民政府关于…》 still reads.
        "province": profile.province_name or "省",
        "plan": five_year_plan(year),
    }


def format_money(value: Decimal) -> str:
    """Yuan as the report writes it: 万元 with up to 2 decimals from 10,000 yuan on, 元 below."""
    value = Decimal(value)
    if abs(value) >= 10000:
        wan = (value / 10000).quantize(Decimal("0.01"))
        return f"{_trim(wan)}万元"
    return f"{_trim(value.quantize(Decimal('0.01')))}元"


def _trim(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def display_value(figure: Figure):
    """A figure as the sentence states it (money formatted, lists kept for `join`)."""
    if figure.missing:
        # An optional figure without data must read as nothing, never as the word "None".
        return ""
    if figure.unit == "元" and isinstance(figure.value, int | Decimal):
        return format_money(figure.value)
    if isinstance(figure.value, Decimal):
        return _trim(figure.value)
    return figure.value


@dataclass
class RenderedItem:
    label: str  # 一是
    item: Item
    text: str  # the whole paragraph: 一是创新就业帮扶新路径。……


@dataclass
class RenderedSection:
    label: str  # （一）
    section: Section
    items: list[RenderedItem]
    # The section's lead paragraph as printed: the year's wording (Narrative "<app_label>.lead") or the
    # section's default, rendered with the report's context ({{ place }} …).
    lead: str = ""


@dataclass
class Gap:
    area: str
    item: str
    figure: str
    township: str


class PreviousFigures:
    """
    The previous year's section figures by (item key, figure key), composed the first time a renderer
    reads one: the Excel summary and the dashboard's cards show them, the Word report (its key-figure
    table compares only the registry's figures) and the final version's figures do not, so composing
    every section a second time is left to the files that print it.
    """

    def __init__(self, *, year: int | None, township=None):
        self.year = year
        self.township = township
        self._values: dict | None = None

    def get(self, key: tuple[str, str]):
        if self._values is None:
            sections = collect_sections(year=self.year, township=self.township) if self.year else []
            self._values = _figure_values(sections)
        return self._values.get(key)


@dataclass
class ComparedFigure:
    section: str
    item: str
    figure: Figure
    item_key: str = ""  # the item's key (employment.job_fairs): a final report keeps its figures by it
    # Where the previous year's value comes from (None: no comparison), read only when shown.
    previous_figures: PreviousFigures | None = field(default=None, repr=False, compare=False)

    @property
    def previous(self):
        """The figure's value in the previous year, None when not compared or not stated then."""
        if self.previous_figures is None:
            return None
        return self.previous_figures.get((self.item_key, self.figure.key))

    @property
    def change(self):
        if isinstance(self.figure.value, int | Decimal) and isinstance(self.previous, int | Decimal):
            return self.figure.value - self.previous
        return None


@dataclass
class ReportDocument:
    year: int
    township: object
    title: str
    subtitle: str
    opening: str
    sections: list[RenderedSection]
    closing: str
    gaps: list[Gap]
    key_figures: list[Figure]
    figures: list[ComparedFigure]
    warnings: list[str] = field(default_factory=list)
    signatory: str = ""
    # Registry figures of the previous year by key, for the 上年/增减 columns of the key-figure table.
    previous_key_figures: dict[str, object] = field(default_factory=dict)
    # The date the report is signed (落款日期): the year's setting, never the day it was generated.
    signed_on: datetime.date | None = None
    # The year the 上年 column compares with, or None when that year is not recorded in the portal
    # (the column then shows —, and the table says which years it compares).
    previous_year: int | None = None
    # The key charts (reports.chartdata), drawn as images in the Word report.
    charts: list = field(default_factory=list)
    # A district report of a year with a final version: the figures changed since (reports.finals.Change),
    # [] when none did; None when there is no final version to compare with. The Excel file lists them.
    final_changes: list | None = None


def render_text(template_text: str, default: str, context: dict, *, where: str, warnings: list[str]) -> str:
    """Render staff wording; on any failure fall back to the default wording and say so."""
    if template_text and template_text != default:
        try:
            text = _render(template_text, context)
        except (TemplateSyntaxError, Exception) as error:  # a broken edit must never break the report
            warnings.append(f"{where}：自定义文字无法生成（{error}），已改用默认文字。")
        else:
            if "\x00" not in text:
                return text.strip()
            missing = text.split("\x00")[1].removeprefix("缺少:")
            warnings.append(f"{where}：自定义文字引用了不存在的指标“{missing}”，已改用默认文字。")
    return _render(default, context).replace("\x00", "").strip()


def _render(template_text: str, context: dict) -> str:
    # Context() escapes HTML by default whatever the engine says; the report is plain text ("A&B" stays "A&B").
    return tidy(ENGINE.from_string(template_text).render(Context(context, autoescape=False)))


# Chinese text has no spaces: whitespace next to a Chinese character or full-width punctuation is the
# template's layout ({% if %} on its own line, a clause left out), never the bureau's words.
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’《》·…—"
_STRAY_SPACE = re.compile(f"\\s+(?=[{_CJK}])|(?<=[{_CJK}])\\s+")


def tidy(text: str) -> str:
    """The rendered wording without the spaces and line breaks a template leaves between Chinese words (「典型。 开展」)."""
    return _STRAY_SPACE.sub("", text)


def compose_report(*, year: int, township=None, with_previous: bool = True, with_charts: bool = True) -> ReportDocument:
    """
    The year's report for the district (township None) or one township.

    The signing date is the year's (`ReportYear.signing_date`: set by staff, else the year's last working
    day). The 上年 column compares with year - 1 only when that year is recorded in the portal
    (`ReportYear.is_recorded`: staff's setting, else payments in 10 of its 12 months); otherwise
    `previous_year` is None, no previous value is given and the column shows —. `with_previous=False`
    skips the comparison (the dashboard's figures); `with_charts=False` skips the charts.
    """
    profile = SiteProfile.get()
    narratives = dict(Narrative.objects.filter(year=year).values_list("key", "text"))
    township_name = township.name if township else "全区"
    base_context = report_context(year=year, township=township, profile=profile)
    warnings: list[str] = []

    sections = collect_sections(year=year, township=township)
    previous_year = year - 1 if with_previous and ReportYear.for_year(year - 1).is_recorded else None
    previous = PreviousFigures(year=previous_year, township=township) if previous_year else None

    rendered_sections, gaps, figures = [], [], []
    for section in sections:
        items = []
        for item in section.items:
            if township is not None:
                if item.district_only:
                    continue  # the district's work: not the township's to report, nor a gap
                item = item.for_township()
            for figure in item.figures:
                figures.append(
                    ComparedFigure(section.heading, item.title, figure, item_key=item.key, previous_figures=previous)
                )
            if not item.has_data:
                gaps.extend(Gap(section.area, item.title, f.label, township_name) for f in item.missing_figures)
                continue
            context = {**base_context, **{f.key: display_value(f) for f in item.figures}}
            sentence = render_text(
                narratives.get(item.key, ""), item.default_sentence, context, where=item.title, warnings=warnings
            )
            label = f"{chinese_number(len(items) + 1)}是"
            items.append(RenderedItem(label=label, item=item, text=f"{label}{item.title}。{sentence}"))
        if items:
            label = f"（{chinese_number(len(rendered_sections) + 1)}）"
            lead = render_text(
                narratives.get(f"{section.app_label}.lead", ""),
                section.lead,
                base_context,
                where=f"{section.heading}导语",
                warnings=warnings,
            )
            rendered_sections.append(RenderedSection(label=label, section=section, items=items, lead=lead))

    return ReportDocument(
        year=year,
        township=township,
        title=f"{profile.full_bureau_name}{year}年“六稳六保”工作情况汇报",
        subtitle=f"（{township.name}）" if township else "",
        opening=render_text(
            narratives.get(Narrative.OPENING, ""), DEFAULT_OPENING, base_context, where="开头段", warnings=warnings
        ),
        sections=rendered_sections,
        closing=render_text(
            narratives.get(Narrative.CLOSING, ""), DEFAULT_CLOSING, base_context, where="下一步段", warnings=warnings
        ),
        gaps=gaps,
        key_figures=registry_figures(year=year, township=township),
        figures=figures,
        warnings=warnings,
        signatory=profile.report_signatory or profile.full_bureau_name,
        previous_key_figures=(
            {f.key: f.value for f in registry_figures(year=previous_year, township=township)} if previous_year else {}
        ),
        signed_on=ReportYear.for_year(year).signing_date,
        previous_year=previous_year,
        charts=report_charts(year=year, township=township) if with_charts else [],
    )


def report_charts(*, year: int, township=None) -> list:
    """The key charts of the Word report: payments by month and by programme; townships compared (district only)."""
    charts = [
        chartdata.payments_by_month(year=year, township=township),
        chartdata.payments_by_programme(year=year, township=township),
    ]
    if township is None:
        charts.append(chartdata.townships_compared(year=year))
    return charts


def _figure_values(sections: list[Section]) -> dict:
    return {
        (item.key, figure.key): figure.value
        for section in sections
        for item in section.items
        for figure in item.figures
        if not figure.missing
    }
