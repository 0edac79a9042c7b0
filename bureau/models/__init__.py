from .audit import ExportLog
from .payments import Payment, PaymentBatch, PaymentProgramme
from .people import FamilyLink, Merit, Person, PersonCategory, PreferentialCategory
from .records import ActivityRecord, Attachment, ReviewStatus, TownshipRecord
from .site import SiteProfile
from .townships import Township
from .users import User

__all__ = [
    "ActivityRecord",
    "Attachment",
    "ExportLog",
    "FamilyLink",
    "Merit",
    "Payment",
    "PaymentBatch",
    "PaymentProgramme",
    "Person",
    "PersonCategory",
    "PreferentialCategory",
    "ReviewStatus",
    "SiteProfile",
    "Township",
    "TownshipRecord",
    "User",
]
