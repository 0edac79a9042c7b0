"""
The roles of the portal as Django groups, and the one rule that grants their permissions.

Four business roles (bureau staff, station staff, leadership) and the three administrators of
MLPS level 3's separation of duties (三权分立): the system administrator (accounts, settings),
the security administrator (roles, unlocking) and the auditor (reads the audit trail only).
No account holds two of the three, and an account holding one of them holds no business role and
no personal-data permission, however its groups or permissions are set (`check_account_roles`, run
by the user form and by the m2m signals of bureau/rules/signals.py). Nobody changes their own roles or
permissions (`check_not_own_account`).

Groups are created by migration `0002_roles`; `sync_roles` runs again after
every `migrate` (see `BureauConfig.ready`) so that models added by later
issues get the same grants without a hand-written permission list per model.
Roles are defined here, in code: the admin shows a role's permissions read-only.

What a user may do is decided by permissions, never by the name of a group:
`REVIEW_RECORDS` (a bureau write is approved on save), `USE_STATION_PORTAL`,
`VIEW_ALL_TOWNSHIPS`, `VIEW_SENSITIVE`, and Django's model permissions.
"""

from bureau.areas import area_configs

BUREAU_STAFF = "局机关工作人员"
STATION_STAFF = "服务站工作人员"
LEADERSHIP = "局领导"
AUDITOR = "审计员"
SYSTEM_ADMIN = "系统管理员"
SECURITY_ADMIN = "安全管理员"
ROLES = (BUREAU_STAFF, STATION_STAFF, LEADERSHIP, AUDITOR, SYSTEM_ADMIN, SECURITY_ADMIN)
# 三权分立: an account holds at most one of these.
ADMIN_ROLES = (SYSTEM_ADMIN, SECURITY_ADMIN, AUDITOR)
ADMIN_ROLES_EXCLUSIVE = "系统管理员、安全管理员、审计员三个角色互斥，一个账号只能担任其中一个。"
# The roles that work with people's records.
BUSINESS_ROLES = (BUREAU_STAFF, STATION_STAFF, LEADERSHIP)
ADMIN_AND_BUSINESS_EXCLUSIVE = (
    "系统管理员、安全管理员、审计员不能同时担任业务角色（局机关工作人员、服务站工作人员、局领导）。"
)
ADMIN_PERSONAL_DATA = "系统管理员、安全管理员、审计员不能拥有个人信息权限：{names}。"
OWN_ROLES_REFUSED = "不能修改自己账号的角色和权限，请由其他有权限的管理员操作。"

