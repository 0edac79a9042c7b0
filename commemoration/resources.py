"""
Excel import/export of the commemoration records, declared on the import/export kit (Chinese
headers, all or nothing, row errors, masking, the workflow for station users).

Imported, as offices keep them in sheets: the memorial facilities, their inspections, the martyrs
(烈士英名录), the nominees of a selection and the ceremonies. Exported only: the upgrade projects (a
handful, each naming several facilities and its milestones, entered in the form) and the online
memorial's tributes (written by visitors).

A related record is named as the clerk knows it: a person by 身份证号 + 姓名, a facility or a
township by its name, a selection as the portal shows it (第2届“最美退役军人”（2021年）).
"""

import re

from import_export import fields, widgets

from bureau.importexport import (
    CountWidget,
    DateWidget,
    MoneyWidget,
    NameForeignKeyWidget,
    PersonRowResource,
    PortalResource,
    TextWidget,
    YesNoWidget,
    choice_column,
    export_resource,
    is_blank,
    review_status_column,
    township_column,
    township_shown,
)
from commemoration.models import (
    Ceremony,
    FacilityInspection,
    HonourSelection,
    Martyr,
    MemorialFacility,
    Nominee,
    Tribute,
    UpgradeProject,
)


def facility_column(name: str, column: str) -> fields.Field:
    return fields.Field(name, column, widget=NameForeignKeyWidget(MemorialFacility, "name"))


# --- 烈士纪念设施 ----------------------------------------------------------------------------------


class MemorialFacilityResource(PortalResource):
    name = fields.Field("name", "设施名称", widget=TextWidget())
    kind = choice_column(MemorialFacility, "kind", "类型")
    protection_level = choice_column(MemorialFacility, "protection_level", "保护级别")
    address = fields.Field("address", "位置", widget=TextWidget())
    # Read as text, converted (and checked) by the model field: coordinates keep their six decimals.
    latitude = fields.Field("latitude", "纬度", widget=TextWidget())
    longitude = fields.Field("longitude", "经度", widget=TextWidget())
    managing_unit = fields.Field("managing_unit", "管理单位", widget=TextWidget())
    condition = choice_column(MemorialFacility, "condition", "设施状况")
    township = township_column()
    note = fields.Field("note", "备注", widget=TextWidget())
    review_status = review_status_column(MemorialFacility)

    class Meta:
        model = MemorialFacility
        fields = [
            "name",
            "kind",
            "protection_level",
            "address",
            "latitude",
            "longitude",
            "managing_unit",
            "condition",
            "township",
            "note",
            "review_status",
        ]
        # Facility names are unique: a second file of the same facilities updates them.
        import_id_fields = ["name"]

    sample_row = {
        "设施名称": "革命纪念塔",
        "类型": "纪念塔",
        "保护级别": "区级",
        "位置": "区革命纪念公园内",
        "纬度": "28.680000",
        "经度": "115.850000",
        "管理单位": "区烈士纪念设施保护中心",
        "设施状况": "完好",
        "乡镇（街道）": "甲镇",
    }

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # A blank coordinate is none (the model field would read "" as a bad number).
        if field.attribute in ("latitude", "longitude") and is_blank(row.get(field.column_name)):
            setattr(instance, field.attribute, None)
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)


class FacilityInspectionResource(PortalResource):
    facility = facility_column("facility", "纪念设施")
    inspected_on = fields.Field("inspected_on", "巡查日期", widget=DateWidget())
    inspector = fields.Field("inspector", "巡查人", widget=TextWidget())
    findings = fields.Field("findings", "发现问题", widget=TextWidget())
    follow_up = fields.Field("follow_up", "整改情况", widget=TextWidget())
    township = township_shown()
    review_status = review_status_column(FacilityInspection)

    class Meta:
        model = FacilityInspection
        fields = ["facility", "inspected_on", "inspector", "findings", "follow_up", "township", "review_status"]
        # One inspection of a facility a day: a re-import updates its findings and follow-up.
        import_id_fields = ["facility", "inspected_on"]

    sample_row = {
        "纪念设施": "革命纪念塔",
        "巡查日期": "2021-04-02",
        "巡查人": "王五",
        "发现问题": "塔基瓷砖脱落",
        "整改情况": "已修复",
    }


UpgradeProjectResource = export_resource(
    UpgradeProject,
    ["title", "planned_investment", "funding_source", "target_level", "planned_on", "status", "actual_spend"],
)

# --- 烈士 ------------------------------------------------------------------------------------------


