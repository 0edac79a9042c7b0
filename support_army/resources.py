"""
Excel import/export of the support-army records, declared on the import/export kit (Chinese
headers, all or nothing, row errors, masking, the workflow for station users).

Imported, as offices keep them in sheets: merit notices (立功喜报, one row a soldier's merit),
reception points, homecoming registrations (返乡报到), the troops' requests, joint activities and
the alliance's member enterprises. Exported only: delivery batches (a notice names its date), the
matchmaking event and the Army Day gala (one event a year, entered in the form; the gala's
programmes are rows inside it).

A related record is named as the clerk knows it: a person by 身份证号, a township, a point or an
enterprise by its name, a merit as the portal shows it (2020年三等功).
"""

import re

from django.core.exceptions import ValidationError
from import_export import fields, widgets

from bureau.importexport import (
    CountWidget,
    DateWidget,
    IdNumberWidget,
    MoneyWidget,
    NameForeignKeyWidget,
    PersonByIdNumberWidget,
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
from bureau.models import Enterprise, Merit
from support_army.models import (
    AllianceMember,
    ArmyDayGala,
    HomecomingRegistration,
    JointActivity,
    MatchmakingEvent,
    MeritNotice,
    MeritNoticeBatch,
    ReceptionPoint,
    TroopRequest,
)

# --- 立功喜报 ------------------------------------------------------------------------------------


class MeritWidget(widgets.ForeignKeyWidget):
    """
    The soldier's merit as the portal names it, 2020年三等功, looked up among the merits registered
    for the row's soldier (the ID number column). A soldier the row cannot name is that column's
    error alone: the merit then says nothing.
    """

    merit_text = re.compile(r"^(?P<year>\d{4})\s*年?\s*(?P<level>\S+)$")

    def __init__(self, soldier_column: str, **kwargs):
        super().__init__(Merit, **kwargs)
        self.soldier_column = soldier_column
        # Set by PortalResource to its user: only merits of people the user may see are found.
        self.user = None

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        text = str(int(value) if isinstance(value, float) else value).strip()
        levels = {str(label): code for code, label in Merit.Level.choices}
        match = self.merit_text.match(text)
        if not match or match["level"] not in levels:
            raise ValueError(f"立功受奖“{text}”无法识别，请填写年度和等级，如 2020年三等功。")
        try:
            number = IdNumberWidget().clean((row or {}).get(self.soldier_column))
        except ValueError:
            return None  # the ID number's own message says what is wrong
        if not number:
            return None
        merits = Merit.objects.all() if self.user is None else Merit.objects.visible_to(self.user)
        merit = merits.filter(person__id_number=number, year=int(match["year"]), level=levels[match["level"]]).first()
        if merit is None:
            raise ValueError(f"该现役军人未登记{text}，请先在其人员信息的“立功受奖”中登记。")
        return merit

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""

    template_note = "年度和等级，如：2020年三等功（须已在该现役军人的“立功受奖”中登记）"


class MeritNoticeResource(PortalResource):
    """A list of notices due or delivered: the soldier by 身份证号 + 姓名, the merit, the family receiving it."""

    soldier = fields.Field("soldier", "身份证号", widget=PersonByIdNumberWidget())
    soldier_name = fields.Field(column_name="姓名", widget=TextWidget())
    merit = fields.Field("merit", "立功受奖", widget=MeritWidget(soldier_column="身份证号"))
    unit = fields.Field("unit", "所在部队", widget=TextWidget())
    recipient = fields.Field("recipient", "接收喜报家属身份证号", widget=PersonByIdNumberWidget())
    delivered_on = fields.Field("delivered_on", "送达日期", widget=DateWidget())
    township = township_shown()
    review_status = review_status_column(MeritNotice)

    class Meta:
        model = MeritNotice
        fields = [
            "soldier",
            "soldier_name",
            "merit",
            "unit",
            "recipient",
            "delivered_on",
            "township",
            "review_status",
        ]
        # One notice per merit: a second file of the same merits updates them.
        import_id_fields = ["merit"]

    sample_row = {
        "身份证号": "320102200001011234",
        "姓名": "张三",
        "立功受奖": "2020年三等功",
        "所在部队": "某部",
        "接收喜报家属身份证号": "320102197001011234",
        "送达日期": "2021-02-04",
    }

    def dehydrate_soldier_name(self, notice):
        return notice.soldier.name

    def get_instance(self, instance_loader, row):
        # An unreadable key cell is reported by the row's own validation, with the row number.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        name = TextWidget().clean(row.get("姓名"))
        if "soldier" not in errors and instance.soldier_id:
            if not name:
                errors["soldier_name"] = [ValidationError("请填写姓名。")]
            elif name != instance.soldier.name:
                errors["soldier_name"] = [
                    ValidationError(f"姓名“{name}”与人员库中该身份证号登记的姓名“{instance.soldier.name}”不一致。")
                ]
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            # Without a soldier there is no merit to find: the ID number's message is the row's.
            if "soldier" in error.error_dict and instance.merit_id is None:
                error.error_dict.pop("merit", None)
            raise


MeritNoticeBatchResource = export_resource(
    MeritNoticeBatch,
    ["delivered_on", "delivered_by", "station_staff", "armed_forces_staff", "township", "review_status"],
)

# --- 喜迎退役军人回家 ------------------------------------------------------------------------------


class ReceptionPointResource(PortalResource):
    name = fields.Field("name", "报到点名称", widget=TextWidget())
    address = fields.Field("address", "地址", widget=TextWidget())
    opens_on = fields.Field("opens_on", "启用日期", widget=DateWidget())
    closes_on = fields.Field("closes_on", "撤点日期", widget=DateWidget())
    township = township_column()
    review_status = review_status_column(ReceptionPoint)

    class Meta:
        model = ReceptionPoint
        fields = ["name", "address", "opens_on", "closes_on", "township", "review_status"]
        import_id_fields = ["name", "opens_on"]

    sample_row = {
        "报到点名称": "东站退役军人报到点",
        "地址": "东站出站口",
        "启用日期": "2021-09-01",
        "撤点日期": "2021-09-30",
        "乡镇（街道）": "",
    }


class HomecomingRegistrationResource(PersonRowResource):
    """The returning veterans' roster: one row a veteran, received at which point and when."""

    point = fields.Field("point", "接站报到点", widget=NameForeignKeyWidget(ReceptionPoint, "name"))
    received_on = fields.Field("received_on", "报到日期", widget=DateWidget())
    welcomed = fields.Field("welcomed", "已举行欢迎仪式", widget=YesNoWidget())
    note = fields.Field("note", "备注", widget=TextWidget())
    township = township_shown()
    review_status = review_status_column(HomecomingRegistration)

    class Meta:
        model = HomecomingRegistration
        fields = ["person", "person_name", "point", "received_on", "welcomed", "note", "township", "review_status"]
        # One registration per veteran.
        import_id_fields = ["person"]

    sample_row = {
        "身份证号": "320102199801011234",
        "姓名": "李四",
        "接站报到点": "东站退役军人报到点",
        "报到日期": "2021-09-12",
        "已举行欢迎仪式": "是",
    }


# --- 服务驻区部队 ----------------------------------------------------------------------------------


class TroopRequestResource(PortalResource):
    unit = fields.Field("unit", "驻区部队", widget=TextWidget())
    summary = fields.Field("summary", "一句话摘要", widget=TextWidget())
    request = fields.Field("request", "需求内容", widget=TextWidget())
    received_on = fields.Field("received_on", "受理日期", widget=DateWidget())
    departments = fields.Field("departments", "协调部门", widget=TextWidget())
    teams_sent = fields.Field("teams_sent", "派出作业队伍（支）", widget=CountWidget(), saves_null_values=False)
    actions = fields.Field("actions", "办理情况", widget=TextWidget())
    status = choice_column(TroopRequest, "status", "状态")
    resolved_on = fields.Field("resolved_on", "解决日期", widget=DateWidget())
    township = township_column()
    review_status = review_status_column(TroopRequest)

    class Meta:
        model = TroopRequest
        fields = [
            "unit",
            "summary",
            "request",
            "received_on",
            "departments",
            "teams_sent",
            "actions",
            "status",
            "resolved_on",
            "township",
            "review_status",
        ]
        # A request is its unit, the day it was received and its summary: a re-import updates how it went.
        import_id_fields = ["unit", "received_on", "summary"]

    sample_row = {
        "驻区部队": "某部",
        "一句话摘要": "为驻区部队建设阳光晾衣篷",
        "需求内容": "官兵晾晒衣物困难",
        "受理日期": "2021-05-10",
        "协调部门": "城管、住建",
        "派出作业队伍（支）": 1,
        "状态": "已解决",
        "解决日期": "2021-06-20",
    }


# --- 双拥共建活动与活动 ----------------------------------------------------------------------------


class ActivityImportResource(PortalResource):
    """The columns of an activity record (bureau.models.ActivityRecord); a re-import matches 名称 + 开始日期."""

    title = fields.Field("title", "名称", widget=TextWidget())
    start_date = fields.Field("start_date", "开始日期", widget=DateWidget())
    end_date = fields.Field("end_date", "结束日期", widget=DateWidget())
    venue = fields.Field("venue", "地点", widget=TextWidget())
    township = township_column()
    headcount = fields.Field("headcount", "参加人数", widget=CountWidget())
    cost = fields.Field("cost", "费用（元）", widget=MoneyWidget())
    online_views = fields.Field("online_views", "线上观看人次", widget=CountWidget())


ACTIVITY_FIELDS = ["title", "start_date", "end_date", "venue", "township", "headcount", "cost", "online_views"]


class JointActivityResource(ActivityImportResource):
    kind = choice_column(JointActivity, "kind", "活动形式")
    units = fields.Field("units", "参加单位", widget=TextWidget())
    review_status = review_status_column(JointActivity)

    class Meta:
        model = JointActivity
        fields = ["kind", *ACTIVITY_FIELDS, "units", "review_status"]
        import_id_fields = ["title", "start_date"]

    sample_row = {
        "活动形式": "军地联合植树",
        "名称": "军地联合植树活动",
        "开始日期": "2021-03-12",
        "地点": "滨江公园",
        "参加人数": 60,
        "参加单位": "驻区某部、区林业局",
    }


MatchmakingEventResource = export_resource(
    MatchmakingEvent,
    ["partner_unit", "theme", *ACTIVITY_FIELDS, "women", "soldiers", "duration_hours", "couples", "review_status"],
)
ArmyDayGalaResource = export_resource(ArmyDayGala, ["anniversary", *ACTIVITY_FIELDS, "review_status"])

# --- 爱心拥军团 ------------------------------------------------------------------------------------


class AllianceMemberResource(PortalResource):
    """The alliance's member list: one row an enterprise (registered in 企业名录), its batch and its offer."""

    enterprise = fields.Field("enterprise", "会员企业", widget=NameForeignKeyWidget(Enterprise, "name"))
    batch_number = fields.Field("batch_number", "加入批次", widget=CountWidget())
    joined_on = fields.Field("joined_on", "加入日期", widget=DateWidget())
    offer = fields.Field("offer", "优待服务", widget=TextWidget())
    address = fields.Field("address", "服务地址", widget=TextWidget())
    service_phone = fields.Field("service_phone", "服务电话", widget=TextWidget())
    status = choice_column(AllianceMember, "status", "状态")
    left_on = fields.Field("left_on", "退出日期", widget=DateWidget())

    class Meta:
        model = AllianceMember
        fields = ["enterprise", "batch_number", "joined_on", "offer", "address", "service_phone", "status", "left_on"]
        # One membership per enterprise.
        import_id_fields = ["enterprise"]

    sample_row = {
        "会员企业": "某某超市有限公司",
        "加入批次": 5,
        "加入日期": "2021-07-15",
        "优待服务": "现役军人家属、退役军人凭证消费享受九折优惠",
        "服务地址": "人民路1号",
        "服务电话": "0571-88888888",
        "状态": "在团",
    }
