"""
The one plug-in point of the area apps.

An area app declares itself once, with an `AreaConfig` subclass in its `apps.py`:

    class EmploymentConfig(AreaConfig):
        name = "employment"
        verbose_name = "就业创业"
        order = 1
        station_menu = (MenuEntry("招聘会参加", "attendance_list", match="attendance"),)
        person_file = PersonFilePart("就业创业", "employment/person_file.html")
        station_models = frozenset({"fairattendance"})
        station_read_models = frozenset({"jobfair"})

        person_guards = ("resettlement.guards.discharge_route_guard",)

The usual paths are defaults, relative to the app's module (`DEFAULT_PATHS`): `report.section`,
`api`, `demo.seed`, `demo.seed_this_year`, `urls` and the person file's `person_file.context`.
A default is taken when its module exists (`employment/report.py`) and is simply not declared
otherwise; an app declares a path only where it differs, or "" to have none. The core's system
check (`bureau.checks.check_area_declarations`) imports every path, declared or defaulted, so a
misspelt one fails `manage.py check` instead of the page that would open it.

The core reads these declarations and never names an area app: the station URLs
and navigation (`bureau.station`), the role grants (`bureau.roles`), the report
(`reports.registry`), the person file (`bureau.rules.person_file`), the demo
(`seed_demo`), the API router (`bureau.api.urls`) and the person guards
(`Person.clean()`, so every path that saves a person) and the printouts
(`bureau.printouts.registry`). See docs/area-apps.md.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import AppConfig, apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class MenuEntry:
    """A link of the station portal's menu and home page to one of the area's station pages."""

    label: str
    url_name: str  # inside the area's namespace: "attendance_list" is station:<label>:attendance_list
    match: str = ""  # the entry is the current page when the URL name contains this


@dataclass(frozen=True)
class PersonFilePart:
    """The area's part of the person file: a template and a `context(person, user) -> dict` function."""

    title: str
    template: str
    #: Dotted path; by default `<app>.person_file.context` (when the app has a module `person_file`).
    context: str = ""
    order: int = 100


#: The paths an area declares by default: attribute → (module, name) relative to the app's module;
#: a name of None is a module path.
DEFAULT_PATHS = {
    "report_section": ("report", "section"),
    "api": ("api", None),
    "demo": ("demo", "seed"),
    "demo_this_year": ("demo", "seed_this_year"),
    "station_urls": ("urls", None),
}
PERSON_FILE_CONTEXT = ("person_file", "context")
DEFAULT_HELP = "help.md"


