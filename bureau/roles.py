"""
The four roles of the portal as Django groups, and the one rule that grants their permissions.

Groups are created by migration `0002_roles`; `sync_roles` runs again after
every `migrate` (see `BureauConfig.ready`) so that models added by later
issues get the same grants without a hand-written permission list per model.
"""

BUREAU_STAFF = "局机关工作人员"
STATION_STAFF = "服务站工作人员"
LEADERSHIP = "局领导"
AUDITOR = "审计员"
ROLES = (BUREAU_STAFF, STATION_STAFF, LEADERSHIP, AUDITOR)

PORTAL_APPS = ("bureau", "employment", "resettlement", "pensions", "support_army", "commemoration", "reports")

VIEW_ALL_TOWNSHIPS = "view_all_townships"
VIEW_SENSITIVE = "view_sensitive_person"
# Dashboard access: generate and download the annual report (station staff only for their township).
REQUEST_ANNUAL_REPORT = "request_annualreportrun"
# Models only a superuser manages: accounts themselves.
SUPERUSER_ONLY_MODELS = {"user"}
# Audit trail models the auditor reads.
AUDIT_MODELS = {"exportlog", "reportdownload"}
# Models station staff may add, change and view (always within their township); an area
# issue that opens a station form adds its model's name here.
STATION_MODELS = {"person", "personcategory", "familylink", "merit", "fairattendance", "employmentoutcome"}
# Models station staff only read, to pick from in their forms (an employer, a fair).
STATION_READ_MODELS = {"enterprise", "jobfair"}


def _grants(permission) -> set[str]:
    """Groups that receive one permission, decided from its app, model and action."""
    app_label = permission.content_type.app_label
    model = permission.content_type.model
    action = permission.codename.split("_", 1)[0]
    groups = set()
    if app_label not in PORTAL_APPS or model in SUPERUSER_ONLY_MODELS:
        return groups
    is_history = model.startswith("historical")
    if permission.codename == VIEW_ALL_TOWNSHIPS:
        return {BUREAU_STAFF, LEADERSHIP, AUDITOR}
    if permission.codename == VIEW_SENSITIVE:
        return {BUREAU_STAFF, STATION_STAFF}
    if permission.codename == REQUEST_ANNUAL_REPORT:
        return {BUREAU_STAFF, LEADERSHIP, STATION_STAFF}
    if action not in {"add", "change", "delete", "view"}:
        return groups  # other custom permissions are granted by the app that defines them
    if action == "view" or not (is_history or model in AUDIT_MODELS):
        groups.add(BUREAU_STAFF)
    if action == "view" and not is_history and model not in AUDIT_MODELS:
        groups.add(LEADERSHIP)
    if action == "view" and (is_history or model in AUDIT_MODELS):
        groups.add(AUDITOR)
    if model in STATION_MODELS and action in {"add", "change", "view"}:
        groups.add(STATION_STAFF)
    if model in STATION_READ_MODELS and action == "view":
        groups.add(STATION_STAFF)
    return groups


def sync_roles(apps=None) -> None:
    """Create the four groups and set their permissions from the rule above."""
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    wanted = {name: [] for name in ROLES}
    for permission in Permission.objects.select_related("content_type"):
        for name in _grants(permission):
            wanted[name].append(permission)
    for name, group in groups.items():
        group.permissions.set(wanted[name])


def is_station_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.groups.filter(name=STATION_STAFF).exists())
