"""
Section (一) 就业创业服务优化升级: the startup park, job fairs, adaptive training, postings and role models.

Only approved records count. A township report speaks of that township:

- 创业园: the parks belonging to the township.
- 招聘会: the district's veterans-only fairs that at least one resident of the
  township attended; attendees and employment intentions count the township's
  residents only. The enterprises, positions and stream views are the whole
  fair's, the district's (scope DISTRICT): a township report does not state them.
  Headcounts taken without names (`unnamed_attendees`) are counted in the district
  report only, since nobody knows where those people live.
- 培训: the classes at least one resident attended, trainees among the residents.
- 宣传: postings, role models and publicity events of the township.

A township without a park of its own had no part in it: the park item is left out of
its report (`district_only`), not listed as a gap.

Each figure counted from rows carries them (`records`: persons for headcounts, the
fairs, classes, postings or events counted). Sums of positions and days have none:
the rows they add up are not what the figure counts.
"""

import datetime

from django.db.models import Q

from bureau.base.masking import mask_id_number
from bureau.models import Enterprise, Person
from bureau.reporting import (
    DETAIL_ROWS_CHUNK,
    DISTRICT,
    DeferredRows,
    Figure,
    Item,
    Section,
    month_day,
    period_end,
    recorded,
)
from bureau.reporting.persons import person_count, persons_of
from employment.models import (
    EmploymentIntention,
    FairAttendance,
    FairParticipation,
    JobFair,
    JobPosting,
    ParkTenancy,
    PublicityEvent,
    RoleModel,
    StartupPark,
    Trainee,
    TrainingClass,
    TrainingTopic,
)

HEADING = "就业创业服务优化升级"
LEAD = (
    "为倾力解决退役军人“后路”难题，我们积极探索新形势下促进退役军人、军属就业创业的有效办法，"
    "不断拓宽渠道，携手全社会共同为退役军人、军属搭建就业创业平台，提供更加精准的指导和服务。"
)

STARTUP_PARK_SENTENCE = (
    "全力打造{{ park }}，"
    "{% if founder %}该园由{{ founder_title }}{{ founder }}发起创建，{% endif %}"
    "园区位于{{ location }}，"
    "{% if area_mu %}总占地面积{{ area_mu }}亩，{% endif %}"
    "第一批{{ planned_enterprises|count_word }}家企业计划入驻"
    "{% if enrolled_enterprises %}，目前已有{{ enrolled_enterprises|count_word }}家企业入驻"
    "{% if sectors %}，涉及{{ sectors|join:'、' }}{% if sectors|length > 1 %}等多个{% endif %}领域{% endif %}"
    "{% else %}，目前尚无企业入驻{% endif %}"
    "{% if jobs_planned %}，将为退役军人和军属提供{{ jobs_planned }}个就业岗位{% endif %}。"
)
# A township report states what its own residents did at the fairs, in its own name; the enterprises,
# positions and stream views are the district's (blanked there), so it never names them.
JOB_FAIRS_SENTENCE = (
    "根据退役军人的就业需求和专业特长，“量身定制”退役军人专场招聘会。"
    "{% if in_township %}"
    "在{{ fair_dates }}为退役军人举行的{% if fairs > 1 %}{{ fairs|count_word }}场{% endif %}招聘会上，"
    "{{ place }}共有{{ attendees }}名退役军人参加"
    "{% else %}"
    "在{{ fair_dates }}，{% if fairs > 1 %}陆续{% endif %}举行了{{ fairs|count_word }}场为退役军人举行的招聘会"
    "{% if enterprises %}，参加{% if fairs > 1 %}{{ fairs|count_word }}次{% endif %}招聘会的企业共有{{ enterprises }}家{% endif %}"
    "{% if positions %}，精心筛选了{{ positions }}个适合退役军人的岗位{% endif %}"
    "，退役军人参加人数{{ attendees }}人"
    "{% endif %}"
    "{% if intentions %}，达成就业意向{{ intentions }}人{% endif %}。"
    "{% if streamed %}除现场就业招聘外，还采用了网络同步直播的方式，扩大影响力"
    "{% if stream_views %}，吸引{{ stream_views }}人次点击观看{% endif %}，"
    "促进退役军人实现多渠道、多元化就业。{% endif %}"
)
# The trainees are discharged veterans of any route (自主就业, 安排工作…): the sentence says 自主就业
# only of those who are, as the reference's 自主就业退役军人 were.
TRAINING_SENTENCE = (
    "为使今年退伍的退役士兵能快速融入家乡，投身就业创业的浪潮，我们"
    "{% if classes > 1 %}开设了{{ classes|count_word }}期{{ year }}年退役军人适应性培训班，共计{{ days }}天，"
    "{% else %}开设了为期{{ days }}天的{{ year }}年退役军人适应性培训班，{% endif %}"
    "{% if in_township %}{{ place }}{% endif %}{{ trainees }}名近期退役的"
    "{% if self_employed_trainees == trainees %}自主就业退役军人参加了培训"
    "{% else %}退役军人参加了培训"
    "{% if self_employed_trainees %}，其中自主就业退役军人{{ self_employed_trainees }}名{% endif %}{% endif %}"
    "{% if topics %}，培训主要围绕{{ topics|join:'、' }}等内容开展{% endif %}，"
    "避免退役军人就业创业期间走弯路，为他们指明了退役后的道路。"
)
# With a publicity month the role models are named once as 先进典型 (the month already says
# 退役军人创业典型); without it the sentence says what they are.
PUBLICITY_SENTENCE = (
    "利用{{ channels|join:'、' }}等本地新媒体平台发布退役军人企业招聘信息{{ postings }}条"
    "{% if posting_positions %}，提供适合退役军人的岗位{{ posting_positions }}个{% endif %}；"
    "{% if publicity_month %}扎实开展退役军人创业典型宣传月活动，选树宣传{{ role_models|join:'、' }}等先进典型"
    "{% else %}选树宣传{{ role_models|join:'、' }}等退役军人创业典型{% endif %}"
    "{% if event_kinds %}，通过{{ event_kinds|join:'、' }}等形式多举措进行{% endif %}，"
    "并在{{ place }}开展广泛宣传。"
)


