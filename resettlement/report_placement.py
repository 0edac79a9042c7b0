"""Item 二 of section (二), 安置工作三方满意: from the year's placement batches (built with the placement session)."""

from bureau.reporting import Item, missing_item


def placement_item(*, year: int, township=None) -> Item:
    return missing_item(
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
    )
