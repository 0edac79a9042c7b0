"""
The optional second factor of MLPS level 3: a time-based one-time code (TOTP, RFC 6238) from an
authenticator app, required of every account after its password when settings.REQUIRE_TOTP is on.

The secret lives on the user (`User.totp_secret`, blank until enrolled); whether this session has
passed the second factor lives in the session, and is forgotten at every login. A code is accepted
one step either side of now (clock drift) but only once: the last time-step used is kept in the
cache, and a code of that step or an earlier one is refused.
"""

import hashlib
import time

import pyotp
import segno
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from bureau.models import SiteProfile
from bureau.rules import audit

# Session keys: the second factor passed, the wrong codes in a row, the secret offered for enrolment.
VERIFIED_KEY = "bureau_otp_verified"
FAILURES_KEY = "bureau_otp_failures"
PENDING_SECRET_KEY = "bureau_otp_pending_secret"
# Wrong codes in a row after which the session is logged out.
FAILURE_LIMIT = 5
# Steps either side of now that are accepted: 30 seconds of clock drift each way.
VALID_WINDOW = 1

OTP_REQUIRED_MESSAGE = "请先完成动态口令验证。"
WRONG_CODE_MESSAGE = "动态口令错误或已使用过，请输入验证器中当前显示的 6 位数字。"
MISSING_CODE_MESSAGE = "请填写动态口令（验证器中的 6 位数字）。"
NOT_ENROLLED_MESSAGE = "该账号尚未绑定动态口令，请先在网页上登录完成绑定。"
TOO_MANY_FAILURES_MESSAGE = f"动态口令连续 {FAILURE_LIMIT} 次错误，已退出登录，请重新登录。"
DEFAULT_ISSUER = "退役军人事务局"


def is_required() -> bool:
    return bool(getattr(settings, "REQUIRE_TOTP", False))


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(*, user, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code, issued in the bureau's name."""
    issuer = SiteProfile.get().full_bureau_name.strip() or DEFAULT_ISSUER
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=issuer)


def qr_code_svg(uri: str) -> str:
    """The QR code of `uri` as inline SVG: drawn on the server, no script and no outside service."""
    return segno.make(uri, error="m").svg_inline(scale=5, title="动态口令二维码")


def _last_step_key(user, secret: str) -> str:
    # Keyed by the secret too: a new enrolment starts afresh, and the secret itself is not in the key.
    return f"bureau-otp-last-step-{user.pk}-{hashlib.sha256(secret.encode()).hexdigest()[:16]}"


def code_accept(*, user, secret: str, code: str) -> bool:
    """
    True when `code` is the secret's code of the current time-step or one either side, and no code
    of that step or a later one was accepted before; the step is then remembered as used.
    """
    code = (code or "").strip()
    if not secret or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(time.time())
    matched = None
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            matched = step
    if matched is None:
        return False
    key = _last_step_key(user, secret)
    last_step = cache.get(key)
    if last_step is not None and matched <= last_step:
        return False
    # Kept as long as a code of the step can still be accepted.
    cache.set(key, matched, timeout=(2 * VALID_WINDOW + 2) * totp.interval)
    return True


def api_code_refusal(request, *, user) -> str | None:
    """
    The token endpoint's check of the `otp` field: None when accepted, else the Chinese refusal.
    A wrong code counts as a failed login with django-axes (`code_failure`), so guessing codes ends in the lockout.
    """
    code = str(request.data.get("otp") or "").strip()
    if not code:
        return MISSING_CODE_MESSAGE
    if not user.totp_secret:
        return NOT_ENROLLED_MESSAGE
    if code_accept(user=user, secret=user.totp_secret, code=code):
        return None
    code_failure(request, user=user)
    return WRONG_CODE_MESSAGE


def code_failure(request, *, user) -> bool:
    """
    A wrong code, on the web or at the token endpoint, is a failed login of the account for
    django-axes (bureau.rules.accounts.LockoutHandler): it counts toward the same lock as a wrong
    password, and is an audit event. True when the account (or the address) is now locked.
    """
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username(), "factor": "otp"}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def enrolment_reset(*, user, request=None) -> bool:
    """
    Forget the user's secret (a lost or replaced phone): the next login enrols afresh.
    Recorded in the audit trail; False when the user had not enrolled.
    """
    if not user.totp_secret:
        return False
    user.totp_secret = ""
    user.save(update_fields=["totp_secret"])
    audit.record(audit.Kind.ACCOUNT, request=request, obj=user, detail="重置动态口令")
    return True


def forget_second_factor(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: every login with the password asks for the second factor again."""
    if request is not None and hasattr(request, "session"):
        for key in (VERIFIED_KEY, FAILURES_KEY, PENDING_SECRET_KEY):
            request.session.pop(key, None)


def is_open_path(path: str) -> bool:
    """Pages a signed-in user may open before the second factor or the new password: sign-out, health, static."""
    return path.startswith(settings.STATIC_URL) or path in {
        reverse("station:logout"),
        reverse("admin:logout"),
        reverse("healthz"),
    }


class SecondFactorMiddleware:
    """
    With REQUIRE_TOTP on, a signed-in session that has not passed the second factor can open only
    /accounts/otp/ (and sign out); the API answers 403. API token requests are not session requests:
    the token endpoint asks for the code itself (bureau.api.tokens).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            is_required()
            and request.user.is_authenticated
            and not request.session.get(VERIFIED_KEY)
            and request.path != reverse("otp")
            and not is_open_path(request.path)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": OTP_REQUIRED_MESSAGE}, status=403)
            return redirect_to_login(request.get_full_path(), reverse("otp"))
        return self.get_response(request)