def section(*, year: int, township=None) -> Section:
    return Section(
        app_label="employment",
        area="就业创业",
        heading=HEADING,
        lead=LEAD,
        items=[
            startup_park_item(year=year, township=township),
            job_fairs_item(year=year, township=township),
            training_item(year=year, township=township),
            publicity_item(year=year, township=township),
        ],
    )


def join_dates(days: list[datetime.date]) -> str:
    """`2月28日`, `2月28日和9月16日`, `2月28日、5月1日和9月16日`."""
    words = [month_day(day) for day in sorted(set(days))]
    if len(words) <= 1:
        return "".join(words)
    return "、".join(words[:-1]) + "和" + words[-1]


def distinct(values) -> list:
    """Values without repeats, in the order first seen."""
    return list(dict.fromkeys(value for value in values if value))


# -- 一 创新就业帮扶新路径 --------------------------------------------------------------------------


def startup_park_item(*, year: int, township=None) -> Item:
    """
    The park opened by the period end; with several, the earliest opened (then by name)
    is the one the sentence describes, as the reference report speaks of one park.
    """
    end = period_end(year)
    park = (
        StartupPark.objects.approved()
        .in_township(township)
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=end))
        .select_related("founder")
        .order_by("opened_on", "name")
        .first()
    )
    active = ParkTenancy.objects.active_on(end).filter(park=park)
    tenancies = list(active.select_related("enterprise").order_by("moved_in_on", "enterprise__name")) if park else []
    enterprises = distinct(tenancy.enterprise for tenancy in tenancies)
    return Item(
        key="employment.startup_park",
        title="创新就业帮扶新路径",
        default_sentence=STARTUP_PARK_SENTENCE,
        figures=recorded(
            [
                Figure("park", "创业园名称", park.name if park else None),
                Figure("founder", "发起人", park.founder.name if park and park.founder else None),
                Figure("founder_title", "发起人荣誉称号", park.founder_title if park else None),
                Figure("location", "园区位置", park.location if park else None),
                Figure("area_mu", "占地面积", park.area_mu if park else None, "亩"),
                Figure("planned_enterprises", "计划入驻企业", park.planned_enterprises if park else None, "家"),
                Figure(
                    "enrolled_enterprises",
                    "已入驻企业",
                    len(enterprises) if park else None,
                    "家",
                    records=Enterprise.objects.filter(pk__in=active.values("enterprise")),
                ),
                Figure("sectors", "涉及领域", distinct(enterprise.sector for enterprise in enterprises)),
                Figure("jobs_planned", "计划提供岗位", park.jobs_planned if park else None, "个"),
            ],
            when=park is not None,
        ),
        required=("park", "location", "planned_enterprises"),
        # A township without a park of its own had no part in the park: not a gap of its report.
        district_only=township is not None and park is None,
        detail_headers=["企业名称", "统一社会信用代码", "行业领域", "入驻日期"],
        detail_rows=DeferredRows(
            lambda: [
                [t.enterprise.name, t.enterprise.credit_code, t.enterprise.sector, t.moved_in_on] for t in tenancies
            ]
        ),
    )


# -- 二 摸索线上线下新办法 --------------------------------------------------------------------------


