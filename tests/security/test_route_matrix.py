"""
The role × URL × method matrix (MLPS level 3 access-control evidence).

Every URL pattern of the portal is requested by every role with every method the route
takes writes on, with its URL filled by real objects of township A (甲镇); a format-suffix
variant (`.json`) runs its route's view and is read only. The expected answers are written
out below, by hand, per route family and role: they are the specification, not a copy of
the permission checks the views make. An area app's routes follow the same rules from
what it declares (its `AreaConfig`, its admin, its API viewsets: tests/security/declared.py),
so the tables hold the core's routes and only what an area does differently.

Reading the tables:
- `LOGIN`: a redirect (302) to a login page, what an anonymous visitor gets on a page;
  the admin answers a signed-in account that is not staff the same way.
- 404: the object exists but is outside the role's townships (station B asking for
  township A's record), or the route names nothing the role may know about.
- 403: the role may not do this; 405: the route has no such method.
- Station B never sees township A's records; leadership (局领导) never writes.

`test_every_route_is_classified` fails when a URL pattern is added that neither a table
nor the declarations explain, and when a table names a route that no longer exists.
"""

import datetime
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.security import declared
from tests.security.conftest import (
    ANONYMOUS,
    AUDITOR,
    CLERK,
    LEADER,
    ROLE_NAMES,
    SECADMIN,
    STATION_A,
    STATION_B,
    SYSADMIN,
    keep_signed_in,
)

LOGIN = "login"
GET, POST, PUT, PATCH, DELETE = "GET", "POST", "PUT", "PATCH", "DELETE"
API_WRITES = (POST, PUT, PATCH, DELETE)


def row(*, anonymous, station_a, station_b, clerk, leader, auditor, sysadmin, secadmin) -> dict:
    """One line of a table: the expected answer for each role."""
    return {
        ANONYMOUS: anonymous,
        STATION_A: station_a,
        STATION_B: station_b,
        CLERK: clerk,
        LEADER: leader,
        AUDITOR: auditor,
        SYSADMIN: sysadmin,
        SECADMIN: secadmin,
    }


def everyone(status) -> dict:
    return dict.fromkeys(ROLE_NAMES, status)


# --- the portal's own pages and the API, by route name ------------------------------------------

STATION_PAGE = row(
    anonymous=LOGIN, station_a=200, station_b=200, clerk=403, leader=403, auditor=403, sysadmin=403, secadmin=403
)
# A page about one of township A's records: station B gets a 404, as if it did not exist.
STATION_RECORD = {**STATION_PAGE, STATION_B: 404}
DASHBOARD = row(
    anonymous=LOGIN, station_a=200, station_b=200, clerk=200, leader=200, auditor=403, sysadmin=403, secadmin=403
)
DASHBOARD_RUN = {**DASHBOARD, STATION_B: 404}
NOT_ALLOWED = everyone(405)

# route name -> {method: {role: status}}
PAGES = {
    "healthz": {GET: everyone(200)},
    # `/` sends each signed-in user on to their start page (tests/bureau/test_landing.py says where).
    "home": {GET: {**everyone(302), ANONYMOUS: LOGIN}, POST: NOT_ALLOWED},
    # The login pages answer everyone; a post without credentials is the form again.
    "station:login": {GET: everyone(200), POST: everyone(200)},
    "station:logout": {GET: NOT_ALLOWED, POST: everyone(LOGIN)},
    "station:home": {GET: STATION_PAGE},
    "station:submissions": {GET: STATION_PAGE},
    "station:todo": {GET: STATION_PAGE},
    # An empty post is the form again with its errors: nothing saved.
    "station:person_create": {GET: STATION_PAGE, POST: STATION_PAGE},
    "station:person_detail": {GET: STATION_RECORD},
    "station:person_edit": {GET: STATION_RECORD, POST: STATION_RECORD},
    # A form's draft (bureau.station.drafts), the user's own: asked without a form page's path, a 400.
    "station:draft": {
        GET: {**STATION_PAGE, STATION_A: 400, STATION_B: 400},
        POST: {**STATION_PAGE, STATION_A: 400, STATION_B: 400},
    },
    # The areas' station pages (`station_urls`) and public pages (`public_urls`) are read from their
    # declarations (`classify_area_page`): a station page is STATION_PAGE, or STATION_RECORD when it
    # names a record, read and (a form, unless it is a `_list`) posted; a public page is open to
    # everyone to read. Below, only what differs.
    # The online memorial (/memorial/), open to anyone: township A's published martyr. A flower is
    # offered (back to the page), an empty message is the page again with its error (400).
    "commemoration:memorial_martyr": {GET: everyone(200), POST: NOT_ALLOWED},
    "commemoration:memorial_photo": {GET: everyone(200), POST: NOT_ALLOWED},
    "commemoration:memorial_flower": {GET: NOT_ALLOWED, POST: everyone(302)},
    "commemoration:memorial_message": {GET: NOT_ALLOWED, POST: everyone(400)},
    "commemoration:memorial_api_detail": {GET: everyone(200), POST: NOT_ALLOWED},
    # The full ID number in a POST body: an empty one is sent back to the list with a message.
    "station:person_find": {
        GET: {**STATION_PAGE, STATION_A: 405, STATION_B: 405},
        POST: {**STATION_PAGE, STATION_A: 302, STATION_B: 302},
    },
    # A station's notice, followed: marked read and sent on (302); another user's notice does not exist.
    "station:notice_open": {GET: {**STATION_RECORD, STATION_A: 302}},
    "station:notices_read_all": {
        GET: {**STATION_PAGE, STATION_A: 405, STATION_B: 405},
        POST: {**STATION_PAGE, STATION_A: 302, STATION_B: 302},
    },
    # A printout (bureau.printouts): township A's person's file, read as the person file is (station B: 404;
    # the administrators hold no right to the registry); the station's own to-do, for station staff.
    "printouts:record": {
        GET: row(
            anonymous=LOGIN,
            station_a=200,
            station_b=404,
            clerk=200,
            leader=200,
            auditor=403,
            sysadmin=403,
            secadmin=403,
        ),
        POST: NOT_ALLOWED,
    },
    "printouts:list": {GET: {**STATION_PAGE}, POST: NOT_ALLOWED},
    # Signed in, everyone may change their own password (an empty post is the form again); the
    # second-factor page, with REQUIRE_TOTP off, sends a signed-in user on to their home page.
    "password_change": {GET: {**everyone(200), ANONYMOUS: LOGIN}, POST: {**everyone(200), ANONYMOUS: LOGIN}},
    # 操作说明 (bureau.help): every signed-in user reads every page (no personal data); read only.
    "help:index": {GET: {**everyone(200), ANONYMOUS: LOGIN}, POST: NOT_ALLOWED},
    "help:page": {GET: {**everyone(200), ANONYMOUS: LOGIN}, POST: NOT_ALLOWED},
    "otp": {GET: {**everyone(302), ANONYMOUS: LOGIN}, POST: {**everyone(302), ANONYMOUS: LOGIN}},
    "reports:dashboard": {GET: DASHBOARD, POST: NOT_ALLOWED},
    # Requesting a report run is the one thing leadership may post (DESIGN.md: "generate the annual
    # report"); an empty form is a 400 and queues nothing.
    "reports:run_request": {
        GET: NOT_ALLOWED,
        POST: {**DASHBOARD, **dict.fromkeys([STATION_A, STATION_B, CLERK, LEADER], 400)},
    },
    "reports:run_status": {GET: DASHBOARD_RUN},
    "reports:run_retry": {POST: {**DASHBOARD_RUN, STATION_A: 302, CLERK: 302, LEADER: 302}},
    "reports:run_download": {GET: DASHBOARD_RUN},
    # A final version's file of the district report (定稿): who sees the district; the dataset's year
    # has none (404), a station never gets the district's (404).
    "reports:final_download": {GET: {**DASHBOARD, **dict.fromkeys([STATION_A, STATION_B, CLERK, LEADER], 404)}},
    # A chart's numbers as xlsx, in the user's own scope; the records of a figure no section has: 404.
    "reports:chart_download": {GET: DASHBOARD},
    "reports:figure_records": {GET: {**DASHBOARD, **dict.fromkeys([STATION_A, STATION_B, CLERK, LEADER], 404)}},
    # The rows of one count of 各服务站完成情况: township A's, which station B may not see.
    "reports:completeness_rows": {GET: {**DASHBOARD, STATION_B: 403}},
    # An attachment of township A's job fair: served to who may view the fair, a 404 to everyone else.
    "protected_file": {
        GET: row(
            anonymous=LOGIN,
            station_a=200,
            station_b=404,
            clerk=200,
            leader=200,
            auditor=404,
            sysadmin=404,
            secadmin=404,
        )
    },
}