class MartyrResource(PersonRowResource):
    """The roll of martyrs (烈士英名录): a deceased person of the registry by 身份证号 + 姓名, and the details."""

    sacrificed_on = fields.Field("sacrificed_on", "牺牲日期", widget=DateWidget())
    sacrifice_place = fields.Field("sacrifice_place", "牺牲地点", widget=TextWidget())
    unit = fields.Field("unit", "生前所在单位", widget=TextWidget())
    deeds = fields.Field("deeds", "英雄事迹", widget=TextWidget())
    recognised_on = fields.Field("recognised_on", "评定日期", widget=DateWidget())
    recognition_document = fields.Field("recognition_document", "批准文号", widget=TextWidget())
    resting_facility = facility_column("resting_facility", "安葬（纪念）设施")
    publication_consent = fields.Field("publication_consent", "家属同意网上公开", widget=YesNoWidget())
    consent_note = fields.Field("consent_note", "同意公开情况", widget=TextWidget())

    class Meta:
        model = Martyr
        fields = [
            "person",
            "person_name",
            "sacrificed_on",
            "sacrifice_place",
            "unit",
            "deeds",
            "recognised_on",
            "recognition_document",
            "resting_facility",
            "publication_consent",
            "consent_note",
        ]
        import_id_fields = ["person"]

    sample_row = {
        "身份证号": "320102197001011234",
        "姓名": "赵六",
        "牺牲日期": "1998-08-15",
        "牺牲地点": "九江大堤",
        "生前所在单位": "某部",
        "英雄事迹": "1998年抗洪抢险中英勇牺牲。",
        "评定日期": "1998-12-01",
        "批准文号": "民发〔1998〕1号",
        "安葬（纪念）设施": "革命纪念塔",
        "家属同意网上公开": "是",
        "同意公开情况": "烈士之子书面同意",
    }


# --- 选树典型 --------------------------------------------------------------------------------------


class SelectionWidget(widgets.ForeignKeyWidget):
    """
    A selection as the portal names it, 第2届“最美退役军人”（2021年）, or without the year while that
    names one. Selections are few: all are read once per import.
    """

    plain = re.compile(r"[“”\"'‘’\s]")

    def __init__(self, **kwargs):
        super().__init__(HonourSelection, **kwargs)
        self._names = None

    def preload(self, values) -> None:
        self._names = {}
        for selection in HonourSelection.objects.all():
            for name in (str(selection), f"第{selection.edition}届“{selection.title}”"):
                key = self.plain.sub("", name).replace("(", "（").replace(")", "）")
                self._names.setdefault(key, []).append(selection)

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if self._names is None:
            self.preload([])
        text = str(value).strip()
        found = self._names.get(self.plain.sub("", text).replace("(", "（").replace(")", "）"), [])
        if not found:
            raise ValueError(f"没有名为 {text} 的评选，请按“典型评选”中的名称填写，如 第2届“最美退役军人”（2021年）。")
        if len(found) > 1:
            raise ValueError(f"名为 {text} 的评选不止一个，请注明年度，如 {found[0]}。")
        return found[0]

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""

    template_note = "届次和称号，如：第2届“最美退役军人”（2021年）"


class NomineeResource(PersonRowResource):
    """
    A selection's nominees: one row a person. The result and the order are the bureau's to set
    (a station's file leaves them blank: `bureau_decided_fields`).
    """

    selection = fields.Field("selection", "评选", widget=SelectionWidget())
    deeds = fields.Field("deeds", "主要事迹", widget=TextWidget())
    result = choice_column(Nominee, "result", "评审结果")
    rank = fields.Field("rank", "公布顺序", widget=CountWidget())
    township = township_shown()
    review_status = review_status_column(Nominee)

    class Meta:
        model = Nominee
        fields = ["selection", "person", "person_name", "deeds", "result", "rank", "township", "review_status"]
        import_id_fields = ["selection", "person"]

    sample_row = {
        "评选": "第2届“最美退役军人”（2021年）",
        "身份证号": "320102198001011234",
        "姓名": "孙七",
        "主要事迹": "退役不褪色，带领村民致富。",
    }


# --- 公祭与清明祭英烈 ------------------------------------------------------------------------------


class CeremonyResource(PortalResource):
    """The ceremonies of the district and the townships; a re-import matches 名称 + 开始日期."""

    title = fields.Field("title", "名称", widget=TextWidget())
    occasion = choice_column(Ceremony, "occasion", "纪念时机")
    start_date = fields.Field("start_date", "开始日期", widget=DateWidget())
    facility = facility_column("facility", "举行地点（纪念设施）")
    venue = fields.Field("venue", "地点", widget=TextWidget())
    headcount = fields.Field("headcount", "参加人数", widget=CountWidget())
    cost = fields.Field("cost", "费用（元）", widget=MoneyWidget())
    units = fields.Field("units", "参加单位", widget=TextWidget())
    township = township_column()
    review_status = review_status_column(Ceremony)

    class Meta:
        model = Ceremony
        fields = [
            "title",
            "occasion",
            "start_date",
            "facility",
            "venue",
            "headcount",
            "cost",
            "units",
            "township",
            "review_status",
        ]
        import_id_fields = ["title", "start_date"]

    sample_row = {
        "名称": "烈士纪念日公祭活动",
        "纪念时机": "烈士纪念日",
        "开始日期": "2021-09-30",
        "举行地点（纪念设施）": "革命纪念塔",
        "参加人数": 320,
        "参加单位": "区四套班子领导、区直各单位",
    }


TributeResource = export_resource(Tribute, ["martyr", "kind", "message", "signature", "moderation", "created_at"])