def job_fairs_item(*, year: int, township=None) -> Item:
    """
    Veterans-only fairs (专场) of the year: the sentence speaks of fairs held for veterans,
    so general fairs that veterans also visited are not counted here.
    """
    attendances = FairAttendance.objects.approved().in_township(township).filter(fair__start_date__year=year)
    fairs = JobFair.objects.approved().filter(start_date__year=year, dedicated_to_veterans=True)
    if township is not None:
        fairs = fairs.filter(pk__in=attendances.values("fair"))
    fairs = list(fairs.order_by("start_date", "pk"))
    attendances = attendances.filter(fair__in=fairs)
    fair_records = JobFair.objects.filter(pk__in=[fair.pk for fair in fairs])

    participations = list(FairParticipation.objects.filter(fair__in=fairs).select_related("enterprise"))
    unnamed = {fair.pk: fair.unnamed_attendees if township is None else 0 for fair in fairs}
    attended = persons_of(attendances)
    attendees = person_count(attendances) + sum(unnamed.values())
    # An intention made at a general fair or an unapproved one does not belong in this sentence.
    intentions = (
        EmploymentIntention.objects.in_township(township)
        .filter(agreed_on__year=year)
        .filter(Q(fair__isnull=True) | Q(fair__in=fairs))
    )
    streamed = [fair for fair in fairs if fair.streamed_online]
    intended = persons_of(intentions)
    views = [fair.online_views for fair in streamed if fair.online_views is not None]

    return Item(
        key="employment.job_fairs",
        title="摸索线上线下新办法",
        default_sentence=JOB_FAIRS_SENTENCE,
        figures=recorded(
            [
                Figure("fairs", "招聘会场次", len(fairs) or None, "场", records=fair_records),
                Figure("fair_dates", "举办日期", join_dates([fair.start_date for fair in fairs]) or None),
                # The whole fair's, whoever attended: the district's.
                Figure(
                    "enterprises",
                    "参加企业",
                    len({p.enterprise_id for p in participations}) or None,
                    "家",
                    scope=DISTRICT,
                    records=Enterprise.objects.filter(fair_participations__fair__in=fair_records).distinct(),
                ),
                Figure("positions", "提供岗位", sum(p.positions for p in participations) or None, "个", scope=DISTRICT),
                # Nobody can list the attendees counted without names.
                Figure(
                    "attendees",
                    "参加退役军人",
                    attendees or None,
                    "人",
                    records=None if sum(unnamed.values()) else attended,
                    headline=True,
                ),
                Figure("intentions", "达成就业意向", person_count(intentions), "人", records=intended),
                Figure(
                    "streamed",
                    "网络直播场次",
                    len(streamed),
                    "场",
                    records=fair_records.filter(pk__in=[fair.pk for fair in streamed]),
                ),
                Figure("stream_views", "直播观看", sum(views) if views else None, "人次", scope=DISTRICT),
            ],
            when=bool(fairs),
        ),
        required=("fairs", "fair_dates", "enterprises", "positions", "attendees"),
        detail_headers=[
            "日期",
            "招聘会",
            "地点",
            "参加企业（家）",
            "提供岗位（个）",
            "参加人数（人）",
            "直播观看（人次）",
        ],
        detail_rows=DeferredRows(lambda: fair_rows(fairs, participations, attendances, unnamed)),
    )


def fair_rows(fairs, participations, attendances, unnamed) -> list[list]:
    """A row per fair: its enterprises and positions, and the attendees counted (named and not)."""
    rows = []
    for fair in fairs:
        mine = [p for p in participations if p.fair_id == fair.pk]
        named = attendances.filter(fair=fair).values("person").distinct().count()
        rows.append(
            [
                fair.start_date,
                fair.title,
                fair.venue,
                len(mine),
                sum(p.positions for p in mine),
                named + unnamed[fair.pk],
                fair.online_views if fair.streamed_online else None,
            ]
        )
    return rows


# -- 三 实现军事人力资源新转变 ----------------------------------------------------------------------


