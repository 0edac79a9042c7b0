"""Section (四) 双拥共建工作成绩显著. Placeholder until the support_army issue keeps the records."""

from bureau.reporting import Section, missing_item

LEAD = (
    "今年以来，我局以创建“双拥模范城”为目标，稳扎稳打，多措并举，以积极主动的作为推动双拥共建工作向更深更好处发展，"
    "在全区广泛营造军爱民、民拥军，军民鱼水情的浓厚氛围。"
)


def section(*, year: int, township=None) -> Section:
    return Section(
        app_label="support_army",
        area="双拥共建",
        heading="双拥共建工作成绩显著",
        lead=LEAD,
        placeholder=True,
        items=[
            missing_item(
                key="support_army.merit_notices",
                title="立功送喜报常态化",
                default_sentence=(
                    "{{ first_batch_date }}，为{{ first_batch_size }}位荣立三等功以上的本区籍现役军人集中送喜报，"
                    "此后定期和不定期地送喜报，截至目前，共为{{ notices }}位立功的本区籍现役军人送上喜报。"
                ),
                figures=[
                    ("first_batch_date", "首批送喜报日期", ""),
                    ("first_batch_size", "首批送喜报", "位"),
                    ("notices", "送喜报总数", "位"),
                ],
            ),
            missing_item(
                key="support_army.homecoming",
                title="喜迎退役军人回家",
                default_sentence=(
                    "设立{{ reception_points }}个退役军人报到点，为接到的{{ received }}位退役军人举行简单而热烈的欢迎仪式；"
                    "制定返乡报到流程，囊括户籍落户、社保、医保接续等各个环节，已办结{{ checklist_done }}项，待办{{ checklist_open }}项。"
                ),
                figures=[
                    ("reception_points", "报到点", "个"),
                    ("received", "接站退役军人", "位"),
                    ("checklist_done", "报到事项已办结", "项"),
                    ("checklist_open", "报到事项待办", "项"),
                ],
            ),
            missing_item(
                key="support_army.troop_requests",
                title="倾心尽力服务驻区部队",
                default_sentence=(
                    "部队有所求，我们必有所应。共收到驻区部队需求{{ requests }}件，已解决{{ resolved }}件：{{ summaries|join:'；' }}。"
                ),
                figures=[
                    ("requests", "部队需求", "件"),
                    ("resolved", "已解决需求", "件"),
                    ("summaries", "需求及解决情况", ""),
                ],
            ),
            missing_item(
                key="support_army.activities",
                title="双拥共建活动持续开展",
                default_sentence=(
                    "陆续进行了{{ activity_kinds|join:'、' }}等双拥共建活动{{ activities }}次；分{{ checkup_batches }}批次为全区现役军人家属"
                    "进行免费健康体检，体检人数为{{ checkup_person_times }}人次，共计花费{{ checkup_cost }}。"
                ),
                figures=[
                    ("activities", "双拥共建活动", "次"),
                    ("activity_kinds", "活动形式", ""),
                    ("checkup_batches", "军属体检批次", "批"),
                    ("checkup_person_times", "军属体检", "人次"),
                    ("checkup_cost", "体检花费", "元"),
                ],
            ),
            missing_item(
                key="support_army.matchmaking",
                title="举办军地线上相亲联谊会",
                default_sentence=(
                    "区双拥工作领导小组联合部队举办线上相亲联谊会，{{ women }}名优秀女青年和{{ soldiers }}名单身青年官兵及退役军人"
                    "一起走进直播间，直播长达{{ hours }}个多小时，直播浏览量{{ views }}，{{ couples }}对青年牵手成功。"
                ),
                figures=[
                    ("women", "女青年", "名"),
                    ("soldiers", "单身官兵及退役军人", "名"),
                    ("hours", "直播时长", "小时"),
                    ("views", "直播浏览量", "人次"),
                    ("couples", "牵手成功", "对"),
                ],
            ),
            missing_item(
                key="support_army.army_day_gala",
                title="隆重举行庆祝建军周年文艺晚会",
                default_sentence=(
                    "隆重举行庆祝建军{{ anniversary }}周年文艺晚会，共计{{ audience }}余人现场观看，陆续表演了{{ programme_titles }}"
                    "等{{ programmes }}个形式多样、异彩纷呈的节目，近{{ online_viewers }}名网友通过网络直播观看了节目。"
                ),
                figures=[
                    ("anniversary", "建军周年", "周年"),
                    ("audience", "现场观众", "人"),
                    ("programmes", "节目", "个"),
                    ("programme_titles", "节目名称", ""),
                    ("online_viewers", "网络观看", "人"),
                ],
            ),
            missing_item(
                key="support_army.alliance",
                title="社会化拥军力量不断加强",
                default_sentence=(
                    "“爱心拥军团”迎来第{{ batch }}批{{ joined }}家新成员的加入，让广大现役军人家庭、退役军人及其优抚对象"
                    "享受到更多优先、优惠、优待服务。目前，“爱心拥军团”共有{{ members }}家会员企业。"
                ),
                figures=[
                    ("batch", "加入批次", "批"),
                    ("joined", "新加入成员", "家"),
                    ("members", "会员企业总数", "家"),
                ],
            ),
        ],
    )
