"""
The admin of the portal: the kit every area app builds on, and the core's own admins. Django's
autodiscover imports this package, which registers the core's admins (its modules below).

Public names, for an area's admin.py (`from bureau.admin import RecordAdmin, ...`):

- `ScopedAdmin`: the base admin of a scoped model (township scoping, masking, the write-scope
  check, history, xlsx import/export, find-by-ID); composed of one mixin per concern, see
  `bureau.admin.base` for the concerns and their order.
- `RecordAdmin`: a workflow record (TownshipRecord): approve / return, state read-only,
  export only unless `importable = True`. `WORKFLOW_READONLY`: its read-only fields.
- `LedgerRecordAdmin`: a workflow record that pays through the ledger (`ledger_payment`); the
  admin of every paying model must be one.
- `ReadOnlyAdmin`: rows the portal writes itself, shown and never edited.
- `RunStepsAdmin`: a run (payroll, grant, …) that changes by its steps only: `_page`, `_run`,
  `_back` and a URL per declared step (bureau.admin.runs).
- `ScopedTabularInline`, `ScopedStackedInline`, `AttachmentInline`: child rows with scoped choices.
- `SensitiveQueryMixin`, `QueryAllowListMixin`: the query allow-list, for an admin not built on
  the kit; `VersionedAdminMixin`: the stale-write check on such an admin's form.
- `masked_display`, `path_display`: a list column of a sensitive path masked, of a related field
  under its Chinese name.

The kit's modules: `base` (the composed admins), `scoping`, `masking`, `review`, `imports`,
`exports`, `find`, `changelist`, `lookups`, `runs`, `closing` (a closed year's delete refused). The
core's admins: `accounts` (townships, site profile, users, roles), `people` (people, enterprises),
`payments` (ledger, batches, bank accounts), `proposals` (payments by two people), `held` (money
held, bank files), `care` (visits, check-ups), `changes` (pending changes), `closing` (closed
years, read-only), `transfers` (transfer requests), `audit`
(audit trail, export log), `history` (history tables, registered by `BureauConfig.ready()`),
`lockouts` (django-axes' pages in Chinese), `naming` (many-to-many link rows named in Chinese),
`placeholders` (「请选择」 in every drop-down list, given to every admin by `BureauConfig.ready()`).
"""

from django.contrib import admin

from bureau.admin.base import WORKFLOW_READONLY, LedgerRecordAdmin, ReadOnlyAdmin, RecordAdmin, ScopedAdmin
from bureau.admin.changelist import path_display
from bureau.admin.lookups import QueryAllowListMixin, SensitiveQueryMixin
from bureau.admin.masking import masked_display
from bureau.admin.runs import RunStepsAdmin
from bureau.admin.scoping import AttachmentInline, ScopedStackedInline, ScopedTabularInline, VersionedAdminMixin

admin.site.site_header = "退役军人事务局工作平台"
admin.site.site_title = "退役军人事务局工作平台"
admin.site.index_title = "业务管理"
# The header links the dashboard; "/" sends each user to their own start page (bureau.roles.home_url_name).
admin.site.site_url = None

# The core's admins, imported for their registrations.
from bureau.admin import (  # noqa: E402
    accounts,
    audit,
    care,
    changes,
    closing,
    held,
    history,
    lockouts,
    naming,
    payments,
    people,
    proposals,
    transfers,
)

__all__ = [
    "WORKFLOW_READONLY",
    "AttachmentInline",
    "LedgerRecordAdmin",
    "QueryAllowListMixin",
    "ReadOnlyAdmin",
    "RecordAdmin",
    "RunStepsAdmin",
    "ScopedAdmin",
    "ScopedStackedInline",
    "ScopedTabularInline",
    "SensitiveQueryMixin",
    "VersionedAdminMixin",
    "accounts",
    "audit",
    "care",
    "changes",
    "closing",
    "held",
    "history",
    "lockouts",
    "masked_display",
    "naming",
    "path_display",
    "payments",
    "people",
    "proposals",
    "transfers",
]
