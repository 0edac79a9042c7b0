"""Excel export of the support-army records, declared on the import/export kit (Chinese headers, masking)."""

from bureau.importexport import export_resource
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

ACTIVITY_FIELDS = ["title", "start_date", "end_date", "venue", "township", "headcount", "cost", "online_views"]

MeritNoticeBatchResource = export_resource(
    MeritNoticeBatch,
    ["delivered_on", "delivered_by", "station_staff", "armed_forces_staff", "township", "review_status"],
)
MeritNoticeResource = export_resource(
    MeritNotice, ["soldier", "merit", "recipient", "unit", "batch", "delivered_on", "township", "review_status"]
)
ReceptionPointResource = export_resource(
    ReceptionPoint, ["name", "address", "opens_on", "closes_on", "township", "review_status"]
)
HomecomingRegistrationResource = export_resource(
    HomecomingRegistration, ["person", "point", "received_on", "welcomed", "township", "review_status"]
)
TroopRequestResource = export_resource(
    TroopRequest,
    [
        "unit",
        "request",
        "received_on",
        "departments",
        "teams_sent",
        "actions",
        "status",
        "resolved_on",
        "summary",
        "township",
        "review_status",
    ],
)
JointActivityResource = export_resource(JointActivity, ["kind", *ACTIVITY_FIELDS, "units", "review_status"])
MatchmakingEventResource = export_resource(
    MatchmakingEvent,
    ["partner_unit", "theme", *ACTIVITY_FIELDS, "women", "soldiers", "duration_hours", "couples", "review_status"],
)
ArmyDayGalaResource = export_resource(ArmyDayGala, ["anniversary", *ACTIVITY_FIELDS, "review_status"])
AllianceMemberResource = export_resource(
    AllianceMember,
    ["enterprise", "batch_number", "joined_on", "offer", "address", "service_phone", "status", "left_on"],
)