API_ANONYMOUS = 401
API_ROOT = {**everyone(200), ANONYMOUS: API_ANONYMOUS}


def api(read: dict, write: dict | None = None, *, detail: bool) -> dict:
    """An API route: GET as `read`, the writes as `write` (405 for every signed-in role when None)."""
    write = write or {**NOT_ALLOWED, ANONYMOUS: API_ANONYMOUS}
    methods = (PUT, PATCH, DELETE) if detail else (POST,)
    return {GET: read, **dict.fromkeys(methods, write)}


# Reads of the registry and of records: bureau staff and leadership everywhere, stations their own township.
API_READ_LIST = row(
    anonymous=401, station_a=200, station_b=200, clerk=200, leader=200, auditor=403, sysadmin=403, secadmin=403
)
API_READ_DETAIL = {**API_READ_LIST, STATION_B: 404}
# Bureau-only models: stations have no permission at all.
API_BUREAU_READ = {**API_READ_LIST, STATION_A: 403, STATION_B: 403}
# A create with an empty body: a 400 for who may create, 403 for the rest.
API_CREATE = row(
    anonymous=401, station_a=400, station_b=400, clerk=400, leader=403, auditor=403, sysadmin=403, secadmin=403
)
API_BUREAU_CREATE = {**API_CREATE, STATION_A: 403, STATION_B: 403}


def api_detail_writes(*, station: bool, clerk_delete: int) -> dict:
    """PUT/PATCH/DELETE of township A's record with an empty body."""
    station_a = 400 if station else 403
    station_b = 404 if station else 403
    return {
        PUT: row(
            anonymous=401,
            station_a=station_a,
            station_b=station_b,
            clerk=400,
            leader=403,
            auditor=403,
            sysadmin=403,
            secadmin=403,
        ),
        PATCH: row(
            anonymous=401,
            # A station's empty PATCH of an approved record proposes no change: a 400, nothing saved.
            station_a=400 if station else 403,
            station_b=station_b,
            clerk=200,
            leader=403,
            auditor=403,
            sysadmin=403,
            secadmin=403,
        ),
        # Stations submit and edit; only the bureau deletes.
        DELETE: row(
            anonymous=401,
            station_a=403,
            station_b=403 if station else 403,
            clerk=clerk_delete,
            leader=403,
            auditor=403,
            sysadmin=403,
            secadmin=403,
        ),
    }


def api_model(
    *, station_writes: bool, station_reads: bool, read_only: bool = False, detail_b=404, clerk_delete=204
) -> dict:
    """The list and detail routes of one API model, by what stations may do with it."""
    list_read = API_READ_LIST if station_reads else API_BUREAU_READ
    detail_read = {**list_read, STATION_B: detail_b} if station_reads else API_BUREAU_READ
    if read_only:
        return {
            "list": api(list_read, {**API_BUREAU_CREATE, CLERK: 405}, detail=False),
            "detail": {
                GET: detail_read,
                **dict.fromkeys(
                    (PUT, PATCH, DELETE),
                    {
                        **row(
                            anonymous=401,
                            station_a=403,
                            station_b=403,
                            clerk=405,
                            leader=403,
                            auditor=403,
                            sysadmin=403,
                            secadmin=403,
                        )
                    },
                ),
            },
        }
    return {
        "list": api(list_read, API_CREATE if station_writes else API_BUREAU_CREATE, detail=False),
        "detail": {GET: detail_read, **api_detail_writes(station=station_writes, clerk_delete=clerk_delete)},
    }


