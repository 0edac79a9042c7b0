from .audit import AuditEvent, AuditRefused, ExportLog
from .background import BackgroundJob, OutboxMessage
from .care import CheckUp, CheckUpBatch, HardshipCategory, Occasion, Visit
from .categories import PersonCategory, PreferentialCategory
from .changes import PendingChange
from .closing import ClosedYear
from .drafts import FormDraft
from .enterprises import Enterprise
from .families import FamilyLink
from .health import ServiceHeartbeat
from .held import HeldPayment
from .idempotency import IdempotencyKey
from .jobs import ExportJob, ImportColumnMapping, ImportJob
from .ledger_summary import (
    LedgerPaidMonth,
    LedgerPayeeYear,
    LedgerPersonProgramme,
    LedgerPersonYear,
    LedgerProgrammeYear,
)
from .merits import Merit
from .notices import Notice
from .payments import BankAccount, Payment, PaymentBatch, PaymentProgramme
from .people import Person
from .proposals import PaymentProposal, PaymentProposalLine
from .records import ActivityRecord, Attachment, ReviewStatus, TownshipRecord, VersionedModel
from .registry_summary import RegistryPersonEvent, RegistryYear
from .rules import DeclaredDatesMixin
from .site import SiteProfile
from .townships import Township
from .transfers import TransferRequest
from .users import PasswordReset, User

__all__ = [
    "ActivityRecord",
    "Attachment",
    "AuditEvent",
    "AuditRefused",
    "BackgroundJob",
    "BankAccount",
    "CheckUp",
    "CheckUpBatch",
    "ClosedYear",
    "DeclaredDatesMixin",
    "Enterprise",
    "ExportJob",
    "ExportLog",
    "FamilyLink",
    "FormDraft",
    "HardshipCategory",
    "HeldPayment",
    "IdempotencyKey",
    "ImportColumnMapping",
    "ImportJob",
    "LedgerPaidMonth",
    "LedgerPayeeYear",
    "LedgerPersonProgramme",
    "LedgerPersonYear",
    "LedgerProgrammeYear",
    "Merit",
    "Notice",
    "Occasion",
    "OutboxMessage",
    "Payment",
    "PaymentBatch",
    "PaymentProgramme",
    "PasswordReset",
    "PaymentProposal",
    "PaymentProposalLine",
    "PendingChange",
    "Person",
    "PersonCategory",
    "PreferentialCategory",
    "RegistryPersonEvent",
    "RegistryYear",
    "ReviewStatus",
    "ServiceHeartbeat",
    "SiteProfile",
    "Township",
    "TownshipRecord",
    "TransferRequest",
    "User",
    "VersionedModel",
    "Visit",
]
