"""
Receivers that write the audit trail (bureau.rules.audit) for what happens anywhere in the portal:
sign-ins and lockouts, every create, update and delete of a portal record, account and role
changes, exports and downloads. Connected once, by `connect()` from BureauConfig.ready.

Approvals and returns are recorded by their services (bureau.rules.services), refusals (403) by
AuditRequestMiddleware, sensitive views by the views that show the values.
"""

from axes.signals import user_locked_out
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from simple_history.models import HistoricalChanges
from simple_history.signals import post_create_historical_record

from bureau.areas import area_labels
from bureau.models.people import LIFE_EVENT_NAMES, Person
from bureau.rules import audit
from bureau.rules.password_resets import login_detail, reset_in_use

Kind = audit.Kind
HISTORY_KINDS = {"+": Kind.CREATE, "~": Kind.UPDATE, "-": Kind.DELETE}
# Not recorded as changes: the trail itself, the two download logs (each row is an EXPORT or
# DOWNLOAD event of its own), a technical table, and accounts (ACCOUNT events, below).
NOT_RECORDED = {
    "bureau.auditevent",
    "bureau.exportlog",
    "reports.reportdownload",
    "bureau.idempotencykey",
    "bureau.user",
}
# Written on every sign-in; a change of it is no change of the account.
ACCOUNT_FIELDS_NOT_RECORDED = {"last_login"}


# --- sign-in -------------------------------------------------------------------------------


def login_event(user, *, request=None, detail: str = ""):
    """A login, flagged when it is made with a password an administrator set (bureau.rules.password_resets)."""
    reset = reset_in_use(user)
    if reset is None:
        return audit.record(Kind.LOGIN, request=request, user=user, detail=detail)
    flagged = f"{detail}；{login_detail(reset)}" if detail else login_detail(reset)
    return audit.record(Kind.LOGIN_AFTER_RESET, request=request, user=user, detail=flagged)


def on_login(sender, request, user, **kwargs):
    login_event(user, request=request)


def on_logout(sender, request, user, **kwargs):
    audit.record(Kind.LOGOUT, request=request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # The username only: Django has already replaced the password by stars, and it is not kept either way.
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or ""
    # A wrong second-factor code (bureau.rules.otp.code_failure) counts as a failed login; the event says which.
    detail = "动态口令错误" if credentials.get("factor") == "otp" else ""
    audit.record(Kind.LOGIN_FAILED, request=request, username=username, detail=detail)


def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit.record(Kind.LOCKOUT, request=request, username=username or "")


# --- records -------------------------------------------------------------------------------


def on_history_record(sender, instance, history_instance, history_user=None, **kwargs):
    """Every change of a history-tracked model: the history row holds what changed, the event who and from where."""
    audit.record(HISTORY_KINDS[history_instance.history_type], user=history_user, obj=instance)


def on_save(sender, instance, created, raw=False, **kwargs):
    # A service run without a request (a task of the worker) names its user on the record.
    if not raw:
        audit.record(Kind.CREATE if created else Kind.UPDATE, user=getattr(instance, "_audit_user", None), obj=instance)


def on_delete(sender, instance, **kwargs):
    audit.record(Kind.DELETE, obj=instance)


def on_person_saved(sender, instance, created, raw=False, **kwargs):
    """
    A death, a move out or a move in recorded, corrected or cleared: an event of its own, naming
    it, whichever path saved the person (the admin, the API, an approved station proposal).
    """
    if raw:
        return
    user = getattr(instance, "_history_user", None)
    for name, old, new in getattr(instance, "_life_event_changes", ()):
        audit.record(Kind.LIFE_EVENT, user=user, obj=instance, fields=[name], detail=life_event_detail(name, old, new))
    instance._life_event_changes = []


def life_event_detail(name: str, old, new) -> str:
    """「登记死亡：死亡日期 2026-03-05」, 「更正死亡日期：… → …」, 「撤销死亡登记（原死亡日期 …）」."""
    event, label = LIFE_EVENT_NAMES[name], Person._meta.get_field(name).verbose_name
    if old is None:
        return f"登记{event}：{label} {new:%Y-%m-%d}"
    if new is None:
        return f"撤销{event}登记（原{label} {old:%Y-%m-%d}）"
    return f"更正{label}：{old:%Y-%m-%d} → {new:%Y-%m-%d}"


def models_without_history() -> list:
    """The portal's own models (the core, the areas, the reports) that simple-history does not track."""
    labels = {"bureau", "reports", *area_labels()}
    return [
        model
        for label in sorted(labels)
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, HistoricalChanges)
        and not hasattr(model, "history")
        and model._meta.label_lower not in NOT_RECORDED
    ]


