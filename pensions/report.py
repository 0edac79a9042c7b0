"""Section (三) 优待抚恤工作彰显温暖. Placeholder until the pensions issue keeps the records."""

from bureau.reporting import Section, missing_item


def section(*, year: int, township=None) -> Section:
    return Section(
        app_label="pensions",
        area="优待抚恤",
        heading="优待抚恤工作彰显温暖",
        placeholder=True,
        items=[
            missing_item(
                key="pensions.funds",
                title="优抚资金应发尽发",
                default_sentence=(
                    "截至目前，共为全区{{ hardship_persons }}名优抚对象解决“三难”（住房难、医疗难、生活难）问题共计{{ hardship_total }}；"
                    "发放重点优抚对象医疗补助人数{{ medical_persons }}名，资金{{ medical_total }}；按月发放各类优抚对象人数{{ monthly_persons }}名，"
                    "资金{{ monthly_total }}；“春节”优抚对象慰问人数{{ festival_persons }}名，资金{{ festival_total }}；"
                    "走访慰问{{ conscript_years }}入伍义务兵{{ conscript_visits }}名，慰问金共计{{ conscript_visit_total }}；"
                    "义务兵家属{{ conscript_families }}名，优待金共计{{ conscript_family_total }}；军休人员{{ retirees }}人发放资金{{ retiree_total }}。"
                ),
                figures=[
                    ("hardship_persons", "“三难”救助人数", "人"),
                    ("hardship_total", "“三难”救助资金", "元"),
                    ("medical_persons", "重点优抚对象医疗补助人数", "人"),
                    ("medical_total", "医疗补助资金", "元"),
                    ("monthly_persons", "按月发放人数", "人"),
                    ("monthly_total", "按月发放资金", "元"),
                    ("festival_persons", "春节慰问人数", "人"),
                    ("festival_total", "春节慰问资金", "元"),
                    ("conscript_years", "走访义务兵入伍年份", ""),
                    ("conscript_visits", "走访义务兵人数", "人"),
                    ("conscript_visit_total", "义务兵慰问金", "元"),
                    ("conscript_families", "义务兵家属人数", "人"),
                    ("conscript_family_total", "义务兵家庭优待金", "元"),
                    ("retirees", "军休人员", "人"),
                    ("retiree_total", "军休人员资金", "元"),
                ],
            ),
            missing_item(
                key="pensions.oral_history",
                title="进行口述历史纪实视频拍摄，留存“红色记忆”",
                default_sentence=(
                    "我局以全区{{ korean_war_veterans }}位健在的抗美援朝老兵为主体，进行口述历史纪实视频拍摄，"
                    "已拍摄{{ interviews }}人，并在校园、社区举办红色展陈宣讲活动{{ exhibitions }}场。"
                ),
                figures=[
                    ("korean_war_veterans", "健在的抗美援朝老兵", "位"),
                    ("interviews", "口述历史拍摄", "人"),
                    ("exhibitions", "展陈宣讲活动", "场"),
                ],
            ),
            missing_item(
                key="pensions.spring_visits",
                title="将“送温暖”活动向生活困难退役军人家庭延伸",
                default_sentence=(
                    "{{ year }}年春节全区走访慰问困难军队退役人员{{ visited_hardship }}人、困难企业军转干部{{ visited_cadres }}人、"
                    "1953年底参军后在国有企业退休的士兵{{ visited_state_retired }}人、荣立三等功以上退役军人{{ visited_merit }}人、"
                    "军休人员{{ visited_retirees }}人、省荣军医院休养退休士兵{{ visited_hospital }}人，共发放帮扶资金{{ aid_total }}，"
                    "收集困难问题{{ problems }}件，已解决{{ problems_resolved }}件。"
                ),
                figures=[
                    ("visited_hardship", "困难军队退役人员", "人"),
                    ("visited_cadres", "困难企业军转干部", "人"),
                    ("visited_state_retired", "1953年底参军后在国有企业退休的士兵", "人"),
                    ("visited_merit", "荣立三等功以上退役军人", "人"),
                    ("visited_retirees", "军休人员", "人"),
                    ("visited_hospital", "省荣军医院休养退休士兵", "人"),
                    ("aid_total", "帮扶资金", "元"),
                    ("problems", "收集困难问题", "件"),
                    ("problems_resolved", "已解决问题", "件"),
                ],
            ),
            missing_item(
                key="pensions.checkups",
                title="为重点优抚对象免费体检",
                default_sentence=(
                    "开展重点优抚对象免费体检活动，{{ checked }}名重点优抚对象参加，其中现场体检{{ on_site }}人、"
                    "上门体检{{ at_home }}人、接送体检{{ transported }}人，并为每位参加体检的重点优抚对象建立了个人健康电子档案"
                    "{{ health_files }}份，实现“一人一档”。"
                ),
                figures=[
                    ("checked", "参加体检", "人"),
                    ("on_site", "现场体检", "人"),
                    ("at_home", "上门体检", "人"),
                    ("transported", "接送体检", "人"),
                    ("health_files", "健康电子档案", "份"),
                ],
            ),
        ],
    )
