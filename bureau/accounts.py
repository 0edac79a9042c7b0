"""
Sign-in rules of MLPS level 3 that django-axes and Django's sessions leave to the project:
the Chinese lockout response, the client address axes counts by, and the 12-hour session limit.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKOUT_MESSAGE = "登录失败次数过多，账号已锁定 30 分钟，请稍后再试或联系安全管理员解锁。"
# Session key of the moment the user signed in, in seconds since the epoch.
LOGIN_TIME_KEY = "bureau_login_time"


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with the Chinese message, as JSON for the API and as a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKOUT_MESSAGE}, status=429)
    return render(request, "registration/locked_out.html", {"message": LOCKOUT_MESSAGE}, status=429)


def client_ip_address(request: HttpRequest) -> str | None:
    """
    AXES_CLIENT_IP_CALLABLE: REMOTE_ADDR, or the header named by AXES_CLIENT_IP_HEADER.

    A header is trusted only when configured: behind no proxy anyone could send X-Forwarded-For
    and start every attempt from a fresh address, escaping the lockout. Of a list the last entry
    is taken, the one the trusted proxy added; the ones before it came from the client.
    """
    header = settings.AXES_CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def remember_login_time(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: the start of the session's absolute lifetime."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_TIME_KEY] = int(time.time())


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
