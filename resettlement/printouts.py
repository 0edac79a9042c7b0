"""
The placement ranking for public notice (量化评分排名公示): the batch's candidates in rank order with
their total scores, the scoring rule and the tie rule stated in the text, the notice period
(公示期, from `?start=` or today, `NOTICE_DAYS` days), as an official document (GB/T 9704). Names and
scores only: the notice is posted publicly. And a cohort's self-employment grants as a roster for
signatures (自主就业金发放花名册), read from the ledger by the kit (`bureau.printouts.roster`).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bureau.models import SiteProfile
from bureau.printouts.document import Heading, Paragraph, Printable, Table, chinese_date
from bureau.printouts.registry import Printout
from bureau.printouts.roster import ledger_roster
from resettlement import selection
from resettlement.models import PlacementBatch, SubsidyRun

NOTICE_DAYS = 7
COLUMNS = [("排名", 16), ("姓名", 26), ("符合条件", 64), ("服役年限（年）", 26), ("总分", 24)]
BAD_START = "公示开始日期格式不正确，应如 2026-12-07。"


def _points(value) -> str:
    return f"{Decimal(value).normalize():f}"


def rule_text(rule) -> str:
    """The published scoring rule in words."""
    return (
        f"服现役每满一年计{_points(rule.per_service_year)}分，在艰苦边远地区服役每年加计{_points(rule.per_hardship_year)}分；"
        f"荣立一等功每次计{_points(rule.first_class_merit)}分、二等功每次计{_points(rule.second_class_merit)}分、"
        f"三等功每次计{_points(rule.third_class_merit)}分，获优秀士官等荣誉每次计{_points(rule.honour)}分；"
        f"退役培训考核优秀、良好、合格分别计{_points(rule.training_excellent)}分、{_points(rule.training_good)}分、"
        f"{_points(rule.training_pass)}分。经核实的评分调整，按其理由计入总分。"
    )


def notice_start(request) -> datetime.date:
    text = request.GET.get("start", "")
    if not text:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(BAD_START) from None


def placement_notice(request, pk) -> Printable:
    batch = get_object_or_404(PlacementBatch.objects.select_related("rule"), pk=pk)
    start = notice_start(request)
    end = start + datetime.timedelta(days=NOTICE_DAYS - 1)
    rule = batch.rule
    ranked = selection.ranking(batch)
    site = SiteProfile.get()
    document = Printable(
        title=f"关于{batch.full_title}候选人量化评分排名的公示",
        subtitle=f"（公示期：{chinese_date(start)}至{chinese_date(end)}）",
        filename=f"量化评分排名公示-{batch.year}-{batch.pk}",
        signature=(site.full_bureau_name,),
        signed_on=start,
        subject=batch,
        rows=len(ranked),
    )
    basis = f"《{rule.name}》" + (f"（{rule.document}）" if rule.document else "")
    document.add(
        Paragraph(
            f"根据{basis}，经审核，现将{batch.full_title}{len(ranked)}名候选人的量化评分及排名予以公示。"
            f"公示期为{chinese_date(start)}至{chinese_date(end)}。"
        ),
        Heading("一、评分办法"),
        Paragraph(rule_text(rule)),
        Heading("二、排名规则"),
        Paragraph("按量化评分总分从高到低排名。" + selection.TIE_RULE),
        Paragraph("选岗时，" + selection.TURN_RULE),
        Heading("三、排名结果"),
    )
    if batch.preparing:
        document.add(Paragraph("以下为按目前评分的排名，公开选岗开始时排名固定。", kind="note"))
    rows = [
        [
            str(row.rank),
            row.candidate.person.name,
            row.candidate.get_eligibility_display(),
            _points(row.candidate.service_years),
            selection.score_text(row.score),
        ]
        for row in ranked
    ]
    document.add(Table(COLUMNS, rows))
    place = f"{batch.venue}" if batch.venue else site.full_bureau_name
    document.add(
        Heading("四、异议反映"),
        Paragraph(
            f"公示期间，对评分或排名有异议的，请以书面形式实名向{site.full_bureau_name}反映，"
            f"并提供相关依据。公示期满无异议的，按此排名于{chinese_date(batch.session_on) if batch.session_on else '选岗日'}"
            f"在{place}组织公开选岗。"
        ),
    )
    return document


PLACEMENT_NOTICE = Printout(
    key="placement-notice",
    title="量化评分排名公示",
    permission="resettlement.view_placementbatch",
    build=placement_notice,
    params=("start",),
)


# --- a cohort's self-employment grants: the roster for signatures ---------------------------------

GRANT_NOT_PAID = "该年度自主就业金尚未发放，发放花名册按资金发放台账打印，请在发放完成后打印。"


def grant_roster(request, pk):
    run = get_object_or_404(SubsidyRun, pk=pk)
    if run.batch_id is None:
        raise ValidationError(GRANT_NOT_PAID)
    paid_on = f"　　发放日期：{run.paid_on:%Y年%m月%d日}" if run.paid_on else ""
    return ledger_roster(
        request,
        run.batch_id,
        title=f"{run.cohort_year}年退役士兵自主就业一次性经济补助发放花名册",
        subtitle=f"退役年度：{run.cohort_year}年{paid_on}　　金额单位：元",
        filename=f"自主就业金发放花名册-{run.cohort_year}",
        signed_on=run.paid_on,
        subject=run,
    )


GRANT_ROSTER = Printout(
    key="grant-roster", title="自主就业金发放花名册", permission="resettlement.view_subsidyrun", build=grant_roster
)
