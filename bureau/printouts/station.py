"""
The station's lists on paper: its 待办 (`bureau.station.todo`) and its 提交记录 (`bureau.station.overview`),
of the station user's own township only (what the pages show, through `visible_to`).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bureau.base.masking import shown_field
from bureau.base.scoping import township_of
from bureau.models import Person, ReviewStatus, SiteProfile
from bureau.printouts.document import FormLines, Heading, Paragraph, Printable, Table, chinese_date
from bureau.printouts.registry import Printout
from bureau.roles import is_station_staff
from bureau.station.overview import _label_relations, record_types, type_by_key
from bureau.station.todo import station_todo

PERMISSION = "bureau.use_station_portal"
NO_ROWS = [["", "无", "", "", ""]]


def _township(request):
    township = township_of(request.user)
    if not is_station_staff(request.user) or township is None:
        raise PermissionDenied("服务站清单仅供服务站工作人员打印。")
    return township


def todo_printout(request, pk=None) -> Printable:
    township = _township(request)
    listing = station_todo(request.user)
    today = listing.today
    document = Printable(
        title=f"{township.name}服务站待办事项清单",
        subtitle=f"（{listing.year}年，截至{chinese_date(today)}）",
        filename=f"待办事项-{township.name}-{today:%Y%m%d}",
        signature=(f"{township.name}退役军人服务站",),
        signed_on=today,
        subject=township,
    )
    document.add(
        Paragraph(f"共 {listing.count} 项待办，其中逾期 {listing.late} 项；另有等待区局审核的修改，列后备查。")
    )
    areas: dict[str, list] = {}
    for group in listing.groups:
        areas.setdefault(group.area, []).append(group)
    columns = [("序号", 12), ("事项", 54), ("说明", 50), ("期限", 24), ("状态", 16)]
    for area, groups in areas.items():
        document.add(Heading(area, level=2))
        for group in groups:
            rows = [
                [
                    str(number),
                    row.label,
                    row.detail,
                    f"{row.due:%Y-%m-%d}" if row.due else "",
                    "逾期" if row.late_on(today) else ("等待区局" if group.information else "待办"),
                ]
                for number, row in enumerate(group.rows, start=1)
            ]
            caption = f"{group.label}（{group.count}{group.unit}）" + (f"　{group.period}" if group.period else "")
            document.add(Table(columns, rows or NO_ROWS, caption=caption))
            document.rows += len(rows)
    document.add(FormLines(("经办人", "日期")))
    return document


def submissions_printout(request, pk=None) -> Printable:
    township = _township(request)
    status = request.GET.get("status", "")
    if status and status not in ReviewStatus.values:
        raise ValidationError("审核状态不正确。")
    key = request.GET.get("type", "")
    chosen = type_by_key(key) if key else None
    if key and chosen is None:
        raise ValidationError("记录类型不正确。")
    today = timezone.localdate()
    document = Printable(
        title=f"{township.name}服务站提交记录",
        subtitle=f"（截至{chinese_date(today)}"
        + (f"，{ReviewStatus(status).label}" if status else "")
        + (f"，{chosen.label}" if chosen else "")
        + "）",
        filename=f"提交记录-{township.name}-{today:%Y%m%d}",
        signature=(f"{township.name}退役军人服务站",),
        signed_on=today,
        subject=township,
    )
    columns = [("序号", 12), ("记录", 62), ("审核状态", 26), ("提交时间", 28), ("更新时间", 28)]
    for record_type in [chosen] if chosen else record_types():
        records = record_type.model.objects.visible_to(request.user).select_related(
            *_label_relations(record_type.model)
        )
        if status:
            records = records.filter(review_status=status)
        rows = []
        for number, record in enumerate(records.order_by("-updated_at", "-pk"), start=1):
            label = str(record)
            if isinstance(record, Person):
                # A list is masked for every role.
                label += f"（{shown_field(request.user, record, 'id_number')}）"
            rows.append(
                [
                    str(number),
                    label,
                    record.get_review_status_display(),
                    _time(record.submitted_at),
                    _time(record.updated_at),
                ]
            )
        if rows:
            document.add(Table(columns, rows, caption=f"{record_type.label}（{len(rows)}条）"))
            document.rows += len(rows)
    if not document.rows:
        document.add(Paragraph("没有符合条件的记录。"))
    else:
        document.blocks.insert(0, Paragraph(f"共 {document.rows} 条记录。"))
    site = SiteProfile.get()
    document.add(Paragraph(f"本清单由{site.full_bureau_name}信息系统生成。", kind="note"))
    return document


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


STATION_TODO = Printout(
    key="station-todo", title="待办事项清单", permission=PERMISSION, build=todo_printout, per_record=False
)
STATION_SUBMISSIONS = Printout(
    key="station-submissions",
    title="提交记录清单",
    permission=PERMISSION,
    build=submissions_printout,
    per_record=False,
    params=("status", "type"),
)