VIEW_ALL_TOWNSHIPS = "view_all_townships"
VIEW_SENSITIVE = "view_sensitive_person"
REVIEW_RECORDS = "review_records"
USE_STATION_PORTAL = "use_station_portal"
# Dashboard access: generate and download the annual report (station staff only for their township).
REQUEST_ANNUAL_REPORT = "request_annualreportrun"
ASSIGN_ROLES = "assign_roles"
UNLOCK_ACCOUNTS = "unlock_accounts"
EXPORT_AUDIT = "export_auditevent"
# A payment by hand is prepared by one clerk and approved by another (bureau.models.proposals).
APPROVE_PAYMENT_PROPOSAL = "approve_paymentproposal"
EXPORT_BATCH_BANK_FILE = "export_batch_bank_file"
# A year's report made final locks its records (bureau.rules.closing); unlocking is the leadership's decision.
CLOSE_YEAR = "close_year"
REOPEN_YEAR = "reopen_year"
# Custom permissions of the core and the report, and who holds them.
CUSTOM_GRANTS = {
    VIEW_ALL_TOWNSHIPS: {BUREAU_STAFF, LEADERSHIP, AUDITOR},
    VIEW_SENSITIVE: {BUREAU_STAFF, STATION_STAFF},
    REVIEW_RECORDS: {BUREAU_STAFF},
    USE_STATION_PORTAL: {STATION_STAFF},
    REQUEST_ANNUAL_REPORT: {BUREAU_STAFF, LEADERSHIP, STATION_STAFF},
    APPROVE_PAYMENT_PROPOSAL: {BUREAU_STAFF},
    EXPORT_BATCH_BANK_FILE: {BUREAU_STAFF},
    CLOSE_YEAR: {BUREAU_STAFF},
    REOPEN_YEAR: {LEADERSHIP},
}
# The administrators' grants, outside the rule below: `app_label.codename` -> roles.
ADMIN_GRANTS = {
    "bureau.add_user": {SYSTEM_ADMIN},
    "bureau.change_user": {SYSTEM_ADMIN, SECURITY_ADMIN},
    "bureau.view_user": {SYSTEM_ADMIN, SECURITY_ADMIN},
    f"bureau.{ASSIGN_ROLES}": {SECURITY_ADMIN},
    f"bureau.{UNLOCK_ACCOUNTS}": {SECURITY_ADMIN},
    "bureau.view_siteprofile": {SYSTEM_ADMIN},
    "bureau.change_siteprofile": {SYSTEM_ADMIN},
    "bureau.add_siteprofile": {SYSTEM_ADMIN},
    "bureau.view_township": {SYSTEM_ADMIN},
    "bureau.add_township": {SYSTEM_ADMIN},
    "bureau.change_township": {SYSTEM_ADMIN},
    "auth.view_group": {SECURITY_ADMIN},
    "axes.view_accessattempt": {SECURITY_ADMIN},
    "axes.view_accessfailurelog": {SECURITY_ADMIN},
    # Administrators' password resets wait for the security administrator (bureau.rules.password_resets).
    "bureau.view_passwordreset": {SYSTEM_ADMIN, SECURITY_ADMIN},
    "bureau.approve_passwordreset": {SECURITY_ADMIN},
}
# Models the rule grants to nobody: accounts and their password resets (the administrators'
# grants above) and the audit trail, which only the auditor reads.
SUPERUSER_ONLY_MODELS = {"user", "passwordreset"}
AUDITOR_ONLY_MODELS = {"auditevent"}
# Audit trail models the auditor reads (bureau staff see the export and download logs too).
AUDIT_MODELS = {"exportlog", "reportdownload"}
# Core models station staff may add, change and view (always within their township); area
# apps add theirs in their declaration (AreaConfig.station_models).
# Visits and check-ups are the core's (several areas give them): a station records its own people's.
CORE_STATION_MODELS = {"person", "personcategory", "familylink", "merit", "visit", "checkup"}
# Core models station staff only read, to pick from in their forms (an employer, a check-up round).
CORE_STATION_READ_MODELS = {"enterprise", "checkupbatch"}


def portal_apps() -> set[str]:
    """The apps whose permissions the roles are granted: the core, every area app, the report."""
    return {"bureau", "reports", *(area.label for area in area_configs())}


def station_models() -> set[str]:
    models = set(CORE_STATION_MODELS)
    for area in area_configs():
        models |= set(area.station_models)
    return models


def station_read_models() -> set[str]:
    models = set(CORE_STATION_READ_MODELS)
    for area in area_configs():
        models |= set(area.station_read_models)
    return models


def custom_grants() -> dict[str, set[str]]:
    grants = {codename: set(groups) for codename, groups in CUSTOM_GRANTS.items()}
    for area in area_configs():
        for codename, groups in area.role_grants.items():
            grants.setdefault(codename, set()).update(groups)
    return grants


def _grants(permission, *, portal: set[str], editable: set[str], readable: set[str], custom: dict) -> set[str]:
    """Groups that receive one permission, decided from its app, model and action."""
    app_label = permission.content_type.app_label
    model = permission.content_type.model
    action = permission.codename.split("_", 1)[0]
    groups = set(ADMIN_GRANTS.get(f"{app_label}.{permission.codename}", ()))
    if app_label not in portal or model in SUPERUSER_ONLY_MODELS:
        return groups
    if model in AUDITOR_ONLY_MODELS:
        return {AUDITOR} if permission.codename in {f"view_{model}", EXPORT_AUDIT} else set()
    is_history = model.startswith("historical")
    if permission.codename in custom:
        return groups | set(custom[permission.codename])
    if action not in {"add", "change", "delete", "view"}:
        return groups  # other custom permissions are granted by the declaration of the app that defines them
    if action == "view" or not (is_history or model in AUDIT_MODELS):
        groups.add(BUREAU_STAFF)
    if action == "view" and not is_history and model not in AUDIT_MODELS:
        groups.add(LEADERSHIP)
    if action == "view" and (is_history or model in AUDIT_MODELS):
        groups.add(AUDITOR)
    if model in editable and action in {"add", "change", "view"}:
        groups.add(STATION_STAFF)
    if model in readable and action == "view":
        groups.add(STATION_STAFF)
    return groups


def role_permissions(Permission) -> dict[str, list]:
    """`{role: [permission, …]}` as the rule above grants them."""
    rule = {"portal": portal_apps(), "editable": station_models(), "readable": station_read_models()}
    rule["custom"] = custom_grants()
    wanted = {name: [] for name in ROLES}
    for permission in Permission.objects.select_related("content_type"):
        for name in _grants(permission, **rule):
            wanted[name].append(permission)
    return wanted