# --- accounts ------------------------------------------------------------------------------


def remember_account_changes(sender, instance, raw=False, update_fields=None, **kwargs):
    """The names of the fields a save of an account changes (the password by name, never its hash)."""
    instance._audit_changed_fields = []
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and set(update_fields) <= ACCOUNT_FIELDS_NOT_RECORDED:
        return
    before = sender._base_manager.filter(pk=instance.pk).first()
    if before is None:
        return
    instance._audit_changed_fields = [
        field.name
        for field in sender._meta.concrete_fields
        if field.name not in ACCOUNT_FIELDS_NOT_RECORDED
        and field.value_from_object(before) != field.value_from_object(instance)
    ]


def on_account_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        audit.record(Kind.ACCOUNT, obj=instance, detail="新建账号")
    elif changed := getattr(instance, "_audit_changed_fields", []):
        audit.record(Kind.ACCOUNT, obj=instance, fields=changed, detail="修改账号")


def on_account_deleted(sender, instance, **kwargs):
    audit.record(Kind.ACCOUNT, obj=instance, detail="删除账号")


def on_account_relations_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Roles (groups) or permissions given to or taken from an account, from either side of the relation."""
    field = "groups" if sender is get_user_model().groups.through else "user_permissions"
    if action == "pre_clear":
        # Cleared names are gone after the clear: read them now.
        related = instance.groups if field == "groups" else instance.user_permissions
        instance._audit_cleared = [] if reverse else [str(item) for item in related.all()]
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    verb = "加入" if action == "post_add" else "移出"
    if reverse:  # group.user_set.add(user, …): one event per account
        for account in get_user_model()._base_manager.filter(pk__in=pk_set or ()):
            audit.record(Kind.ACCOUNT, obj=account, fields=[field], detail=f"{verb}：{instance}")
        return
    if action == "post_clear":
        names = getattr(instance, "_audit_cleared", [])
    else:
        names = [str(item) for item in model._base_manager.filter(pk__in=pk_set or ())]
    if names:
        audit.record(Kind.ACCOUNT, obj=instance, fields=[field], detail=f"{verb}：{'、'.join(sorted(names))}")


# --- exports and downloads -----------------------------------------------------------------


def on_export_logged(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        unmasked = "，含未遮蔽的个人信息" if instance.unmasked else ""
        detail = f"{instance.kind} {instance.file_format} {instance.row_count} 行{unmasked}"
        audit.record(Kind.EXPORT, user=instance.user, obj=instance, detail=detail)


def on_report_downloaded(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        audit.record(Kind.DOWNLOAD, user=instance.user, obj=instance.run, detail=instance.file_format)


def connect() -> None:
    user_model = get_user_model()
    user_logged_in.connect(on_login, dispatch_uid="bureau.rules.audit.login")
    user_logged_out.connect(on_logout, dispatch_uid="bureau.rules.audit.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="bureau.rules.audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="bureau.rules.audit.lockout")

    post_create_historical_record.connect(on_history_record, dispatch_uid="bureau.rules.audit.history")
    for model in models_without_history():
        post_save.connect(on_save, sender=model, dispatch_uid=f"bureau.rules.audit.save.{model._meta.label_lower}")
        post_delete.connect(
            on_delete, sender=model, dispatch_uid=f"bureau.rules.audit.delete.{model._meta.label_lower}"
        )

    post_save.connect(
        on_person_saved, sender=apps.get_model("bureau", "Person"), dispatch_uid="bureau.rules.audit.life_event"
    )
    pre_save.connect(remember_account_changes, sender=user_model, dispatch_uid="bureau.rules.audit.account_before")
    post_save.connect(on_account_saved, sender=user_model, dispatch_uid="bureau.rules.audit.account")
    post_delete.connect(on_account_deleted, sender=user_model, dispatch_uid="bureau.rules.audit.account_deleted")
    for through in (user_model.groups.through, user_model.user_permissions.through):
        m2m_changed.connect(
            on_account_relations_changed, sender=through, dispatch_uid=f"bureau.rules.audit.account_{through.__name__}"
        )

    post_save.connect(
        on_export_logged, sender=apps.get_model("bureau", "ExportLog"), dispatch_uid="bureau.rules.audit.export"
    )
    post_save.connect(
        on_report_downloaded,
        sender=apps.get_model("reports", "ReportDownload"),
        dispatch_uid="bureau.rules.audit.download",
    )