class AreaConfig(AppConfig):
    """
    The declaration of an area app; every attribute is optional. The paths of `DEFAULT_PATHS` are
    None on the class ("the default"); an instance holds the resolved path, or "" for none.
    """

    default_auto_field = "django.db.models.BigAutoField"
    # An app's apps.py imports this base; without this, Django would find two configs there and use neither.
    default = False

    #: Place in the report and the menus: (一) 就业创业 is 1.
    order: int = 100
    #: Dotted path of `section(*, year, township=None) -> bureau.reporting.Section`.
    report_section: str | None = None
    #: Module registering the area's viewsets on `bureau.api.router.router`.
    api: str | None = None
    #: Dotted path of `seed(*, year, scale, stdout)`, run by `seed_demo` after the registry.
    demo: str | None = None
    #: Dotted path of `seed_this_year(*, today, scale, stdout)`: the current year's records up to `today`,
    #: run by `seed_demo` after every `demo` and the veterans discharged this year.
    demo_this_year: str | None = None
    #: URL module of the station pages (with `app_name` = the app label), mounted at /station/<label>/.
    station_urls: str | None = None
    station_menu: tuple[MenuEntry, ...] = ()
    #: The area's dated activities for the dashboard's month-by-month trend, as "app_label.Model.date_field"
    #: (approved records, counted in the month of that date): "employment.JobFair.start_date".
    activity_dates: tuple[str, ...] = ()
    #: URL module of pages open to the public without login (with `app_name` = the app label),
    #: mounted at /<label with hyphens>/ (namespace <label>). Such pages show no personal data.
    public_urls: str = ""
    #: Where the public pages are mounted, when not at the label: "memorial" mounts them at /memorial/.
    public_path: str = ""
    person_file: PersonFilePart | None = None
    #: Model names (lower case) station staff may add, change and view, within their township.
    station_models: frozenset[str] = frozenset()
    #: Model names station staff only read, to pick from in their forms.
    station_read_models: frozenset[str] = frozenset()
    #: Custom permissions of the area's models ("codename") and the roles that hold them.
    role_grants: dict[str, frozenset[str]] = {}
    #: Dotted paths of the area's `bureau.rules.datacheck.Check`s: contradictions the 数据质量核查 lists.
    data_checks: tuple[str, ...] = ()
    #: Dotted paths of `guard(person, previous) -> str | None`: a change of a registry person the area's
    #: records forbid (a settlement route already paid or placed). `previous` is the person as stored
    #: (None for a new one); the answer is the refusal in Chinese, or None. Read by `Person.clean()`,
    #: so it holds in every path that saves a person (admin, station, pending change, API, import).
    person_guards: tuple[str, ...] = ()
    #: Dotted paths of `expectation(*, township, year, today) -> bureau.rules.todo.Expectation`: what a
    #: station is expected to do, computed from the registry (the station's 待办, the bureau's completeness).
    todo: tuple[str, ...] = ()
    #: The area's 操作说明 (Markdown, rendered at /help/<label>/), relative to the app's directory. By default
    #: `help.md` when the app has one, else none (""); a declared file that does not exist is bureau.E110.
    help: str | None = None
    #: Dotted paths of the area's `bureau.printouts.registry.Printout`s: the Word/PDF files people sign
    #: or post (a payroll roster, a ranking for public notice), served by the kit's one printout view.
    printouts: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.default = cls.__dict__.get("default", True)

    def __init__(self, app_name, app_module):
        super().__init__(app_name, app_module)
        #: The attributes whose path is a default rather than declared (named so in the check's messages).
        self.defaulted_paths: set[str] = set()
        for attribute, (module, name) in DEFAULT_PATHS.items():
            if getattr(self, attribute) is None:
                setattr(self, attribute, self._default_path(module, name))
                if getattr(self, attribute):
                    self.defaulted_paths.add(attribute)
        if self.person_file is not None and not self.person_file.context:
            context = self._default_path(*PERSON_FILE_CONTEXT)
            self.person_file = dataclasses.replace(self.person_file, context=context)
            if context:
                self.defaulted_paths.add("person_file")
        if self.help is None:
            self.help = DEFAULT_HELP if (Path(self.path) / DEFAULT_HELP).is_file() else ""
            if self.help:
                self.defaulted_paths.add("help")

    def _default_path(self, module: str, name: str | None) -> str:
        """
        `<app>.<module>[.<name>]` when the app has that module (found without importing it: the
        models are not loaded yet), else "". A module without the name is the check's error.
        """
        try:
            found = find_spec(f"{self.name}.{module}") is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return ""
        return f"{self.name}.{module}" + (f".{name}" if name else "")

    @property
    def public_prefix(self) -> str:
        """Where the public pages are mounted: `public_path`, else the label with hyphens, `my_area` → `my-area/`."""
        return (self.public_path or self.label.replace("_", "-")).strip("/") + "/"

    def help_path(self) -> Path | None:
        """The area's help file, or None when it declares none."""
        return Path(self.path) / self.help if self.help else None

    def report_section_function(self) -> Callable | None:
        return import_string(self.report_section) if self.report_section else None

    def person_file_context(self) -> Callable | None:
        return import_string(self.person_file.context) if self.person_file and self.person_file.context else None

    def demo_seed(self) -> Callable | None:
        return import_string(self.demo) if self.demo else None

    def demo_this_year_seed(self) -> Callable | None:
        return import_string(self.demo_this_year) if self.demo_this_year else None

    def load_api(self) -> None:
        if self.api:
            import_module(self.api)


def area_configs() -> list[AreaConfig]:
    """The installed area apps, in the order of the report."""
    areas = [config for config in apps.get_app_configs() if isinstance(config, AreaConfig)]
    return sorted(areas, key=lambda config: (config.order, config.label))


def person_guards() -> list[Callable]:
    """The guards every installed area declares on a change of a registry person (`AreaConfig.person_guards`)."""
    return [import_string(path) for config in area_configs() for path in config.person_guards]


def area_labels() -> set[str]:
    return {config.label for config in area_configs()}


def area_choices() -> list[tuple[str, str]]:
    """(label, name) of the installed area apps: the choices of a payment programme's area."""
    return [(config.label, str(config.verbose_name)) for config in area_configs()]
