"""Section (二) 移交安置工作更有力度. Placeholder until the resettlement issue keeps the records."""

from bureau.reporting import Section, missing_item


def section(*, year: int, township=None) -> Section:
    return Section(
        app_label="resettlement",
        area="移交安置",
        heading="移交安置工作更有力度",
        placeholder=True,
        items=[
            missing_item(
                key="resettlement.funds",
                title="各类资金发放到位",
                default_sentence=(
                    "对退役士兵就业金核算及发放人数{{ subsidy_person_times }}人次，发放自主就业金{{ subsidy_total }}；"
                    "为{{ insurance_continuations }}名退役士兵办理社保接续，{{ medical_persons }}名退休人员核算办理职工医疗保险，"
                    "办理缴费{{ medical_payers }}人，个人负担{{ medical_personal }}，财政负担{{ medical_fiscal }}，合计{{ medical_total }}。"
                ),
                figures=[
                    ("subsidy_person_times", "自主就业金发放人次", "人次"),
                    ("subsidy_total", "自主就业金", "元"),
                    ("insurance_continuations", "社保接续", "人"),
                    ("medical_persons", "职工医疗保险核算人数", "人"),
                    ("medical_payers", "缴费人数", "人"),
                    ("medical_personal", "个人负担", "元"),
                    ("medical_fiscal", "财政负担", "元"),
                    ("medical_total", "医疗保险合计", "元"),
                ],
            ),
            missing_item(
                key="resettlement.placement",
                title="安置工作三方满意",
                default_sentence=(
                    "今年我区共有{{ eligible_ncos }}名退役士官符合政府安排工作条件，共提供了{{ departments }}个部门"
                    "{{ institutions }}个全额拨款事业单位的{{ positions }}个优质岗位以供选择，{{ candidates }}名转业士官"
                    "按照量化标准得分从高到低依次公开选岗，并当场签字确认，选岗率{{ placed_share }}。"
                ),
                figures=[
                    ("eligible_ncos", "符合安排工作条件的退役士官", "人"),
                    ("departments", "提供岗位的部门", "个"),
                    ("institutions", "全额拨款事业单位", "个"),
                    ("positions", "提供岗位", "个"),
                    ("candidates", "参加选岗", "人"),
                    ("placed_share", "选岗率", ""),
                ],
            ),
        ],
    )
