"""
The core's system checks.

- On settings: refuse an unsafe production start, warn about the embedded parts. They are
  deployment checks (`manage.py check --deploy`), which the production start in
  docker-compose.yml runs before gunicorn, so that day-to-day commands on a laptop
  (makemigrations, shell) are not blocked by the development key.
- On the area apps' declarations (`check_area_declarations`, ids bureau.E101-E111): ordinary
  checks, run by every management command, since a broken declaration is a developer's mistake
  to see at once, not a production setting.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_production_settings(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    messages = []
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        messages.append(
            Error(
                "DEBUG 已关闭（生产环境），但 SECRET_KEY 仍是开发用密钥。",
                hint="在环境变量 SECRET_KEY 中设置一个随机的长密钥。",
                id="bureau.E001",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        messages.append(
            Warning(
                "生产环境正在使用 SQLite 数据库。",
                hint="设置 DATABASE_URL 指向 PostgreSQL。",
                id="bureau.W001",
            )
        )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        messages.append(
            Warning(
                "生产环境的后台任务在网页进程内同步执行（Celery eager）。",
                hint="设置 REDIS_URL 并启动 Celery worker。",
                id="bureau.W002",
            )
        )
    return messages


# --- the area apps' declarations ----------------------------------------------------------------
#
# An `AreaConfig` (bureau.areas) is a set of promises the core reads when a page, the report, the
# demo or the API needs them: a misspelt path would fail only there, on the day someone opens it.
# This check imports and compares them all when any management command starts (`manage.py check`,
# `runserver`, `migrate`, the test run), and names the app and the declaration in the message.

#: The dotted paths of an `AreaConfig` and what each must name (a module, or an attribute of one).
AREA_MODULE_PATHS = ("api", "station_urls", "public_urls")
AREA_OBJECT_PATHS = ("report_section", "demo", "demo_this_year")
AREA_PATH_LISTS = ("data_checks", "person_guards", "todo", "printouts")


@register("areas")
def check_area_declarations(app_configs, **kwargs):
    """
    Every `AreaConfig` keeps its promises: each dotted path imports (bureau.E101), the station
    models name real models (E102), the role grants real permissions and roles (E103), a declared
    person file has a context (E104); and every model paying through the ledger (`ledger_payment`)
    names a function that imports (E105) and is administered by a `LedgerRecordAdmin` (E106);
    each station menu entry names a page of the station URLs (E107); each activity date names a date
    field of a model (E108); every workflow record's year (`record_year`) resolves or is declared "" (E109);
    a declared help file (`help`) is a file of the app (E110).
    each printout names a `Printout` of a key of its own and a permission that exists (E111).
    """
    from django.apps import apps

    from bureau.areas import AreaConfig

    configs = app_configs if app_configs is not None else apps.get_app_configs()
    messages = []
    for config in configs:
        if isinstance(config, AreaConfig):
            messages += _area_paths(config) + _area_models(config) + _area_grants(config) + _area_menu(config)
            messages += _area_activity_dates(config) + _area_help(config)
    messages += _ledger_models(configs)
    messages += _record_years(configs)
    messages += _printouts(configs)
    return messages


def _where(config, attribute: str) -> str:
    """The app, its declaration's class and the attribute, and whether the path is declared or the default."""
    how = "takes the default" if attribute in getattr(config, "defaulted_paths", ()) else "declares"
    return f"Area app '{config.label}' ({type(config).__module__}.{type(config).__name__}) {how} {attribute}"


def _import_problem(path: str, *, module: bool) -> str:
    """Why the dotted path does not import, or "" when it does."""
    from importlib import import_module

    from django.utils.module_loading import import_string

    try:
        import_module(path) if module else import_string(path)
    except ImportError as error:
        return str(error)
    except Exception as error:  # noqa: BLE001  (a module failing at import is the declaration's problem too)
        return f"{type(error).__name__}: {error}"
    return ""


