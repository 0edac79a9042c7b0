import uuid
from pathlib import PurePosixPath

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bureau import roles
from bureau.celery import app as celery_app
from bureau.models import Attachment
from bureau.rules import audit, datacheck, otp, service_health
from bureau.rules.accounts import (
    PASSWORD_CHANGE_REQUIRED_MESSAGE,
    NewPasswordChangeForm,
    is_locked_out,
    lockout_response,
    login_failures_reset,
)

FILE_NOT_FOUND = "文件不存在，或您无权查看。"
CSRF_FAILURE_MESSAGE = "页面已过期或安全校验未通过（CSRF），本次提交未保存。请返回上一页，刷新后重新提交。"


def csrf_failure(request, reason: str = ""):
    """
    `CSRF_FAILURE_VIEW`: Django's own page is in English and asks for DEBUG=True. The reason
    ("CSRF cookie not set." …) is for the log, not for the visitor (the memorial's too).
    """
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": CSRF_FAILURE_MESSAGE}, status=403)
    return render(request, "403_csrf.html", {"message": CSRF_FAILURE_MESSAGE}, status=403)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def _cache_status() -> str:
    """The shared cache (rate limits, one-time codes) takes a write and gives it back."""
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, 1, timeout=10)
        answered = cache.get(key)
        cache.delete(key)
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok" if answered == 1 else "error: the value written was not read back"


def _broker_status() -> str:
    if celery_app.conf.task_always_eager:
        return "ok (eager)"
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


#: Down means 503: users wait on these (pages, queued payroll/import/report jobs, scheduled work).
#: The cache fails open (the rate limit lets tributes through, progress notes are skipped): reported, 200.
SERVING = ("database", "broker", "worker", "beat")


@never_cache
@transaction.non_atomic_requests
def healthz(request):
    """
    Health for the load balancer and the operator, as JSON with one field per dependency: "ok",
    "ok (eager)" or "not used" on the embedded default (tasks run in the web process: no broker,
    worker or beat), "error: <reason>" or "down: last heartbeat N s ago". 503 when one that serves
    users is down, "degraded" (200) when only the cache is.

    It runs outside the per-request transaction (ATOMIC_REQUESTS would open one, and fail with
    an HTML 500, before the view could say the database is down), and no middleware touches the
    database for an anonymous request (bureau.base.sqlite.DeferredReadsMiddleware lets a failed open pass).
    """
    status = {"database": _database_status(), "cache": _cache_status(), "broker": _broker_status()}
    if celery_app.conf.task_always_eager:
        status.update(worker="not used", beat="not used")
    elif status["database"] != "ok":
        status.update(worker="unknown: the database does not answer", beat="unknown: the database does not answer")
    else:
        status.update(worker=service_health.worker_status(), beat=service_health.beat_status())
    if not all(status[name].startswith(("ok", "not used")) for name in SERVING):
        overall, code = "error", 503
    elif not status["cache"].startswith("ok"):
        overall, code = "degraded", 200
    else:
        overall, code = "ok", 200
    return JsonResponse({"status": overall, **status}, status=code)


def file_owner(name: str) -> tuple[type[Model], Model, FieldFile] | None:
    """
    The record an uploaded file belongs to: an attachment, or a record whose model declares the
    FileField in `protected_files` (e.g. a placement's signature scan). Area apps declare; the
    core never names them.
    """
    attachment = Attachment.objects.filter(file=name).select_related("content_type").first()
    if attachment is not None:
        model = attachment.content_type.model_class()
        return (model, attachment, attachment.file) if model is not None else None
    for model in apps.get_models():
        for field_name in getattr(model, "protected_files", ()):
            record = model._default_manager.filter(**{field_name: name}).first()
            if record is not None:
                return model, record, getattr(record, field_name)
    return None


@never_cache
def protected_file(request, name: str):
    """
    An uploaded file, to a user who may view the record it belongs to: the model's view
    permission and the record within their townships. Attachments belong to their record;
    a model's own FileFields are served when it declares them (`protected_files`). Anything
    else, report files included (the dashboard's audited download serves those), is a 404.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    owner = file_owner(name)
    if owner is None:
        raise Http404(FILE_NOT_FOUND)
    model, holder, stored = owner
    opts = model._meta
    records = model._default_manager.all()
    if hasattr(records, "visible_to"):
        records = records.visible_to(request.user)
    record_pk = holder.object_id if isinstance(holder, Attachment) else holder.pk
    may_view = request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    if not may_view or not records.filter(pk=record_pk).exists():
        raise Http404(FILE_NOT_FOUND)
    try:
        opened = stored.open("rb")
    except (FileNotFoundError, SuspiciousFileOperation):
        raise Http404(FILE_NOT_FOUND) from None
    audit.record(audit.Kind.DOWNLOAD, request=request, obj=holder)
    return FileResponse(opened, filename=PurePosixPath(name).name)


# --- the steps after the password: second factor, initial password --------------------------
# Both pages wear the admin's look for bureau staff (is_staff) and the station portal's otherwise.


def _home_url(request) -> str:
    """Where the user goes next: the `next` of the request when it is safe, else the user's home page."""
    next_url = request.POST.get("next") or request.GET.get("next")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return next_url
    return reverse(roles.home_url_name(request.user))