# basename of the router -> the list and detail routes' tables: the core's models, and the exceptions
# of the areas. An area's model not named here is read from its declarations (`classify_api`):
# stations write it when a `station_models` names it, read it when a `station_read_models` does,
# nobody writes it through a read-only viewset; station B finds none of township A's records.
API_MODELS = {
    # DELETE of a record others point at is a 409 with the reason (bureau.api.exceptions).
    "person": api_model(station_writes=True, station_reads=True, clerk_delete=409),
    "payment": api_model(station_writes=False, station_reads=False, read_only=True),
    # Enterprises are public business records: every station reads all of them (bureau.models.enterprises).
    "enterprise": api_model(station_writes=False, station_reads=True, detail_b=200, clerk_delete=409),
    # A job fair with attendances: a 409 on delete.
    "jobfair": api_model(station_writes=False, station_reads=True, clerk_delete=409),
    # The number is masked in lists; stations have no bank accounts at all.
    "bankaccount": api_model(station_writes=False, station_reads=False),
    # Care in the core: stations record their people's visits and check-ups and read the rounds.
    # Township A's visit has a problem collected during it, and its round a check-up: a 409 on delete.
    "visit": api_model(station_writes=True, station_reads=True, clerk_delete=409),
    # The registry's merits and family links: stations read and add their own; changes are the bureau's.
    "merit": {
        "list": api(API_READ_LIST, API_CREATE, detail=False),
        "detail": api_model(station_writes=False, station_reads=True)["detail"],
    },
    "familylink": {
        "list": api(API_READ_LIST, API_CREATE, detail=False),
        "detail": api_model(station_writes=False, station_reads=True)["detail"],
    },
    "checkupbatch": api_model(station_writes=False, station_reads=True, clerk_delete=409),
    "checkup": api_model(station_writes=True, station_reads=True),
    # Pension standards are district-wide, so station B reads them too.
    "benefitstandard": api_model(station_writes=False, station_reads=True, read_only=True, detail_b=200),
    # A notice batch with notices, a reception point with a registration: a 409 on delete.
    "meritnoticebatch": api_model(station_writes=True, station_reads=True, clerk_delete=409),
    "receptionpoint": api_model(station_writes=False, station_reads=True, clerk_delete=409),
    # A facility with an inspection: a 409 on delete; the honour selections are district-wide.
    "memorialfacility": api_model(station_writes=False, station_reads=True, clerk_delete=409),
    "honourselection": api_model(station_writes=False, station_reads=True, read_only=True, detail_b=200),
}

API_PAGES = {
    "api-root": {GET: API_ROOT, POST: {**NOT_ALLOWED, ANONYMOUS: 401}},
    # Signing in: an empty post is a 400 for everyone; DELETE signs a token out (a session is not one).
    "api-token": {GET: {**NOT_ALLOWED}, POST: everyone(400), DELETE: {**everyone(401)}},
    "api-schema": {GET: API_ROOT},
    "api-docs": {GET: API_ROOT},
    # Any other address under the API: a JSON 404 for every method and everyone.
    "api-not-found": {method: everyone(404) for method in (GET, POST, PUT, PATCH, DELETE)},
    # The full ID number in the body: who may see ID numbers gets a 400 for an empty body (405 for a
    # GET); everyone else a 403 (401 anonymous), whatever the method.
    "person-find": {
        GET: row(
            anonymous=401, station_a=405, station_b=405, clerk=405, leader=403, auditor=403, sysadmin=403, secadmin=403
        ),
        POST: row(
            anonymous=401, station_a=400, station_b=400, clerk=400, leader=403, auditor=403, sysadmin=403, secadmin=403
        ),
    },
}

# --- the admin ----------------------------------------------------------------------------------

# What each staff role may do with each model in the admin, as the roles are meant to be
# (bureau/roles.py's docstring, DESIGN.md): a = add, c = change, d = delete, v = view,
# i = import (xlsx), r = review (approve / return) station submissions. Station staff never
# enter the admin. Models the portal writes itself (history, logs, report runs) are read-only.
STAFF = (CLERK, LEADER, AUDITOR, SYSADMIN, SECADMIN)
ADMIN_MODELS = {
    #                                    clerk     leader auditor sysadmin secadmin
    # Accounts and settings: the system administrator; roles and unlocking: the security administrator.
    "bureau.user": ("", "", "", "acv", "cv"),
    # Administrators' password resets: both read them, the security administrator approves (an action).
    "bureau.passwordreset": ("", "", "", "v", "v"),
    "auth.group": ("", "", "", "", "v"),
    "bureau.township": ("acdv", "v", "", "acv", ""),
    # One profile per installation: it exists, so nobody adds another; nobody deletes it.
    "bureau.siteprofile": ("cv", "v", "", "cv", ""),
    "axes.accessattempt": ("", "", "", "", "v"),
    "axes.accessfailurelog": ("", "", "", "", "v"),
    "axes.accesslog": ("", "", "", "", ""),
    "authtoken.tokenproxy": ("", "", "", "", ""),
    # The registry and the ledger: bureau staff; leadership reads.
    "bureau.person": ("acdvir", "v", "", "", ""),
    "bureau.paymentprogramme": ("acdv", "v", "", "", ""),
    "bureau.paymentbatch": ("acdv", "v", "", "", ""),
    # No import of the ledger; its add form leads to a proposal (ADD_LEADS_TO_PROPOSAL); a row is
    # read-only to everyone (written by two people, changed with its record, never deleted alone).
    "bureau.payment": ("av", "v", "", "", ""),
    # Payments by hand: the clerk prepares (the dataset's proposal is the clerk's own, so the
    # clerk may change it while it awaits approval); nobody deletes one.
    "bureau.paymentproposal": ("acv", "v", "", "", ""),
    "bureau.bankaccount": ("acdvi", "v", "", "", ""),
    # Held for want of an account: read-only, paid by adding an account (bureau.rules.payments.held).
    "bureau.heldpayment": ("v", "v", "", "", ""),
    "bureau.enterprise": ("acdvi", "v", "", "", ""),
    "bureau.pendingchange": ("vr", "v", "", "", ""),
    # Registrations of a number the district holds (issue 23): read-only, decided on their own pages.
    "bureau.transferrequest": ("v", "v", "", "", ""),
    # Care records of the core: visits (their 慰问金 in the ledger) and check-ups, imported from lists.
    "bureau.visit": ("acdvir", "v", "", "", ""),
    "bureau.checkupbatch": ("acdvr", "v", "", "", ""),
    "bureau.checkup": ("acdvir", "v", "", "", ""),
    "bureau.historicalvisit": ("v", "", "v", "", ""),
    "bureau.historicalcheckupbatch": ("v", "", "v", "", ""),
    "bureau.historicalcheckup": ("v", "", "v", "", ""),
    # The areas' models follow their declarations (`declared_access` below); here only what differs.
    # The monthly payroll: generated and approved by bureau staff (two of them), read by leadership.
    "pensions.payrollrun": ("av", "v", "", "", ""),
    "pensions.payrollline": ("v", "v", "", "", ""),
    # The memorial's messages are moderated (no add, no edit: approved or rejected with the list's actions).
    "commemoration.tribute": ("dv", "v", "", "", ""),
    # A placement choice is made in the session only (no add, no delete).
    "resettlement.placementselection": ("cv", "v", "", "", ""),
    # A cohort's grant run: calculated and approved by bureau staff (two of them), its lines read-only.
    "resettlement.subsidyrun": ("av", "v", "", "", ""),
    "resettlement.subsidyline": ("v", "v", "", "", ""),
    # The annual report.
    "reports.narrative": ("acdv", "v", "", "", ""),
    "reports.reportyear": ("acdv", "v", "", "", ""),
    "reports.annualreportrun": ("v", "v", "", "", ""),
    # Audit trail: the auditor reads it (bureau staff too); leadership does not.
    "bureau.exportlog": ("v", "", "v", "", ""),
    "reports.reportdownload": ("v", "", "v", "", ""),
    "bureau.historicalperson": ("v", "", "v", "", ""),
    "bureau.historicalpayment": ("v", "", "v", "", ""),
    "bureau.historicalbankaccount": ("v", "", "v", "", ""),
    "bureau.historicalenterprise": ("v", "", "v", "", ""),
    "reports.historicalnarrative": ("v", "", "v", "", ""),
    "reports.historicalreportyear": ("v", "", "v", "", ""),
    # The audit trail: the auditor alone reads it, nobody writes it.
    "bureau.auditevent": ("", "", "v", "", ""),
    # Closed years: read-only everywhere (closed and reopened on the report's 定稿 page and by commands).
    "bureau.closedyear": ("v", "v", "", "", ""),
    "bureau.historicalclosedyear": ("v", "", "v", "", ""),
}


