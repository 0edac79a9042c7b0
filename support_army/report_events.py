"""
Items 五 (军地线上相亲联谊会), 六 (建军节文艺晚会) and 七 (社会化拥军力量) of section (四): the
district's own events and its alliance. The townships had no part in them as theirs: the items are
`district_only` (a township report leaves them out, and lists no gap), their figures the district's
(scope DISTRICT) whatever the scope asked for.
"""

from dataclasses import replace
from decimal import Decimal

from bureau.reporting import DISTRICT, DeferredRows, Figure, Item, chinese_number, period, recorded
from support_army.models import AllianceMember, ArmyDayGala, GalaProgramme, MatchmakingEvent

MATCHMAKING_SENTENCE = (
    "为驻区部队官兵、本区籍现役军人及退役军人觅姻缘、寻幸福，区双拥工作领导小组联合{{ partner_unit }}"
    "举办{% if theme %}主题为“{{ theme }}”的{% endif %}线上相亲联谊会，{{ women }}名优秀女青年和{{ soldiers }}名"
    "单身青年官兵及退役军人一起走进直播间。此次线上直播联谊会，长达{{ duration }}"
    "{% if views %}，直播浏览量{{ views }}{% endif %}{% if couples %}，{{ couples }}对青年牵手成功{% endif %}。"
)
GALA_SENTENCE = (
    "{% if audience %}驻区部队战士及武警官兵代表，军烈属、退役军人和各界群众代表共计{{ audience }}余人现场观看，{% endif %}"
    "陆续表演了{{ programme_titles_text }}等{{ programmes|count_word }}个形式多样、异彩纷呈的节目"
    "{% if online_viewers %}，晚会还通过直播平台进行全程网络视频直播，近{{ online_viewers }}名网友通过网络直播观看了节目{% endif %}。"
)
# The alliance is named once (我区“爱心拥军团”), then 拥军团.
ALLIANCE_SENTENCE = (
    "{{ joined_month }}，我区“爱心拥军团”迎来第{{ batch_text }}批{{ joined|count_word }}家新成员的加入，"
    "有力地增强了社会化拥军的力量，让广大现役军人家庭、退役军人及其优抚对象又能享受到更多、更好的优先、优惠、优待服务，"
    "激发更多有志青年投身国防和军队建设。目前，拥军团共有{{ members }}家会员企业。"
)


def district(figures: list[Figure]) -> list[Figure]:
    return [replace(f, scope=DISTRICT) for f in figures]


# -- 五 军地线上相亲联谊会 ------------------------------------------------------------------------


def matchmaking_item(*, year: int, township=None) -> Item:
    event = MatchmakingEvent.objects.approved().filter(start_date__year=year).order_by("-start_date", "-pk").first()
    figures = []
    if event is not None:
        figures = [
            Figure("partner_unit", "联办部队", event.partner_unit),
            Figure("theme", "主题", event.theme),
            Figure("women", "女青年", event.women, "名"),
            Figure("soldiers", "单身官兵及退役军人", event.soldiers, "名"),
            Figure("hours", "直播时长", event.duration_hours, "小时"),
            Figure("duration", "直播时长（报告）", duration_text(event.duration_hours)),
            Figure("views", "直播浏览量", view_count(event.online_views)),
            Figure("couples", "牵手成功", event.couples, "对"),
        ]
    return Item(
        key="support_army.matchmaking",
        title=f"举办{year}年军地线上相亲联谊会",
        default_sentence=MATCHMAKING_SENTENCE,
        figures=district(
            figures
            or recorded(
                [
                    Figure("women", "女青年", None, "名"),
                    Figure("soldiers", "单身官兵及退役军人", None, "名"),
                    Figure("hours", "直播时长", None, "小时"),
                ],
                when=False,
            )
        ),
        required=("partner_unit", "women", "soldiers", "hours"),
        district_only=True,
        detail_headers=["日期", "名称", "联办部队", "女青年", "官兵及退役军人", "时长（小时）", "浏览量", "牵手（对）"]
        if event
        else [],
        detail_rows=DeferredRows(
            lambda: (
                [
                    [
                        event.start_date,
                        event.title,
                        event.partner_unit,
                        event.women,
                        event.soldiers,
                        event.duration_hours,
                        event.online_views,
                        event.couples,
                    ]
                ]
                if event
                else []
            )
        ),
    )


