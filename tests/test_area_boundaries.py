"""
The core reads the area apps' declarations and never names an area app.

Imports are import-linter's (`.importlinter`, tests/test_import_contracts.py): an import of an
area app from bureau/ or reports/, function-level or through another module, breaks a contract.
What an import graph cannot show is checked here: outside INSTALLED_APPS, comments and prose
(docstrings), no string in bureau/ or reports/ may name an area app ("employment.report.section",
"station:employment:…", `apps.get_app_config("pensions")`), and no station template may.
Migrations are history and are not checked.
"""

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from bureau.areas import area_configs

ROOT = Path(__file__).resolve().parent.parent
CORE_PACKAGES = ["bureau", "reports"]
CORE_TEMPLATES = ["templates/station"]
# Every declared area app (AreaConfig), the test-only ones of tests/settings.py too: a new area is
# checked without a line here.
AREA_LABELS = tuple(area.label for area in area_configs())


def test_the_five_area_apps_are_declared_in_the_order_of_the_report():
    portal = [area.label for area in area_configs() if not area.name.startswith("tests.")]
    # A later area comes after them (its `order` above 5); the test-only areas come last (order 99 and up).
    assert portal[:5] == ["employment", "resettlement", "pensions", "support_army", "commemoration"]
    assert list(AREA_LABELS[: len(portal)]) == portal


def docstring_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def installed_apps_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "INSTALLED_APPS" for t in node.targets):
            lines.update(range(node.lineno, node.end_lineno + 1))
    return lines


def names_an_area(text: str) -> bool:
    """A string naming an area app: the label alone, or followed by `.`, `:` or `/` (a path, a URL name)."""
    return any(re.fullmatch(rf"{label}([./:].*)?", text, flags=re.DOTALL) for label in AREA_LABELS) or any(
        re.search(rf"(^|[\s'\":/]){label}[:/.]", text) for label in AREA_LABELS
    )


def area_names_in_python(source: str) -> list[tuple[int, str]]:
    """The strings of the code that name an area app (an import or a name is import-linter's to catch)."""
    tree = ast.parse(source)
    skipped = docstring_lines(tree) | installed_apps_lines(tree)
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        line = token.start[0]
        if line in skipped or token.type == tokenize.COMMENT:
            continue
        if token.type == tokenize.STRING:
            value = ast.literal_eval(token.string) if not token.string.startswith(("f", "F", "rf", "fr")) else ""
            # Chinese text is prose for users (a help text's example), not a reference.
            if isinstance(value, str) and not re.search(r"[\u4e00-\u9fff]", value) and names_an_area(value):
                found.append((line, token.string))
    return found


def core_python_files() -> list[Path]:
    files = []
    for package in CORE_PACKAGES:
        files += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def core_template_files() -> list[Path]:
    return sorted(p for folder in CORE_TEMPLATES for p in (ROOT / folder).rglob("*.html"))


@pytest.mark.parametrize("path", core_python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_python_never_names_an_area_app(path):
    assert area_names_in_python(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", core_template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_station_templates_never_name_an_area_app(path):
    text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", path.read_text(encoding="utf-8"), flags=re.S)
    assert [label for label in AREA_LABELS if re.search(rf"\b{label}\b", text)] == []


@pytest.mark.parametrize(
    "source",
    [
        "SECTIONS = ['employment.report.section']\n",
        "url = reverse('station:support_army:list')\n",
        "x = apps.get_app_config('commemoration')\n",
    ],
)
def test_the_check_catches_an_area_name_in_code(source):
    assert area_names_in_python(source) != []


@pytest.mark.parametrize(
    "source",
    [
        '"""Prose may name employment."""\n',
        "# a comment about pensions\n",
        "INSTALLED_APPS = ['employment', 'pensions']\n",
        "code = 'self-employment-grant'\n",
        "help_text = '条目代码，如 employment.job_fairs。'\n",
        # An import is import-linter's: `core-names-no-area` in .importlinter.
        "from employment.models import JobFair\n",
    ],
)
def test_the_check_allows_prose_comments_and_installed_apps(source):
    assert area_names_in_python(source) == []