def declared_access(facts: declared.AdminModel) -> tuple[str, ...]:
    """
    The access an area's admin registration declares: bureau staff keep the area's records
    (add, change, delete, view), import them where the admin is `importable` and review them
    where they are workflow records; leadership reads; a history table is read by bureau staff
    and the auditor. The tables above hold only what an area does differently.
    """
    if facts.history:
        return ("v", "", "v", "", "")
    return ("acdv" + "i" * facts.importable + "r" * facts.review, "v", "", "", "")


# The areas' models by their declarations, then the hand-written lines (the core's, and the exceptions).
ADMIN_MODELS = {
    **{model: declared_access(facts) for model, facts in declared.admin_models().items()},
    **ADMIN_MODELS,
}


def outside_admin() -> dict:
    """Anonymous visitors and station staff (not staff accounts) are sent to the admin's login page."""
    return dict.fromkeys((ANONYMOUS, STATION_A, STATION_B), LOGIN)


def by_access(model: str, when: str, allowed, refused=403, *, all_of: bool = False) -> dict:
    """Each staff role gets `allowed` when its letters for `model` include `when` (any of them), else `refused`."""
    answers = outside_admin()
    for role, letters in zip(STAFF, ADMIN_MODELS[model], strict=True):
        hit = all(c in letters for c in when) if all_of else any(c in letters for c in when)
        answers[role] = allowed if hit else refused
    return answers


# Read-only admins whose queryset is scoped: for the system and security administrators (no
# township) the object does not exist, and Django's history page redirects to the index.
NO_SCOPE = {
    model: {SYSADMIN: 302, SECADMIN: 302}
    for model in ADMIN_MODELS
    if ".historical" in model
    or model
    in {
        "bureau.pendingchange",
        "bureau.transferrequest",
        "reports.annualreportrun",
        "reports.reportdownload",
        "resettlement.placementcandidate",
        "resettlement.placementselection",
        "resettlement.subsidyline",
        # Scoped to the townships the role sees (none for the administrators), without a history table.
        "bureau.heldpayment",
        # No history table: Django's own history page looks the object up before the permission.
        "commemoration.tribute",
    }
}

# The security administrator's form of an account holds roles and activation only, neither
# required: the empty post is saved (the role it may change), a redirect.
EMPTY_FORM_SAVES = {"bureau.user": {SECADMIN: 302}}

# The ledger's add form writes nothing: it (and the proposals' own) leads to 批量发放's proposal form.
ADD_LEADS_TO_PROPOSAL = {"bureau.payment", "bureau.paymentproposal"}

# Admin route kinds of a model (the pattern after `admin/<app>/<model>/`) -> {method: answers}.
# Writes are posted empty (the form again with its errors, or the delete confirmation page), so
# a role that may write gets its page and nothing is saved.
ADMIN_MODEL_ROUTES = {
    "": lambda m: {
        GET: by_access(m, "v", 200),
        POST: by_access(m, "v", ACTION_REFUSED, 403)
        | by_access_only(m, "d", 200 if m in PROTECTED else 302)
        | OTHER_ACTIONS.get(m, {}),
    },
    "add/": lambda m: {
        GET: by_access(m, "a", 302 if m in ADD_LEADS_TO_PROPOSAL else 200),
        POST: by_access(m, "a", 302 if m in ADD_LEADS_TO_PROPOSAL else 200),
    },
    "<path:object_id>/change/": lambda m: {
        GET: by_access(m, "v", 200),
        POST: by_access(m, "c", 200) | EMPTY_FORM_SAVES.get(m, {}),
    },
    "<path:object_id>/delete/": lambda m: {GET: by_access(m, "d", 200), POST: by_access(m, "d", 200)},
    # Roles that see no township find no object: Django's "does not exist" redirect to the index.
    "<path:object_id>/history/": lambda m: {GET: by_access(m, "v", 200) | NO_SCOPE.get(m, {})},
    # One old version of a record (django-simple-history): shown to who may view the record; its
    # form, posted, saves that version back (a revert), so only who may change the record may post.
    "^([^/]+)/history/([^/]+)/$": lambda m: {GET: by_access(m, "v", 200), POST: by_access(m, "c", 200)},
    # `/admin/<app>/<model>/<id>/` redirects to the change page, for every staff account.
    "<path:object_id>/": lambda m: {GET: {**outside_admin(), **dict.fromkeys(STAFF, 302)}},
    "import/": lambda m: {GET: by_access(m, "i", 200), POST: by_access(m, "i", 200)},
    # The confirm of an import job: posted without a job of the user's, a 404 to whoever may import.
    "process_import/": lambda m: {GET: by_access(m, "i", 405, 405), POST: by_access(m, "i", 404)},
    "import-template/": lambda m: {GET: by_access(m, "i", 200)},
    # An import job's page and its status: the clerk's own job of persons; any other job id, or
    # another model's, is a 404 to whoever may import.
    "import/<int:job_id>/": lambda m: {GET: by_access(m, "i", 200 if m == "bureau.person" else 404)},
    "import/<int:job_id>/status/": lambda m: {GET: by_access(m, "i", 200 if m == "bureau.person" else 404)},
    # The preview's mapping of unknown headers: POST only; posted empty on the clerk's job of persons (no
    # unknown header to map), a Chinese 400; any other job, a 404 to whoever may import.
    "import/<int:job_id>/columns/": lambda m: {
        GET: by_access(m, "i", 405, 405),
        POST: by_access(m, "i", 400 if m == "bureau.person" else 404),
    },
    "export/": lambda m: {GET: by_access(m, "v", 200), POST: by_access(m, "v", 200)},
    # Approve / return one record: POST only; outside the role's townships it is a 404.
    "<path:object_id>/review/": lambda m: {GET: by_access(m, "r", 405, 405), POST: review_answers(m)},
}
# A changelist action (delete_selected) posted by a role that is offered no action at all: the list
# is shown again and nothing is deleted (test_route checks that the object survived).
ACTION_REFUSED = 200
# The confirmed delete_selected of township A's object by a role that may delete: done (302), except
# where other records protect it (the page then lists them, 200).
PROTECTED = {
    # A rule a batch follows; a batch whose choices are recorded.
    "resettlement.scoringrule",
    "resettlement.placementbatch",
    "bureau.township",
    "bureau.person",
    "bureau.paymentprogramme",
    "bureau.paymentbatch",
    "bureau.enterprise",
    "employment.jobfair",
    # Its check-ups, and the problem collected on it.
    "bureau.checkupbatch",
    "bureau.visit",
    # Its notices; the registration received there; the step a registration completed.
    "support_army.meritnoticebatch",
    "support_army.receptionpoint",
    "support_army.homecomingstep",
    # Its inspections, project, ceremony; the selection its nominees.
    "commemoration.memorialfacility",
    "commemoration.honourselection",
}
# Roles offered another action there (unlocking accounts, axes' own, the batch review of proposed
# changes): Django answers the action they were not offered with "no action selected" and a redirect.
# Nothing is deleted either.
OTHER_ACTIONS = {
    "bureau.pendingchange": {CLERK: 302},
    "bureau.user": {SECADMIN: 302},
    "axes.accessattempt": {SECADMIN: 302},
    "bureau.passwordreset": {SECADMIN: 302},
}


