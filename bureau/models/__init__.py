from .audit import AuditEvent, AuditRefused, ExportLog
from .changes import PendingChange
from .enterprises import Enterprise
from .idempotency import IdempotencyKey
from .jobs import ExportJob, ImportJob
from .payments import BankAccount, Payment, PaymentBatch, PaymentProgramme
from .people import FamilyLink, Merit, Person, PersonCategory, PreferentialCategory
from .records import ActivityRecord, Attachment, ReviewStatus, TownshipRecord, VersionedModel
from .site import SiteProfile
from .townships import Township
from .users import User

__all__ = [
    "ActivityRecord",
    "Attachment",
    "AuditEvent",
    "AuditRefused",
    "BankAccount",
    "Enterprise",
    "ExportJob",
    "ExportLog",
    "FamilyLink",
    "IdempotencyKey",
    "ImportJob",
    "Merit",
    "Payment",
    "PaymentBatch",
    "PaymentProgramme",
    "PendingChange",
    "Person",
    "PersonCategory",
    "PreferentialCategory",
    "ReviewStatus",
    "SiteProfile",
    "Township",
    "TownshipRecord",
    "User",
    "VersionedModel",
]
