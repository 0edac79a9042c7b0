"""
Excel export of the preferential-care records, declared on the import/export kit (Chinese
headers, masking, formula escaping). Their money is in the ledger, exported with it.
"""

from bureau.importexport import export_resource
from pensions.models import ConscriptBenefit, HardshipAid, OralHistoryExhibition, OralHistoryInterview, Problem

ACTIVITY_FIELDS = ["title", "start_date", "end_date", "venue", "township", "headcount", "cost", "online_views"]

HardshipAidResource = export_resource(
    HardshipAid,
    [
        "person",
        "kind",
        "applied_on",
        "reason",
        "amount_requested",
        "decision",
        "amount_granted",
        "decided_on",
        "township",
        "review_status",
    ],
)
ConscriptBenefitResource = export_resource(
    ConscriptBenefit,
    [
        "family",
        "conscript_name",
        "enlistment_year",
        "benefit_year",
        "region",
        "amount",
        "supplement",
        "back_pay",
        "paid_on",
        "township",
        "review_status",
    ],
)
ProblemResource = export_resource(
    Problem,
    [
        "person",
        "kind",
        "description",
        "source",
        "reported_on",
        "assignee",
        "state",
        "resolution",
        "resolved_on",
        "supervised",
        "township",
        "review_status",
    ],
)
OralHistoryInterviewResource = export_resource(
    OralHistoryInterview,
    [
        "person",
        "war",
        "interviewed_on",
        "interviewer",
        "duration_minutes",
        "video_link",
        "consent_recorded",
        "township",
        "review_status",
    ],
)
OralHistoryExhibitionResource = export_resource(
    OralHistoryExhibition, ["venue_kind", *ACTIVITY_FIELDS, "review_status"]
)