def by_access_only(model: str, when: str, allowed) -> dict:
    """Only the staff roles whose letters include `when`, mapped to `allowed`."""
    return {role: allowed for role, letters in zip(STAFF, ADMIN_MODELS[model], strict=True) if when in letters}


def review_answers(model: str) -> dict:
    return by_access(model, "r", 302)


# The core's admin lists with the search by the full ID number (`ScopedAdmin.find_view`); an area's
# find route is classified from its admin (`classify`).
FIND_MODELS = (
    "bureau.person",
    "bureau.payment",
    "bureau.bankaccount",
    "bureau.visit",
    "bureau.checkup",
)


# Finding by the full ID number (POST body): who may see ID numbers and the list; an empty number is
# sent back to the list with a message. An area admin's search on `=person__id_number` declares it.
FIND = {
    GET: {**outside_admin(), **dict.fromkeys(STAFF, 405)},
    POST: {**outside_admin(), CLERK: 302, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
}

# Admin routes of one model beyond the standard ones, by route name.
ADMIN_CUSTOM = {
    "admin:bureau_person_file": {
        GET: {**outside_admin(), CLERK: 200, LEADER: 200, AUDITOR: 403, SYSADMIN: 404, SECADMIN: 404}
    },
    "admin:employment_jobfair_bulk_attendees": {
        GET: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 404, SECADMIN: 404},
        POST: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 404, SECADMIN: 404},
    },
    # Read-only; the proposal is looked up before the permission, so for roles that see no
    # township it does not exist.
    "admin:bureau_pendingchange_change": {
        GET: {**outside_admin(), CLERK: 200, LEADER: 200, AUDITOR: 403, SYSADMIN: 404, SECADMIN: 404},
        POST: {**outside_admin(), CLERK: 403, LEADER: 403, AUDITOR: 403, SYSADMIN: 404, SECADMIN: 404},
    },
    "admin:bureau_pendingchange_review": {
        GET: {**outside_admin(), **dict.fromkeys(STAFF, 405)},
        POST: {**outside_admin(), CLERK: 302, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
    },
    # Deciding a transfer request: bureau staff only (the reviewers), a confirmation page then a post.
    # An empty refusal needs its reason: the page again (400); an approval is made (302).
    "admin:bureau_transferrequest_approve": {
        GET: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
        POST: {**outside_admin(), CLERK: 302, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
    },
    "admin:bureau_transferrequest_reject": {
        GET: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
        POST: {**outside_admin(), CLERK: 400, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
    },
    "admin:bureau_auditevent_export": {
        GET: {**outside_admin(), CLERK: 403, LEADER: 403, AUDITOR: 200, SYSADMIN: 403, SECADMIN: 403},
        POST: {**outside_admin(), CLERK: 403, LEADER: 403, AUDITOR: 200, SYSADMIN: 403, SECADMIN: 403},
    },
    **{f"admin:{model.replace('.', '_')}_find": FIND for model in FIND_MODELS},
    # The payroll's steps, each a confirmation page then a post: bureau staff only. The clerk
    # generated the dataset's run, so the clerk's approval is refused (a message, back to the run),
    # as are resuming a run never approved and the bank file of a run not paid.
    **{
        f"admin:pensions_payrollrun_{step}": {
            GET: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
            POST: {**outside_admin(), CLERK: 302, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
        }
        for step in ("approve", "resume", "bank_file")
    },
    # The placement session's pages: who may view the batch watches (ranking, big screen, the desk);
    # bureau staff run it. An empty post to the desk is the form again with its errors (400).
    **{
        f"admin:resettlement_placementbatch_{page}": {
            GET: {**outside_admin(), CLERK: 200, LEADER: 200, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
            POST: {**outside_admin(), CLERK: 405, LEADER: 405, AUDITOR: 405, SYSADMIN: 405, SECADMIN: 405},
        }
        for page in ("ranking", "live", "live_json", "results_docx", "results_xlsx")
    },
    "admin:resettlement_placementbatch_session": {
        GET: {**outside_admin(), CLERK: 200, LEADER: 200, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
        POST: {**outside_admin(), CLERK: 400, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
    },
    **{
        f"admin:resettlement_placementbatch_{step}": {
            GET: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
            POST: {**outside_admin(), CLERK: 302, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
        }
        for step in ("start", "close")
    },
    # The grant's steps, each a confirmation page then a post: bureau staff only. The clerk calculated
    # the dataset's run, so the clerk's approval is refused (a message, back to the run), as is the
    # bank file of a run not paid; recalculating the unpaid run is done (back to the run).
    **{
        f"admin:resettlement_subsidyrun_{step}": {
            GET: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
            POST: {**outside_admin(), CLERK: 302, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
        }
        for step in ("approve", "recalculate", "bank_file")
    },
    # A batch's bank file (a catch-up batch's): a confirmation page, then the file; bureau staff only.
    "admin:bureau_paymentbatch_bank_file": {
        GET: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
        POST: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
    },
    # 批量发放: who may prepare a payment (a proposal); an empty post is the form again with its errors.
    "admin:bureau_payment_bulk": {
        GET: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
        POST: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
    },
    # A proposal's approval and return: bureau staff (the approve permission) on the confirmation
    # page. The dataset's proposal is the clerk's own: the page says so (200); the approval posted
    # is refused with a message (back to the proposal), the return's empty post is its form again.
    "admin:bureau_paymentproposal_approve": {
        GET: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
        POST: {**outside_admin(), CLERK: 302, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
    },
    "admin:bureau_paymentproposal_return": {
        GET: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
        POST: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
    },
    # 定稿 of a report year: bureau staff (bureau.close_year), a confirmation page, then a post; posted
    # unconfirmed it is the page again (400). 解锁: leadership (bureau.reopen_year); the dataset's year
    # is not closed (the page says so) and an empty reason is the form again (400).
    "admin:reports_reportyear_close": {
        GET: {**outside_admin(), CLERK: 200, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
        POST: {**outside_admin(), CLERK: 400, LEADER: 403, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
    },
    "admin:reports_reportyear_reopen": {
        GET: {**outside_admin(), CLERK: 403, LEADER: 200, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
        POST: {**outside_admin(), CLERK: 403, LEADER: 400, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403},
    },
    # Setting another account's password: the system administrator only.
    "admin:auth_user_password_change": {
        GET: {**outside_admin(), CLERK: 403, LEADER: 403, AUDITOR: 403, SYSADMIN: 200, SECADMIN: 403},
        POST: {**outside_admin(), CLERK: 403, LEADER: 403, AUDITOR: 403, SYSADMIN: 200, SECADMIN: 403},
    },
}
STAFF_PAGE = {**outside_admin(), **dict.fromkeys(STAFF, 200)}
# The admin site's own pages, by route name (the catch-all has no name: by its pattern).
ADMIN_SITE = {
    "admin:index": {GET: STAFF_PAGE},
    # 变更记录: the history lists the role may read, by area (an empty page for a role that reads none); a read.
    "admin:history_index": {GET: STAFF_PAGE, POST: {**outside_admin(), **dict.fromkeys(STAFF, 405)}},
    # 我的导出: every staff account has its own list; a job is its owner's (the clerk's), a 404 to others.
    "my_exports": {GET: STAFF_PAGE, POST: {**outside_admin(), **dict.fromkeys(STAFF, 405)}},
    # 数据质量核查: bureau staff only (it names persons); a read, so a post is refused.
    "data_check": {
        GET: {**outside_admin(), **dict.fromkeys(STAFF, 403), CLERK: 200},
        POST: {**outside_admin(), **dict.fromkeys(STAFF, 405)},
    },
    # The bureau's notices marked read (bureau staff, who read them on the index): back to the index.
    "notice_read": {
        GET: {**outside_admin(), **dict.fromkeys(STAFF, 405)},
        POST: {**outside_admin(), **dict.fromkeys(STAFF, 403), CLERK: 302},
    },
    "export_status": {GET: {**outside_admin(), **dict.fromkeys(STAFF, 404), CLERK: 200}},
    "export_download": {GET: {**outside_admin(), **dict.fromkeys(STAFF, 404), CLERK: 200}},
    # Signed-in staff are sent on to the index; others get the form (again, for an empty post).
    "admin:login": {
        GET: {**everyone(200), **dict.fromkeys(STAFF, 302)},
        POST: everyone(200),
    },
    # The same URL as admin:login, listed first (a login without `next` lands on the start page).
    "admin_login": {
        GET: {**everyone(200), **dict.fromkeys(STAFF, 302)},
        POST: everyone(200),
    },
    # Staff sign out and land on the login page; others are sent to the admin index first.
    "admin:logout": {
        GET: {**dict.fromkeys((ANONYMOUS, STATION_A, STATION_B), 302), **dict.fromkeys(STAFF, 405)},
        POST: {**dict.fromkeys((ANONYMOUS, STATION_A, STATION_B), 302), **dict.fromkeys(STAFF, LOGIN)},
    },
    "admin:password_change": {GET: STAFF_PAGE, POST: STAFF_PAGE},
    "admin:password_change_done": {GET: STAFF_PAGE},
    "admin:jsi18n": {GET: STAFF_PAGE},
    # Choices of payment.person: names of people the role may view.
    "admin:autocomplete": {
        GET: {**outside_admin(), CLERK: 200, LEADER: 200, AUDITOR: 403, SYSADMIN: 403, SECADMIN: 403}
    },
    # Person has no page outside the admin to jump to.
    "admin:view_on_site": {GET: {**outside_admin(), **dict.fromkeys(STAFF, 404)}},
    # An app's index lists the models the role may use, a 404 when there is none.
    "admin:app_list": {GET: {**outside_admin(), CLERK: 200, LEADER: 200, AUDITOR: 200, SYSADMIN: 200, SECADMIN: 200}},
    # Any other address under /admin/.
    "admin/(?P<url>.*)$": {GET: {**outside_admin(), **dict.fromkeys(STAFF, 404)}},
}


# --- the routes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    pattern: str  # the whole pattern, from the root
    name: str  # namespaced name, "" when the pattern has none

    @property
    def label(self) -> str:
        return self.name or self.pattern


def walk(resolver=None, prefix: str = "", namespace: str = "") -> list[Route]:
    """Every URL pattern of the project, recursively (admin, station, API, dashboard, files …)."""
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (entry.namespace or namespace)
            )
            routes += walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            routes.append(Route(prefix + str(entry.pattern), name))
    return routes


ADMIN_MODEL_PATTERN = re.compile(r"^admin/(?P<app>[a-z_]+)/(?P<model>[a-z_]+)/(?P<kind>.*)$")
API_PATTERN = re.compile(r"^api/v1/\^(?P<path>[a-z/-]+?)(?P<detail>/\(\?P<pk>\[\^/\.\]\+\))?(?P<suffix>.*)$")


@dataclass(frozen=True)
class Case:
    route: Route
    family: str  # the table entry
    methods: dict  # {method: {role: expected}}
    target: str = ""  # "app_label.model" of the object filling the URL
    fmt: str = ""  # the API's format suffix


def api_basename(name: str) -> tuple[str, str]:
    base, _, kind = name.rpartition("-")
    return base, kind


def classify(route: Route) -> Case | None:
    """The table entry for a route (a hand-written line first, else the area's declarations), or None."""
    if route.name in PAGES:
        return Case(route, route.name, PAGES[route.name], target=page_target(route))
    if route.name in API_PAGES:
        return get_only_if_suffixed(
            Case(route, route.name, API_PAGES[route.name], fmt="json" if "format" in route.pattern else "")
        )
    if route.pattern.startswith("api/v1/"):
        return get_only_if_suffixed(classify_api(route))
    if route.name in ADMIN_SITE or route.pattern in ADMIN_SITE:
        key = route.name if route.name in ADMIN_SITE else route.pattern
        return Case(route, key, ADMIN_SITE[key])
    match = ADMIN_MODEL_PATTERN.match(route.pattern)
    if route.name in ADMIN_CUSTOM:
        return Case(route, route.name, ADMIN_CUSTOM[route.name], target=f"{match['app']}.{match['model']}")
    if match:
        model = f"{match['app']}.{match['model']}"
        if route.name == f"admin:{match['app']}_{match['model']}_find" and declared.is_area_model(model):
            return Case(route, route.name, FIND, target=model)
        if model in ADMIN_MODELS and match["kind"] in ADMIN_MODEL_ROUTES:
            kind = match["kind"] or "changelist"
            return Case(route, f"admin {kind} of {model}", ADMIN_MODEL_ROUTES[match["kind"]](model), target=model)
        return None
    return classify_area_page(route)


def classify_api(route: Route) -> Case | None:
    """A model route of the API: a hand-written line for the core and the exceptions, else the declarations."""
    base, kind = api_basename(route.name)
    facts = declared.api_models().get(base)
    if facts is None or kind not in ("list", "detail"):
        return None
    if base in API_MODELS:
        methods = API_MODELS[base][kind]
    elif declared.is_area_model(facts.target):
        methods = api_model(
            station_writes=facts.station_writes, station_reads=facts.station_reads, read_only=facts.read_only
        )[kind]
    else:
        return None
    fmt = "json" if "(?P<format>" in route.pattern or "<drf_format_suffix:format>" in route.pattern else ""
    return Case(route, f"API {kind} of {base}", methods, target=facts.target, fmt=fmt)


def get_only_if_suffixed(case: Case | None) -> Case | None:
    """A format-suffix variant (`.json`) runs the same view as its route: asked by GET only, the writes once."""
    if case is None or not case.fmt or GET not in case.methods:
        return case
    return Case(case.route, case.family, {GET: case.methods[GET]}, target=case.target, fmt=case.fmt)


def classify_area_page(route: Route) -> Case | None:
    """An area's station page (`station_urls`) or public page (`public_urls`), by its declarations."""
    page = declared.station_page(route.name, route.pattern)
    if page is not None:
        target = page_target(route) or page.target
        if page.record and not target:
            return None  # a record the declarations do not name: a PAGE_TARGETS line is needed
        answers = STATION_RECORD if page.record else STATION_PAGE
        return Case(route, route.name, dict.fromkeys(page.methods, answers), target=target)
    if declared.public_page(route.name, route.pattern):
        return Case(route, route.name, {GET: everyone(200), POST: NOT_ALLOWED})
    return None


def page_target(route: Route) -> str:
    return PAGE_TARGETS.get(route.name, "")


# Route name -> the "app_label.model" whose township A object fills its parameter: the core's pages,
# and an area's page whose record its URL name does not tell (`declared.station_target`).
PAGE_TARGETS = {
    "station:person_detail": "bureau.person",
    "station:person_edit": "bureau.person",
    "station:notice_open": "bureau.notice",
    "station:support_army:homecoming_edit": "support_army.homecomingregistration",
    "station:support_army:homecoming_checklist": "support_army.homecomingregistration",
    "commemoration:memorial_martyr": "commemoration.martyr",
    "commemoration:memorial_photo": "commemoration.martyr",
    "commemoration:memorial_flower": "commemoration.martyr",
    "commemoration:memorial_message": "commemoration.martyr",
    "commemoration:memorial_api_detail": "commemoration.martyr",
    "printouts:record": "bureau.person",
    "reports:run_status": "reports.annualreportrun",
    "reports:run_retry": "reports.annualreportrun",
    "reports:run_download": "reports.annualreportrun",
}


def all_cases() -> list[Case]:
    return [case for case in map(classify, walk()) if case is not None]


def table_names() -> set[str]:
    """Everything the tables name, to find entries whose route is gone."""
    names = set(PAGES) | set(API_PAGES) | set(ADMIN_CUSTOM)
    names |= set(ADMIN_SITE)
    names |= {f"API model {base}" for base in API_MODELS}
    names |= {f"admin model {model}" for model in ADMIN_MODELS}
    return names


def names_of(route: Route) -> set[str]:
    """The table names a route answers to."""
    names = {route.name, route.pattern}
    if route.pattern.startswith("api/v1/") and route.name:
        names.add(f"API model {api_basename(route.name)[0]}")
    match = ADMIN_MODEL_PATTERN.match(route.pattern)
    if match:
        names.add(f"admin model {match['app']}.{match['model']}")
    return names


# --- building one request -------------------------------------------------------------------


def url_for(case: Case, data) -> str:
    """The route's pattern with its parameters filled by township A's objects."""
    pattern = case.route.pattern
    obj = None
    if case.target:
        obj = data.history.get(case.target) or data.objects[case.target]
    if case.route.name == "protected_file":
        return data.extra["attachment"].file.url
    if case.route.name == "admin:view_on_site":
        person = data.objects["bureau.person"]
        return f"/admin/r/{ContentType.objects.get_for_model(person).pk}/{person.pk}/"
    if case.route.name == "admin:autocomplete":
        return "/admin/autocomplete/?app_label=bureau&model_name=payment&field_name=person&term=张"
    if case.route.name.endswith(("_import_job", "_import_job_status", "_import_job_columns")):
        job = data.extra["import_job"].pk
        return "/" + pattern.replace("<int:job_id>", str(job))
    if case.route.name in ("export_status", "export_download"):
        return "/" + pattern.replace("<int:pk>", str(data.extra["export_job"].pk))
    if case.route.name == "help:page":
        return "/help/bureau-staff/"
    if case.route.name == "admin:app_list":
        return "/admin/bureau/"
    if pattern == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    if case.route.name == "api-not-found":
        return "/api/v1/persons/1.5/"
    if case.route.name == "printouts:record":
        return f"/printouts/person-file/{obj.pk}/"
    if case.route.name == "printouts:list":
        return "/printouts/station-todo/"
    if case.route.name == "reports:run_download":
        return f"/dashboard/runs/{obj.pk}/download/docx/"
    if case.route.name == "reports:final_download":
        return "/dashboard/final/2021/docx/"
    if case.route.name == "reports:chart_download":
        return "/dashboard/charts/payments_by_month.xlsx"
    if case.route.name == "reports:completeness_rows":
        return f"/dashboard/completeness/kit_area.grant/{data.objects['bureau.township'].pk}/"
    if case.route.name == "reports:figure_records":
        return "/dashboard/figures/nothing.here/nothing/"
    if pattern.startswith("api/v1/"):
        return api_url(case, obj)
    if pattern.endswith("^([^/]+)/history/([^/]+)/$"):
        app_label, model_name = case.target.split(".")
        version = data.history[f"{app_label}.historical{model_name}"]
        return f"/admin/{app_label}/{model_name}/{obj.pk}/history/{version.history_id}/"
    key = quote(obj.pk) if obj is not None else ""
    if case.target == "authtoken.tokenproxy":
        key = obj.user_id  # the admin's proxy names a token by its user
    path = re.sub(r"<(?:[a-z_]+:)?[a-z_]+>", str(key), pattern)
    return "/" + path


def api_url(case: Case, obj) -> str:
    path = case.route.pattern.replace("(?P<pk>[^/.]+)", str(obj.pk) if obj is not None else "")
    path = path.replace("^", "").replace("$", "")
    path = re.sub(r"\\\.\(\?P<format>\[a-z0-9\]\+\)/\?", f".{case.fmt}", path)
    path = path.replace("<drf_format_suffix:format>", f".{case.fmt}" if case.fmt else "")
    return "/" + path


def payload(case: Case, method: str, data) -> dict:
    """An empty form, except for a changelist post: the delete action on township A's object."""
    if method == POST and case.family.startswith("admin changelist of "):
        obj = data.objects.get(case.target) or data.history.get(case.target)
        return {"action": "delete_selected", "_selected_action": [str(obj.pk)], "index": "0", "post": "yes"}
    if method == POST and case.family.startswith("admin export/ of "):
        return {"format": "0"}
    return {}


def got(response) -> object:
    if response.status_code == 302 and "login/" in response.get("Location", ""):
        return LOGIN
    return response.status_code


CASES = all_cases()


def test_every_route_is_classified():
    """A new URL needs a line in the tables; a line whose URL is gone is removed."""
    routes = walk()
    unclassified = sorted(route.label for route in routes if classify(route) is None)
    assert not unclassified, f"routes no table of the matrix names: {unclassified}"
    answered = set().union(*(names_of(route) for route in routes))
    stale = sorted(name for name in table_names() if name not in answered)
    assert not stale, f"table entries naming no route: {stale}"


@pytest.mark.parametrize(
    "route",
    [
        # A page of its own on an area's admin, and on a model no table names.
        Route("admin/kit_area/grant/<path:object_id>/receipt/", "admin:kit_area_grant_receipt"),
        Route("admin/kit_area/receipt/", "admin:kit_area_receipt_changelist"),
        # A station page naming a record whose model no declaration tells.
        Route("station/kit_area/receipts/<int:pk>/", "station:kit_area:receipt_print"),
        # An API route of a basename the router does not know, and a page of no area.
        Route("api/v1/^kit-area/receipts/$", "receipt-list"),
        Route("receipts/", "receipts"),
    ],
    ids=lambda route: route.name,
)
def test_a_route_neither_a_table_nor_a_declaration_explains_fails_the_classification(route, monkeypatch):
    assert classify(route) is None
    monkeypatch.setattr(f"{__name__}.walk", lambda: [route])
    with pytest.raises(AssertionError, match="routes no table of the matrix names"):
        test_every_route_is_classified()


def request_as(role: str, case: Case, method: str, data) -> tuple[str, object, bool]:
    """
    One request: (url, the answer, whether township A's object survived it). The role's one
    client carries only its signed-in session (a sign-out's expired cookie, a message or a
    CSRF cookie of the last request are dropped). A read is sent as it is; a write is undone
    afterwards (a savepoint), so the next role finds the same dataset. What a read writes
    itself (an audit event, a session's last activity) is undone with the test's savepoint.
    """
    client = data.clients[role]
    client.cookies = SimpleCookie()
    if role in data.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = data.sessions[role]
    url = url_for(case, data)
    if method == GET:
        return url, got(client.get(url)), True
    with transaction.atomic():
        if method == GET:
            response = client.get(url)
        elif case.route.pattern.startswith("api/"):
            response = client.generic(method, url, "{}", "application/json")
        else:
            response = client.post(url, payload(case, method, data))
        obj = data.objects.get(case.target)
        survived = obj is None or type(obj)._base_manager.filter(pk=obj.pk).exists()
        transaction.set_rollback(True)
    return url, got(response), survived


# The API schema is generated for each role (~10 s of CPU): the one case over the time budget.
SLOW_ROUTES = {"api-schema"}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, id=case.route.label, marks=[pytest.mark.slow] if case.route.label in SLOW_ROUTES else [])
        for case in CASES
    ],
)
def test_route(case, matrix_data, db):
    """Every role, every method of the route: the answer the tables expect."""
    keep_signed_in(matrix_data)
    wrong = []
    for method, answers in case.methods.items():
        for role, expected in answers.items():
            url, answer, survived = request_as(role, case, method, matrix_data)
            if answer != expected:
                wrong.append(f"{method} {url} as {role}: expected {expected}, got {answer}")
            deletes = case.family.startswith("admin changelist of ") and "d" in access_of(case.target, role)
            if method != GET and not survived and not deletes and method != DELETE:
                wrong.append(f"{method} {url} as {role}: township A's {case.target} was deleted")
    assert not wrong, f"{case.route.label} [{case.family}]:\n" + "\n".join(wrong)


def test_a_run_longer_than_a_session_stays_signed_in(matrix_data, db):
    """On a loaded machine the module outlasts the sessions signed in at its start: each test renews them."""
    long_ago = timezone.now() - datetime.timedelta(minutes=1)
    Session.objects.filter(session_key__in=matrix_data.sessions.values()).update(expire_date=long_ago)

    test_route(next(case for case in CASES if case.route.name == "station:home"), matrix_data, db)


def access_of(model: str, role: str) -> str:
    if model not in ADMIN_MODELS or role not in STAFF:
        return ""
    return ADMIN_MODELS[model][STAFF.index(role)]
