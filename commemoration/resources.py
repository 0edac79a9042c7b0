"""Excel export of the commemoration records, declared on the import/export kit (Chinese headers, masking)."""

from bureau.importexport import export_resource
from commemoration.models import (
    Ceremony,
    FacilityInspection,
    Martyr,
    MemorialFacility,
    Nominee,
    Tribute,
    UpgradeProject,
)

MemorialFacilityResource = export_resource(
    MemorialFacility,
    ["name", "kind", "protection_level", "address", "latitude", "longitude", "managing_unit", "condition", "township"],
)
FacilityInspectionResource = export_resource(
    FacilityInspection, ["facility", "inspected_on", "inspector", "findings", "follow_up", "township", "review_status"]
)
UpgradeProjectResource = export_resource(
    UpgradeProject,
    ["title", "planned_investment", "funding_source", "target_level", "planned_on", "status", "actual_spend"],
)
MartyrResource = export_resource(
    Martyr,
    ["person", "sacrificed_on", "sacrifice_place", "unit", "recognised_on", "recognition_document", "resting_facility"],
)
NomineeResource = export_resource(Nominee, ["selection", "person", "result", "rank", "township", "review_status"])
CeremonyResource = export_resource(
    Ceremony, ["title", "occasion", "start_date", "venue", "headcount", "units", "township", "review_status"]
)
TributeResource = export_resource(Tribute, ["martyr", "kind", "message", "signature", "moderation", "created_at"])
