"""
The default wording of section (三) 优待抚恤工作彰显温暖, after the reference report
(`reference/annual-report-2021.txt`): Django templates rendered with the report's context (`year`,
`place`, `in_township` …) and the item's figures. Staff override them per year (Narrative by item key).

The rules they keep: no phrase said twice within an item, no clause stating zero (a clause whose
figure is zero is left out), the place named as `{{ place }}` (全区 or the township), small counts
as the reference writes them (两场).
"""

# Each clause of the funds sentence opens with "；" only when a clause before it was stated, so the
# list ends with "。" before 实现了… as the reference does, whichever programmes paid nothing.
FUNDS_SENTENCE = (
    "截至目前，"
    "{% if hardship_persons %}共为{{ place }}{{ hardship_persons }}名优抚对象解决“三难”（住房难、医疗难、生活难）问题"
    "共计{{ hardship_total }}{% endif %}"
    "{% if medical_persons %}{% if hardship_persons %}；{% endif %}"
    "发放重点优抚对象医疗补助人数{{ medical_persons }}名，资金{{ medical_total }}{% endif %}"
    "{% if monthly_persons %}{% if hardship_persons or medical_persons %}；{% endif %}"
    "按月发放各类优抚对象人数{{ monthly_persons }}名，资金{{ monthly_total }}{% endif %}"
    "{% if festival_persons %}{% if hardship_persons or medical_persons or monthly_persons %}；{% endif %}"
    "“春节”优抚对象慰问人数{{ festival_persons }}名，资金{{ festival_total }}{% endif %}"
    "{% if conscript_visits %}"
    "{% if hardship_persons or medical_persons or monthly_persons or festival_persons %}；{% endif %}"
    "走访慰问{{ conscript_years }}入伍义务兵走访人数{{ conscript_visits }}名，慰问金共计{{ conscript_visit_total }}"
    "{% endif %}"
    "{% if conscript_families %}"
    "{% if hardship_persons or medical_persons or monthly_persons or festival_persons or conscript_visits %}；{% endif %}"
    "发放{{ conscript_family_years }}入伍的义务兵家属优待金"
    "{% if back_pay %}（含补发{{ back_pay|join:'、' }}入伍的）{% endif %}，"
    "人数{{ conscript_families }}名，共计{{ conscript_family_total }}{% endif %}"
    "{% if retirees %}{% if hardship_persons or medical_persons or monthly_persons or festival_persons"
    " or conscript_visits or conscript_families %}；{% endif %}"
    "军休人员{{ retirees }}人发放资金{{ retiree_total }}{% endif %}"
    "。实现了应发尽发，实现了社会稳定，推动了经济发展。"
)
# The reference names the living veterans once (我局以全区63位…为主体); the year's filming is stated
# only when it says more than that (not every veteran filmed, or veterans of other wars too).
ORAL_HISTORY_SENTENCE = (
    "为充分挖掘参战老兵所承载的珍贵历史片段，我局以"
    "{% if korean_war_veterans %}{{ place }}{{ korean_war_veterans }}位{% endif %}健在的抗美援朝老兵为主体，"
    "进行口述历史纪实视频拍摄，"
    "{% if interviews and interviews != korean_war_veterans %}{{ year }}年拍摄{{ interviews }}位老兵，{% endif %}"
    "记录那些战火纷飞岁月中，老兵舍生忘死的战斗故事。"
    "{% if exhibitions %}拍摄完成后在{{ exhibition_venues|join:'、' }}举办红色展陈宣讲活动"
    "{{ exhibitions|count_word }}场，动员社会力量关注关爱现存老兵。{% endif %}"
)
SPRING_VISITS_SENTENCE = (
    "认真做好照顾救助和长期帮扶工作，把党和政府的温暖送到他们心坎上，让他们深切感受到党和政府的关心关怀。"
    "{{ year }}年春节{{ place }}走访慰问{{ visited_groups|join:'、' }}"
    "{% if aid_total %}，共发放帮扶资金{{ aid_total }}{% endif %}"
    "{% if problems %}，收集的困难问题数{{ problems }}件，"
    "{% if problems_resolved == problems %}并已全部解决{% elif problems_resolved %}已解决{{ problems_resolved }}件"
    "{% else %}正在协调解决{% endif %}{% endif %}。"
)
# The reference names 重点优抚对象 four times in this paragraph: once here, the title says the rest.
CHECKUPS_SENTENCE = (
    "开展免费健康体检活动，{{ checked }}名重点优抚对象参加。为让健康体检落到实处，不落一人，我们通过"
    "{% if mode_names|length > 1 %}{{ modes|join:'、' }}等多种灵活的方式"
    "{% else %}{{ mode_names|join:'、' }}的方式{% endif %}，让每一名优抚对象都能参加健康体检"
    "{% if health_files %}，同时"
    "{% if health_files == checked %}为每位参检人员建立了个人健康电子档案，实现“一人一档”和“一站式服务”"
    "{% else %}为其中{{ health_files }}人建立了个人健康电子档案{% endif %}{% endif %}。"
)