def _area_paths(config) -> list:
    paths = [(attribute, getattr(config, attribute), attribute in AREA_MODULE_PATHS) for attribute in AREA_MODULE_PATHS]
    paths += [(attribute, getattr(config, attribute), False) for attribute in AREA_OBJECT_PATHS]
    paths += [
        (f"{attribute}[{index}]", path, False)
        for attribute in AREA_PATH_LISTS
        for index, path in enumerate(getattr(config, attribute))
    ]
    if config.person_file is not None and config.person_file.context:
        paths.append(("person_file", config.person_file.context, False))
    messages = []
    for attribute, path, module in paths:
        if not path:
            continue
        problem = _import_problem(path, module=module)
        if problem:
            messages.append(
                Error(
                    f"{_where(config, attribute)} = '{path}', which does not import: {problem}",
                    hint=f"Correct the path in {config.name}/apps.py; declare '' for none.",
                    obj=config,
                    id="bureau.E101",
                )
            )
    if config.person_file is not None and not config.person_file.context:
        messages.append(
            Error(
                f"{_where(config, 'person_file')} without a context function, "
                f"and the app has no module {config.name}.person_file to take it from.",
                hint="Add person_file.py with context(person, user), or give PersonFilePart(context=...).",
                obj=config,
                id="bureau.E104",
            )
        )
    return messages


def _area_models(config) -> list:
    from django.apps import apps

    own = {model._meta.model_name for model in config.get_models()}
    core = {model._meta.model_name for model in apps.get_app_config("bureau").get_models()}
    history = {name for name in own if name.startswith("historical")}
    messages = []
    for attribute in ("station_models", "station_read_models"):
        for name in sorted(set(getattr(config, attribute)) - own - core):
            messages.append(
                Error(
                    f"{_where(config, attribute)} naming '{name}', which is no model of '{config.label}' or of the core.",
                    hint=f"Use a model name in lower case, one of: {', '.join(sorted(own - history)) or '(none)'}.",
                    obj=config,
                    id="bureau.E102",
                )
            )
    return messages


def _area_activity_dates(config) -> list:
    """Each entry of `activity_dates` is "app_label.Model.field" of a DateField (the dashboard counts by its month)."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist
    from django.db import models

    messages = []
    for index, entry in enumerate(config.activity_dates):
        problem = ""
        try:
            app_label, model_name, field_name = entry.split(".")
            field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        except ValueError:
            problem = "which is not of the form app_label.Model.field"
        except LookupError:
            problem = "which names no installed model"
        except FieldDoesNotExist:
            problem = "which names no field of that model"
        else:
            if not isinstance(field, models.DateField) or isinstance(field, models.DateTimeField):
                problem = f"whose field is a {type(field).__name__}, not a DateField"
        if problem:
            messages.append(
                Error(
                    f"{_where(config, 'activity_dates')}[{index}] = '{entry}', {problem}.",
                    hint='Name a DateField of one of the area\'s records, as "app_label.Model.date_field".',
                    obj=config,
                    id="bureau.E108",
                )
            )
    return messages


def _area_help(config) -> list:
    """The declared help file exists (a missing one would be a 404 behind every 操作说明 link of the area)."""
    path = config.help_path()
    if path is None or path.is_file():
        return []
    return [
        Error(
            f"{_where(config, 'help')} = '{config.help}', which is no file in {config.path}.",
            hint='Write the area\'s 操作说明 in Markdown at that path (help.md by default), or declare help = "".',
            obj=config,
            id="bureau.E110",
        )
    ]


def _url_names(patterns) -> set[str]:
    names = set()
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            names |= _url_names(pattern.url_patterns)
        elif pattern.name:
            names.add(pattern.name)
    return names


def _area_menu(config) -> list:
    """Every `MenuEntry` names a page of the area's station URLs (a URL that does not reverse breaks every station page)."""
    from importlib import import_module

    if not config.station_menu or (config.station_urls and _import_problem(config.station_urls, module=True)):
        return []  # no menu, or the URL module's own error (E101) says it
    names = _url_names(getattr(import_module(config.station_urls), "urlpatterns", [])) if config.station_urls else set()
    return [
        Error(
            f"{_where(config, 'station_menu')} with an entry for '{entry.url_name}', "
            f"which is no page of its station URLs ({config.station_urls or 'none declared'}).",
            hint="Name a URL pattern of the station_urls module (the name=… of its path()).",
            obj=config,
            id="bureau.E107",
        )
        for entry in config.station_menu
        if entry.url_name not in names
    ]


def _area_grants(config) -> list:
    from bureau.roles import ROLES

    codenames = set()
    for model in config.get_models():
        opts = model._meta
        codenames |= {codename for codename, _ in opts.permissions}
        codenames |= {f"{action}_{opts.model_name}" for action in opts.default_permissions}
    messages = []
    for codename, roles in config.role_grants.items():
        if codename not in codenames:
            messages.append(
                Error(
                    f"{_where(config, 'role_grants')} granting '{codename}', which is no permission of a model of '{config.label}'.",
                    hint="Name a permission one of the app's models declares in Meta.permissions.",
                    obj=config,
                    id="bureau.E103",
                )
            )
        for role in sorted(set(roles) - set(ROLES)):
            messages.append(
                Error(
                    f"{_where(config, 'role_grants')} granting '{codename}' to '{role}', which is no role of bureau.roles.",
                    hint="Use the role constants of bureau.roles (BUREAU_STAFF …).",
                    obj=config,
                    id="bureau.E103",
                )
            )
    return messages


