"""
Sign-in rules of MLPS level 3 that django-axes and Django's sessions leave to the project:
the Chinese lockout response, the client address axes counts by, the 12-hour session limit,
and the initial password that must be changed before anything else.
"""

import time
from functools import wraps

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import connection
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from bureau.base.sessions import SessionStore as RenewedSessionStore
from bureau.rules.otp import VERIFIED_KEY, is_open_path, is_required

LOCKOUT_MESSAGE = "登录失败次数过多，账号已锁定 30 分钟，请稍后再试或联系安全管理员解锁。"
PASSWORD_CHANGE_REQUIRED_MESSAGE = "首次登录或密码被管理员重置后，须先修改初始密码才能继续使用。"
API_PASSWORD_CHANGE_REQUIRED_MESSAGE = "须先在网页上登录并修改初始密码，才能获取接口令牌。"
SAME_PASSWORD_MESSAGE = "新密码不能与原密码相同。"
# Session key of the moment the user signed in, in seconds since the epoch.
LOGIN_TIME_KEY = "bureau_login_time"


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with the Chinese message, as JSON for the API and as a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKOUT_MESSAGE}, status=429)
    return render(request, "registration/locked_out.html", {"message": LOCKOUT_MESSAGE}, status=429)


class LockoutHandler(AxesDatabaseHandler):
    """
    AXES_HANDLER: what the lockout locks (MLPS level 3, and what README and SECURITY.md promise).

    - An account: AXES_FAILURE_LIMIT failures of its username, from any addresses, lock it for
      every address (a wrong password or a wrong second-factor code, on the web or the API).
    - An address: one that failed against LOGIN_ADDRESS_ACCOUNT_LIMIT different usernames is
      locked for every username (trying one password on many accounts).

    Both within AXES_COOLOFF_TIME. Failures are cleared only when a sign-in is complete (with
    REQUIRE_TOTP, when the code is accepted, not by the right password alone: see
    `reset_user_attempts`), and only its own account's, never the address's failures against
    other accounts.
    """

    def get_failures(self, request, credentials=None) -> int:
        threshold = get_cool_off_threshold(request)
        recent = AccessAttempt.objects.filter(attempt_time__gte=threshold)
        username = get_client_username(request, credentials)
        by_account = 0
        if username:
            by_account = recent.filter(username=username).aggregate(total=Sum("failures_since_start"))["total"] or 0
        address = getattr(request, "axes_ip_address", None)
        if address:
            accounts = recent.filter(ip_address=address).values("username").distinct().count()
            if accounts >= settings.LOGIN_ADDRESS_ACCOUNT_LIMIT:
                return max(by_account, get_failure_limit(request, credentials))
        return by_account

    def reset_user_attempts(self, request, credentials=None) -> int:
        # With REQUIRE_TOTP the password is only the first step: its success clears nothing until
        # the code is accepted (bureau.views.second_factor calls `login_failures_reset`).
        session = getattr(request, "session", None)
        if is_required() and not (session is not None and session.get(VERIFIED_KEY)):
            return 0
        return login_failures_reset(get_client_username(request, credentials))


def login_failures_reset(username) -> int:
    """A completed sign-in clears its account's failures (from every address), nothing else."""
    if not username:
        return 0
    count, _ = AccessAttempt.objects.filter(username=username).delete()
    return count


def is_locked_out(request, *, username) -> bool:
    """Whether the account, or the address the request comes from, is locked now (django-axes' own check)."""
    from axes.handlers.proxy import AxesProxyHandler

    return not AxesProxyHandler.is_allowed(request, {"username": username})


