from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from bureau.roles import sync_roles

    sync_roles()


class BureauConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bureau"
    verbose_name = "人员与公共台账"

    def ready(self):
        from bureau import checks  # noqa: F401  (registers the system checks)
        from bureau.admin.history import register_history_admins
        from bureau.admin.lookups import enforce_query_allow_list
        from bureau.admin.placeholders import use_placeholders_everywhere
        from bureau.base import rowbuild
        from bureau.rules import audit_hooks, notices, signals  # noqa: F401  (signals registers its receivers)
        from bureau.rules.payments import batches, ledger
        from bureau.station.records import station_record_url

        # django.contrib.admin comes first in INSTALLED_APPS, so its ready() has imported every
        # app's admin module by now: an app's own admin of a history table is left in place.
        register_history_admins()
        # Then every admin list, the history lists and other packages' lists included, takes only
        # the query parameters it declares (bureau.base.query_params).
        enforce_query_allow_list()
        # And one placeholder in every drop-down list: 「请选择」, not 「---------」.
        use_placeholders_everywhere()
        audit_hooks.connect()
        # Rows read from the database become instances without a setattr per field (bureau.base.rowbuild).
        rowbuild.install()
        # Records that pay through the ledger (`ledger_payment` on the model) keep their row in step.
        ledger.connect()
        # Money held for want of a bank account is paid once an account in use is added.
        batches.connect()
        # A station's notice of the bureau's review links to the record's station page.
        notices.use_record_url(station_record_url)

        # Models added by later migrations get their role grants without a hand-written list.
        # Connected for every app, since each app's permissions appear after its own migrate step.
        post_migrate.connect(_sync_roles, dispatch_uid="bureau.sync_roles")


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's site (bureau.sites: the history pages grouped per area)."""

    default = False  # the app config of `bureau` is BureauConfig; this one is named in INSTALLED_APPS
    default_site = "bureau.sites.PortalAdminSite"