def training_item(*, year: int, township=None) -> Item:
    """
    The approved classes of the year that counted trainees attended. Days are the classes'
    days added up: one class of 3 days says 为期3天, two classes say 共计N天.
    """
    trainees = Trainee.objects.in_township(township).filter(
        training_class__in=TrainingClass.objects.approved().filter(start_date__year=year)
    )
    classes = list(TrainingClass.objects.filter(pk__in=trainees.values("training_class")).order_by("start_date", "pk"))
    self_employed_trainees = trainees.filter(person__discharge_route=Person.DischargeRoute.SELF_EMPLOYED)
    self_employed = persons_of(self_employed_trainees)
    topics = [TrainingTopic(code).label for code in TrainingTopic.values if any(code in c.topics for c in classes)]
    topics += distinct(label for c in classes for label in c.topic_labels if label not in topics)
    return Item(
        key="employment.training",
        title="实现军事人力资源新转变",
        default_sentence=TRAINING_SENTENCE,
        figures=recorded(
            [
                Figure(
                    "classes",
                    "培训班期数",
                    len(classes) or None,
                    "期",
                    records=TrainingClass.objects.filter(pk__in=[c.pk for c in classes]),
                ),
                Figure("days", "培训天数", sum(c.days for c in classes) or None, "天"),
                Figure(
                    "trainees",
                    "参训人数",
                    person_count(trainees) or None,
                    "人",
                    records=persons_of(trainees),
                    headline=True,
                ),
                Figure(
                    "self_employed_trainees",
                    "其中自主就业退役军人",
                    person_count(
                        trainees, among=Person.objects.filter(discharge_route=Person.DischargeRoute.SELF_EMPLOYED)
                    ),
                    "人",
                    records=self_employed,
                ),
                Figure("topics", "培训内容", topics),
            ],
            when=bool(classes),
        ),
        required=("classes", "days", "trainees"),
        # Reports go to leadership, who may not see full ID numbers.
        detail_headers=["培训班", "姓名", "身份证号", "乡镇（街道）", "退役日期"],
        detail_rows=DeferredRows(lambda: trainee_rows(trainees)),
    )


def trainee_rows(trainees):
    """The trainees, one row each, read a chunk at a time."""
    rows = trainees.select_related("training_class", "person__township").order_by(
        "training_class__start_date", "training_class", "person__township__order", "person__name", "pk"
    )
    for t in rows.iterator(chunk_size=DETAIL_ROWS_CHUNK):
        yield [
            t.training_class.title,
            t.person.name,
            mask_id_number(t.person.id_number),
            t.person.township.name,
            t.person.discharged_on,
        ]


# -- 四 拓宽宣传引导新渠道 --------------------------------------------------------------------------


def publicity_item(*, year: int, township=None) -> Item:
    postings = list(
        JobPosting.objects.approved()
        .in_township(township)
        .filter(published_on__year=year)
        .select_related("enterprise")
        .order_by("published_on", "pk")
    )
    role_models = list(
        RoleModel.objects.approved().in_township(township).filter(year=year).select_related("person").order_by("pk")
    )
    events = list(
        PublicityEvent.objects.approved()
        .in_township(township)
        .filter(start_date__year=year)
        .prefetch_related("role_models__person")
        .order_by("start_date", "pk")
    )
    posting_records = JobPosting.objects.filter(pk__in=[p.pk for p in postings])
    event_records = PublicityEvent.objects.filter(pk__in=[e.pk for e in events])
    used_kinds = {event.kind for event in events}
    # The sentence names the month as a campaign and the talks and forums as its forms;
    # "其他" is no form a sentence can name, such events stay in the detail rows.
    Kind = PublicityEvent.Kind
    forms = [label for value, label in Kind.choices if value in used_kinds - {Kind.PUBLICITY_MONTH, Kind.OTHER}]
    rows = [["招聘信息", p.published_on, p.enterprise.name, p.positions, p.position_count, p.channel] for p in postings]
    rows += [["创业典型", None, r.person.name, r.story, None, ""] for r in role_models]
    rows += [
        [
            e.get_kind_display(),
            e.start_date,
            e.title,
            "、".join(r.person.name for r in e.role_models.all()),
            e.headcount,
            e.venue,
        ]
        for e in events
    ]
    return Item(
        key="employment.publicity",
        title="拓宽宣传引导新渠道",
        default_sentence=PUBLICITY_SENTENCE,
        figures=recorded(
            [
                Figure("postings", "发布招聘信息", len(postings) or None, "条", records=posting_records),
                Figure("posting_positions", "信息所含岗位", sum(p.position_count for p in postings) or None, "个"),
                Figure("channels", "发布平台", distinct(p.channel for p in postings)),
                Figure("role_models", "创业典型", [r.person.name for r in role_models]),
                Figure("publicity_events", "宣传活动", len(events), "场", records=event_records),
                Figure(
                    "publicity_month",
                    "创业典型宣传月活动",
                    sum(e.kind == Kind.PUBLICITY_MONTH for e in events),
                    "场",
                    records=event_records.filter(kind=Kind.PUBLICITY_MONTH),
                ),
                Figure("event_kinds", "宣传形式", forms),
            ],
            when=bool(postings or role_models or events),
        ),
        required=("postings", "posting_positions", "channels", "role_models"),
        detail_headers=["类别", "日期", "企业/姓名/活动", "岗位/事迹/宣传对象", "人数", "发布平台/地点"],
        detail_rows=DeferredRows(lambda: rows),
    )
