from .audit import AuditEvent, AuditRefused, ExportLog
from .care import CheckUp, CheckUpBatch, HardshipCategory, Occasion, Visit
from .changes import PendingChange
from .enterprises import Enterprise
from .held import HeldPayment
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
    "CheckUp",
    "CheckUpBatch",
    "Enterprise",
    "ExportJob",
    "ExportLog",
    "FamilyLink",
    "HardshipCategory",
    "HeldPayment",
    "IdempotencyKey",
    "ImportJob",
    "Merit",
    "Occasion",
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
    "Visit",
]
