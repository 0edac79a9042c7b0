"""Section (一) 就业创业服务优化升级. Placeholder until the employment issue keeps the records."""

from bureau.reporting import Section, missing_item

HEADING = "就业创业服务优化升级"
LEAD = (
    "为倾力解决退役军人“后路”难题，我们积极探索新形势下促进退役军人、军属就业创业的有效办法，"
    "不断拓宽渠道，携手全社会共同为退役军人、军属搭建就业创业平台，提供更加精准的指导和服务。"
)


def section(*, year: int, township=None) -> Section:
    return Section(
        app_label="employment",
        area="就业创业",
        heading=HEADING,
        lead=LEAD,
        placeholder=True,
        items=[
            missing_item(
                key="employment.startup_park",
                title="创新就业帮扶新路径",
                default_sentence=(
                    "全力打造退役军人创业园，该园由{{ founder_title }}{{ founder }}发起创建，园区位于{{ location }}，"
                    "总占地面积{{ area_mu }}亩，第一批{{ planned_enterprises }}家企业计划入驻，目前已有{{ enrolled_enterprises }}家企业入驻，"
                    "涉及{{ sectors|join:'、' }}等多个领域，将为退役军人和军属提供{{ jobs_planned }}余个就业岗位。"
                ),
                figures=[
                    ("park", "创业园名称", ""),
                    ("founder", "发起人", ""),
                    ("founder_title", "发起人荣誉称号", ""),
                    ("location", "园区位置", ""),
                    ("area_mu", "占地面积", "亩"),
                    ("planned_enterprises", "计划入驻企业", "家"),
                    ("enrolled_enterprises", "已入驻企业", "家"),
                    ("sectors", "涉及领域", ""),
                    ("jobs_planned", "计划提供岗位", "个"),
                ],
            ),
            missing_item(
                key="employment.job_fairs",
                title="摸索线上线下新办法",
                default_sentence=(
                    "根据退役军人的就业需求和专业特长，“量身定制”退役军人专场招聘会。在{{ fair_dates }}，"
                    "陆续举行了{{ fairs }}场为退役军人举行的招聘会，参加招聘会的企业共有{{ enterprises }}家，"
                    "精心筛选了{{ positions }}个适合退役军人的岗位，退役军人参加人数{{ attendees }}人，达成就业意向{{ intentions }}人。"
                    "{% if streamed %}除现场就业招聘外，还采用了网络同步直播的方式，吸引{{ stream_views }}人次点击观看。{% endif %}"
                ),
                figures=[
                    ("fairs", "招聘会场次", "场"),
                    ("fair_dates", "举办日期", ""),
                    ("enterprises", "参加企业", "家"),
                    ("positions", "提供岗位", "个"),
                    ("attendees", "参加退役军人", "人"),
                    ("intentions", "达成就业意向", "人"),
                ],
            ),
            missing_item(
                key="employment.training",
                title="实现军事人力资源新转变",
                default_sentence=(
                    "为使今年退伍的退役士兵能快速融入家乡，我们开设了为期{{ days }}天的{{ year }}年退役军人适应性培训班，"
                    "{{ trainees }}名近期退役的自主就业退役军人参加了培训，培训主要围绕{{ topics|join:'、' }}等内容开展。"
                ),
                figures=[
                    ("classes", "培训班期数", "期"),
                    ("days", "培训天数", "天"),
                    ("trainees", "参训人数", "人"),
                    ("topics", "培训内容", ""),
                ],
            ),
            missing_item(
                key="employment.publicity",
                title="拓宽宣传引导新渠道",
                default_sentence=(
                    "利用本地新媒体平台发布退役军人企业招聘信息{{ postings }}条、岗位{{ posting_positions }}个；"
                    "选树宣传{{ role_models|join:'、' }}等退役军人创业典型，通过{{ event_kinds|join:'、' }}等形式在全区开展广泛宣传。"
                ),
                figures=[
                    ("postings", "发布招聘信息", "条"),
                    ("posting_positions", "信息所含岗位", "个"),
                    ("role_models", "创业典型", ""),
                    ("event_kinds", "宣传形式", ""),
                ],
            ),
        ],
    )
