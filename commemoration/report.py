"""Section (五) 褒扬纪念工作重点突出. Placeholder until the commemoration issue keeps the records."""

from bureau.reporting import Section, missing_item


def section(*, year: int, township=None) -> Section:
    return Section(
        app_label="commemoration",
        area="褒扬纪念",
        heading="褒扬纪念工作重点突出",
        placeholder=True,
        items=[
            missing_item(
                key="commemoration.facilities",
                title="建立健全机构，提升保护管理能力",
                default_sentence=(
                    "成立烈士纪念设施保护中心，将全区{{ facilities }}处烈士纪念设施统一归口管理（{{ by_level }}），"
                    "为长期有效做好烈士纪念设施的保护管理提供了有力保障。"
                ),
                figures=[("facilities", "统一管理的烈士纪念设施", "处"), ("by_level", "按保护级别", "")],
            ),
            missing_item(
                key="commemoration.upgrades",
                title="积极参与评定，加大设施建设投入",
                default_sentence=(
                    "为推动褒扬纪念工作不断深化，拟投资{{ investment }}对{{ facility_names }}进行提升改造，"
                    "为申请{{ target_level }}烈士纪念设施做好准备。"
                ),
                figures=[
                    ("projects", "提升改造项目", "个"),
                    ("investment", "计划投资", "元"),
                    ("facility_names", "改造设施", ""),
                    ("target_level", "申报级别", ""),
                ],
            ),
            missing_item(
                key="commemoration.martyr_children",
                title="开展关爱烈士子女，感党恩送温暖活动",
                default_sentence=(
                    "为{{ children_checked }}名烈士子女提供了免费健康体检，按每户{{ standard }}的标准，"
                    "走访慰问{{ households }}户烈士子女，共发放慰问金{{ total }}。"
                ),
                figures=[
                    ("children_checked", "体检烈士子女", "名"),
                    ("standard", "每户慰问标准", "元"),
                    ("households", "走访慰问", "户"),
                    ("total", "慰问金合计", "元"),
                ],
            ),
            missing_item(
                key="commemoration.qingming",
                title="精心组织清明祭英烈活动",
                default_sentence=(
                    "向全区发起了网上文明绿色祭扫的倡议书，精心制作了网上祭扫平台，{{ visitors }}人次访问，"
                    "留下献花和寄语{{ tributes }}条，营造学习英烈、缅怀英烈、致敬英烈、守护英烈的良好社会风尚。"
                ),
                figures=[("visitors", "祭扫平台访问", "人次"), ("tributes", "网上献花寄语", "条")],
            ),
            missing_item(
                key="commemoration.role_models",
                title="积极选树优秀典型",
                default_sentence=(
                    "开展第{{ edition }}届“最美退役军人”“最美军嫂”评选活动，评选出{{ first_veteran }}等{{ veterans }}人为"
                    "“最美退役军人”、{{ first_spouse }}等{{ spouses }}人为“最美军嫂”，汇聚退役军人正能量。"
                ),
                figures=[
                    ("edition", "评选届次", "届"),
                    ("veterans", "最美退役军人", "人"),
                    ("first_veteran", "最美退役军人（首位）", ""),
                    ("spouses", "最美军嫂", "人"),
                    ("first_spouse", "最美军嫂（首位）", ""),
                ],
            ),
            missing_item(
                key="commemoration.ceremony",
                title="隆重举行公祭活动",
                default_sentence=(
                    "在烈士纪念日来临之际，区四套班子领导、区委各部门、区直各单位及其他代表共计{{ attendees }}余人"
                    "在{{ venue }}举行公祭活动，深情缅怀革命先烈的丰功伟绩和崇高精神。"
                ),
                figures=[("ceremonies", "公祭活动", "场"), ("attendees", "参加人数", "人"), ("venue", "地点", "")],
            ),
        ],
    )