def check_admin_roles(role_names) -> None:
    """Refuse a set of roles holding two of the three administrators' roles (三权分立)."""
    from django.core.exceptions import ValidationError

    if len(set(role_names) & set(ADMIN_ROLES)) > 1:
        raise ValidationError(ADMIN_ROLES_EXCLUSIVE, code="admin_roles_exclusive")


def personal_data_permission_ids() -> set[int]:
    """
    The permissions that reach people's records: those the rule grants to a business role and to
    none of the administrators (`view_sensitive_person`, the registry, the ledger, every area's
    records …). Decided from the code's rule, not from the groups as stored, so that a group
    edited by hand does not widen what an administrator may hold.
    """
    from django.contrib.auth.models import Permission

    wanted = role_permissions(Permission)
    business = {permission.pk for name in BUSINESS_ROLES for permission in wanted[name]}
    administrators = {permission.pk for name in ADMIN_ROLES for permission in wanted[name]}
    return business - administrators


def check_account_roles(*, group_ids, permission_ids=()) -> None:
    """
    三权分立, the one check of an account's roles and permissions, wherever they are set: an account
    holds at most one administrator's role, and one that holds it holds no business role and no
    personal-data permission (from any group, or given to the account directly).
    Raises ValidationError with the Chinese reason.
    """
    from django.contrib.auth.models import Group, Permission
    from django.core.exceptions import ValidationError

    groups = list(Group.objects.filter(pk__in=set(group_ids)))
    names = {group.name for group in groups}
    check_admin_roles(names)
    if not names & set(ADMIN_ROLES):
        return
    if names & set(BUSINESS_ROLES):
        raise ValidationError(ADMIN_AND_BUSINESS_EXCLUSIVE, code="admin_and_business_exclusive")
    held = set(permission_ids) | set(
        Permission.objects.filter(group__in=[group for group in groups if group.name not in ROLES]).values_list(
            "pk", flat=True
        )
    )
    refused = held & personal_data_permission_ids()
    if refused:
        labels = Permission.objects.filter(pk__in=refused).select_related("content_type")
        shown = "、".join(sorted(permission_label(permission) for permission in labels)[:5])
        shown += "等" if len(refused) > 5 else ""
        raise ValidationError(ADMIN_PERSONAL_DATA.format(names=shown), code="admin_personal_data")


PERMISSION_VERBS = {"add": "新增", "change": "修改", "delete": "删除", "view": "查看"}


def permission_label(permission) -> str:
    """A permission in Chinese: 查看人员; a custom one by its own (Chinese) name."""
    action, _, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if action in PERMISSION_VERBS and model is not None and model_name == permission.content_type.model:
        return f"{PERMISSION_VERBS[action]}{model._meta.verbose_name}"
    return permission.name


def check_not_own_account(account, *, by) -> None:
    """Nobody changes their own roles or permissions: `by` (the signed-in user) must be another account."""
    from django.core.exceptions import ValidationError

    if by is not None and account is not None and by.pk is not None and by.pk == account.pk:
        raise ValidationError(OWN_ROLES_REFUSED, code="own_roles")


def sync_roles(apps=None) -> None:
    """Create the groups of ROLES and set their permissions from the rule above."""
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    wanted = role_permissions(Permission)
    for name, group in groups.items():
        group.permissions.set(wanted[name])


def is_station_staff(user) -> bool:
    """
    May use the station portal. Superusers hold every permission but work in the admin
    and have no township, so they are not station staff.
    """
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and not user.is_superuser
        and user.has_perm(f"bureau.{USE_STATION_PORTAL}")
    )


def reviews_records(user) -> bool:
    """A write by this user is approved on save (bureau staff); others' writes are submitted for review."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(f"bureau.{REVIEW_RECORDS}"))


def home_url_name(user) -> str:
    """
    Where the user's work is, from `/` and after login: a station on its home page, a leader on the
    dashboard, the bureau's clerks and the administrators on the admin (its index has the review panel).
    A leader who is also a clerk works in the admin.
    """
    if is_station_staff(user):
        return "station:home"
    if user.is_superuser:
        return "admin:index"
    roles = set(user.groups.values_list("name", flat=True))
    if LEADERSHIP in roles and BUREAU_STAFF not in roles:
        return "reports:dashboard"
    if user.is_staff:
        return "admin:index"
    if user.has_perm(f"reports.{REQUEST_ANNUAL_REPORT}"):
        return "reports:dashboard"
    return "station:home"