def duration_text(hours) -> str:
    """3.5 → 3个多小时 (the reference's 长达X个多小时), 3 → 3个小时, 0.5 → 0.5小时."""
    if hours is None:
        return ""
    hours = Decimal(hours)
    whole = int(hours)
    if whole < 1:
        return f"{hours.normalize():f}小时"
    return f"{whole}个多小时" if hours > whole else f"{whole}个小时"


def view_count(views: int | None) -> str:
    """12345 → 1.23万, 800 → 800 (the reference states views in 万)."""
    if not views:
        return ""
    if views >= 10000:
        return f"{Decimal(views) / 10000:.2f}".rstrip("0").rstrip(".") + "万"
    return str(views)


# -- 六 建军节文艺晚会 ----------------------------------------------------------------------------


def gala_item(*, year: int, township=None) -> Item:
    gala = ArmyDayGala.objects.approved().filter(start_date__year=year).order_by("-start_date", "-pk").first()
    programmes = GalaProgramme.objects.filter(gala=gala).order_by("order", "pk") if gala else None
    titles = [p.title for p in programmes] if gala else []
    anniversary = gala.anniversary if gala else None
    title = f"隆重举行庆祝建军{anniversary}周年文艺晚会" if gala else "隆重举行庆祝建军周年文艺晚会"
    return Item(
        key="support_army.army_day_gala",
        title=title,
        default_sentence=GALA_SENTENCE,
        figures=district(
            recorded(
                [
                    Figure("anniversary", "建军周年", anniversary, "周年"),
                    Figure("audience", "现场观众", gala.headcount if gala else None, "人"),
                    Figure("programmes", "节目", len(titles), "个", records=programmes),
                    Figure("programme_titles", "节目名称", titles),
                    # The reference names the first four, then “等N个”.
                    Figure("programme_titles_text", "节目名称（报告）", "、".join(f"《{t}》" for t in titles[:4])),
                    Figure("online_viewers", "网络观看", view_count(gala.online_views) if gala else ""),
                ],
                when=gala is not None,
            )
        ),
        required=("anniversary", "programmes", "programme_titles"),
        district_only=True,
        detail_headers=["序号", "节目名称", "节目形式", "表演者"],
        detail_rows=DeferredRows(
            lambda: [[n, p.title, p.kind, p.performers] for n, p in enumerate(programmes or [], start=1)]
        ),
    )


# -- 七 社会化拥军力量不断加强 --------------------------------------------------------------------


def alliance_item(*, year: int, township=None) -> Item:
    start, end = period(year)
    members = AllianceMember.objects.select_related("enterprise")
    in_year = members.filter(joined_on__range=(start, end))
    joined = list(in_year.order_by("joined_on", "pk"))
    active = members.active_on(end)
    batch = max((m.batch_number for m in joined), default=None)
    of_batch = [m for m in joined if m.batch_number == batch]
    return Item(
        key="support_army.alliance",
        title="社会化拥军力量不断加强",
        default_sentence=ALLIANCE_SENTENCE,
        figures=district(
            recorded(
                [
                    Figure("batch", "加入批次", batch, "批"),
                    Figure("batch_text", "加入批次（中文）", chinese_number(batch) if batch else ""),
                    Figure("joined_month", "加入月份", f"{of_batch[0].joined_on.month}月份" if of_batch else ""),
                    Figure("joined", "新加入成员", len(of_batch), "家", records=in_year.filter(batch_number=batch)),
                    Figure("joined_in_year", "本年加入成员", len(joined), "家", records=in_year),
                    Figure("members", "会员企业总数", active.count(), "家", records=active),
                ],
                when=bool(joined),
            )
        ),
        required=("batch", "joined", "members"),
        district_only=True,
        detail_headers=["加入批次", "加入日期", "会员企业", "优待服务", "状态"],
        detail_rows=DeferredRows(
            lambda: [[m.batch_number, m.joined_on, m.enterprise.name, m.offer, m.get_status_display()] for m in joined]
        ),
    )