@never_cache
@require_GET
def home(request):
    """`/`: the user's own start page (bureau.roles.home_url_name); the login page for anonymous users."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("home"), reverse("station:login"))
    return redirect(roles.home_url_name(request.user))


@never_cache
def admin_login(request):
    """
    The admin's login page, which otherwise sends everyone to the admin index: without an explicit
    `next`, a successful login goes to `/`, hence to the user's own start page.
    """
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        query = request.GET.copy()
        query[REDIRECT_FIELD_NAME] = reverse("home")
        request.GET = query
    return admin.site.login(request)


def _look_context(request) -> dict:
    return admin.site.each_context(request) if request.user.is_staff else {}


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change under the password policy; saving it clears `must_change_password`."""

    form_class = NewPasswordChangeForm

    def get_template_names(self):
        if self.request.user.is_staff:
            return ["registration/password_change_admin.html"]
        return ["registration/password_change_station.html"]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            **_look_context(self.request),
            "title": "修改密码",
            "required_message": PASSWORD_CHANGE_REQUIRED_MESSAGE if self.request.user.must_change_password else "",
            "next": self.request.GET.get("next", ""),
        }

    def form_valid(self, form):
        messages.success(self.request, "密码已修改。")
        return super().form_valid(form)

    def get_success_url(self):
        return _home_url(self.request)


@never_cache
@login_required
def second_factor(request):
    """
    /accounts/otp/: the 6-digit code of the user's authenticator app, or, when none is enrolled yet,
    the secret and its QR code and a first code to confirm the enrolment. A wrong code is a failed
    login of the account (django-axes): the fifth within the lockout's time locks the account,
    whatever logins they were spread over, and logs the session out.
    """
    user = request.user
    if not otp.is_required() or request.session.get(otp.VERIFIED_KEY):
        return redirect(_home_url(request))
    enrolling = not user.totp_secret
    secret = user.totp_secret or request.session.setdefault(otp.PENDING_SECRET_KEY, otp.new_secret())
    error = ""
    if request.method == "POST":
        # Locked meanwhile (wrong codes or passwords from another session or address): no more guesses.
        if is_locked_out(request, username=user.get_username()):
            logout(request)
            return lockout_response(request)
        if otp.code_accept(user=user, secret=secret, code=request.POST.get("code", "")):
            if enrolling:
                user.totp_secret = secret
                user.save(update_fields=["totp_secret"])
            request.session.pop(otp.PENDING_SECRET_KEY, None)
            request.session.pop(otp.FAILURES_KEY, None)
            request.session[otp.VERIFIED_KEY] = True
            # The sign-in is complete only now: its account's failed attempts are cleared here.
            login_failures_reset(user.get_username())
            return redirect(_home_url(request))
        # Counts toward the account's lock like a wrong password, across logins (django-axes).
        if otp.code_failure(request, user=user):
            logout(request)
            return lockout_response(request)
        failures = request.session.get(otp.FAILURES_KEY, 0) + 1
        if failures >= otp.FAILURE_LIMIT:
            login_url = reverse("admin:login") if user.is_staff else reverse("station:login")
            logout(request)
            messages.error(request, otp.TOO_MANY_FAILURES_MESSAGE)
            return redirect(login_url)
        request.session[otp.FAILURES_KEY] = failures
        error = otp.WRONG_CODE_MESSAGE
    context = {**_look_context(request), "title": "动态口令验证", "enrolling": enrolling, "error": error}
    context["next"] = request.POST.get("next") or request.GET.get("next", "")
    if enrolling:
        context["secret"] = secret
        context["qr_code"] = otp.qr_code_svg(otp.provisioning_uri(user=user, secret=secret))
    template = "registration/otp_admin.html" if user.is_staff else "registration/otp_station.html"
    return render(request, template, context)


@never_cache
@require_GET
def data_check(request):
    """数据质量核查: the contradictions across areas, counted by kind, each with a link to fix it (bureau staff)."""
    if not roles.reviews_records(request.user):
        raise PermissionDenied("只有局机关工作人员可以查看数据质量核查。")
    results = datacheck.data_check_run()
    context = {
        **admin.site.each_context(request),
        "title": "数据质量核查",
        "results": results,
        "total": sum(result.count for result in results),
        "page_limit": datacheck.PAGE_LIMIT,
    }
    return TemplateResponse(request, "admin/bureau/datacheck/index.html", context)