def remember_login_time(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: the start of the session's absolute lifetime."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_TIME_KEY] = int(time.time())


class PermissionBackend(ModelBackend):
    """
    Django's ModelBackend, except that a user's permissions (their own and their groups') are read
    in one SQL query rather than two ORM queries: every API and admin request checks permissions
    for a user loaded afresh, so this is read on every request. Same answer, same per-request
    cache (`_perm_cache`); a superuser, and the separate user/group lookups, are Django's.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None or user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in _permission_rows(user_obj.pk)}
        return user_obj._perm_cache


def _permission_rows(user_id) -> list[tuple[str, str]]:
    """(app label, codename) of the user's own permissions and their groups' (what ModelBackend reads in two)."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    q = connection.ops.quote_name
    own = get_user_model()._meta.get_field("user_permissions")
    groups = get_user_model()._meta.get_field("groups")
    granted = Group._meta.get_field("permissions")
    sql = (
        f"SELECT ct.{q('app_label')}, p.{q('codename')} FROM {q(Permission._meta.db_table)} p "
        f"INNER JOIN {q(ContentType._meta.db_table)} ct ON ct.{q('id')} = p.{q('content_type_id')} "
        f"WHERE p.{q('id')} IN ("
        f"SELECT {q(own.m2m_reverse_name())} FROM {q(own.m2m_db_table())} WHERE {q(own.m2m_column_name())} = %s "
        f"UNION SELECT gp.{q(granted.m2m_reverse_name())} FROM {q(granted.m2m_db_table())} gp "
        f"INNER JOIN {q(groups.m2m_db_table())} ug ON ug.{q(groups.m2m_reverse_name())} = gp.{q(granted.m2m_column_name())} "
        f"WHERE ug.{q(groups.m2m_column_name())} = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, user_id])
        return cursor.fetchall()


class SessionLifetimeMiddleware:
    """
    Log out a session SESSION_ABSOLUTE_AGE seconds after its login, however active it has been.

    The idle limit is Django's own (SESSION_COOKIE_AGE renewed by SESSION_SAVE_EVERY_REQUEST).
    The view then sees an anonymous user and sends it to the login page as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            login_time = request.session.setdefault(LOGIN_TIME_KEY, int(time.time()))
            if time.time() - login_time > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """
    A signed-in user whose account has `must_change_password` can open only the password-change
    page (and sign out) until the password is changed; the API answers 403. Placed after the
    second-factor middleware: with REQUIRE_TOTP on, the code comes before the new password.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.must_change_password
            and request.path not in {reverse("password_change"), reverse("otp")}
            and not is_open_path(request.path)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": PASSWORD_CHANGE_REQUIRED_MESSAGE}, status=403)
            return redirect_to_login(request.get_full_path(), reverse("password_change"))
        return self.get_response(request)


class NewPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password, the new one twice, AUTH_PASSWORD_VALIDATORS); the new one must differ."""

    def clean(self):
        cleaned_data = super().clean()
        new_password = cleaned_data.get("new_password1")
        if new_password and self.user.check_password(new_password):
            self.add_error("new_password1", forms.ValidationError(SAME_PASSWORD_MESSAGE, code="password_unchanged"))
        return cleaned_data

    def save(self, commit=True):
        self.user.must_change_password = False
        return super().save(commit)


class SessionMiddleware(DjangoSessionMiddleware):
    """
    Django's session middleware, except that a background poll (`keeps_session_idle`) does not
    renew the session: a dashboard left open, polling a report run, still ends after 30 idle minutes;
    and a session renewed less than a minute ago is not written again (bureau.base.sessions).
    """

    def process_response(self, request, response):
        if getattr(request, "keeps_session_idle", False):
            return response
        session = getattr(request, "session", None)
        if isinstance(session, RenewedSessionStore) and session.renewed_lately():
            # Renewed less than a minute ago and unchanged: not written again (bureau.base.sessions).
            patch_vary_headers(response, ("Cookie",))
            return response
        return super().process_response(request, response)


def keeps_session_idle(view):
    """For views a page calls by itself (polling): the call is no sign of the user being there."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.keeps_session_idle = True
        return view(request, *args, **kwargs)

    return wrapped