def _ledger_models(configs) -> list:
    """Every paying model of the apps checked: its function imports, and its admin pays through the ledger."""
    from django.contrib import admin

    from bureau.admin import LedgerRecordAdmin
    from bureau.rules.payments.ledger import declares_payment

    messages = []
    for config in configs:
        for model in config.get_models():
            if not declares_payment(model):
                continue
            label = model._meta.label
            problem = _import_problem(model.ledger_payment, module=False)
            if problem:
                messages.append(
                    Error(
                        f"{label}.ledger_payment = '{model.ledger_payment}' does not import: {problem}",
                        hint=f"Correct the path in the model of the app '{config.label}'.",
                        obj=model,
                        id="bureau.E105",
                    )
                )
            model_admin = admin.site._registry.get(model)
            if model_admin is not None and not isinstance(model_admin, LedgerRecordAdmin):
                messages.append(
                    Error(
                        f"{label} pays through the ledger (ledger_payment), but its admin "
                        f"{type(model_admin).__module__}.{type(model_admin).__qualname__} of the app '{config.label}' "
                        "is not a LedgerRecordAdmin: a payment refused by the ledger would fail the page.",
                        hint="Build the admin on bureau.admin.LedgerRecordAdmin.",
                        obj=model,
                        id="bureau.E106",
                    )
                )
    return messages


def _record_years(configs) -> list:
    """Every workflow record of the apps checked has a year the closing rule can read, or declares none (E109)."""
    from bureau.models import TownshipRecord
    from bureau.rules.closing import record_year_path, year_path_problem

    messages = []
    for config in configs:
        for model in config.get_models():
            if not issubclass(model, TownshipRecord):
                continue
            label = model._meta.label
            path = record_year_path(model)
            if path:
                problem = year_path_problem(model)
                if not problem:
                    continue
                what = f"{label}.record_year = '{path}' does not resolve: {problem}"
            elif getattr(model, "record_year", None) is None:
                what = f"{label} has no year: no record_year, activity start_date, event_dates or field 'year'"
            else:
                continue  # declared "": a record of no year
            messages.append(
                Error(
                    f"{what}; a closed year could not lock its records.",
                    hint=f"Declare record_year (a date or year field, or a path to one) on the model of the app "
                    f"'{config.label}', or record_year = \"\" for a record of no year.",
                    obj=model,
                    id="bureau.E109",
                )
            )
    return messages


def _printouts(configs) -> list:
    """Each declared printout path (its import is E101) names a `Printout`, of a key no other has, with a real permission."""
    from django.utils.module_loading import import_string

    from bureau.areas import AreaConfig
    from bureau.printouts.registry import CORE_PRINTOUTS, Printout

    # The core's own keys are taken first: an area's printout never shadows the person file's.
    keys = {import_string(path).key: path for path in CORE_PRINTOUTS}
    messages = []
    for config in configs:
        if not isinstance(config, AreaConfig):
            continue
        for index, path in enumerate(config.printouts):
            if _import_problem(path, module=False):
                continue  # E101 says it
            declared = import_string(path)
            problem = ""
            if not isinstance(declared, Printout):
                problem = f"which is a {type(declared).__name__}, not a bureau.printouts.registry.Printout"
            elif declared.key in keys:
                problem = f"whose key '{declared.key}' is already the key of {keys[declared.key]}"
            elif not _permission_exists(declared.permission):
                problem = f"whose permission '{declared.permission}' is no permission of an installed model"
            else:
                keys[declared.key] = path
            if problem:
                messages.append(
                    Error(
                        f"{_where(config, 'printouts')}[{index}] = '{path}', {problem}.",
                        hint='Name a Printout(key=..., title=..., permission="app_label.codename", build=...).',
                        obj=config,
                        id="bureau.E111",
                    )
                )
    return messages


def _permission_exists(permission: str) -> bool:
    from django.apps import apps

    app_label, _, codename = permission.partition(".")
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return False
    for model in config.get_models():
        opts = model._meta
        if codename in {name for name, _ in opts.permissions} | {
            f"{a}_{opts.model_name}" for a in opts.default_permissions
        }:
            return True
    return False
