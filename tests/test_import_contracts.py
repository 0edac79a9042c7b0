"""
The layers of `.importlinter` hold on the real tree, and `lint-imports` fails, naming the contract,
when an import breaks one: the core importing an area app, an area app importing another, the base
importing the rules (the masking → audit loop coming back). The planted imports go into a copy of
the tree, never into the work tree. `make lint` runs the same command.
"""

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from bureau.areas import area_configs

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def contracts() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(inline_comment_prefixes=(";",))
    parser.read(CONFIG, encoding="utf-8")
    return parser


def contract_name(key: str) -> str:
    return contracts()[f"importlinter:contract:{key}"]["name"]


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "--config", str(root / ".importlinter")],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_tree(destination: Path) -> Path:
    """The packages `.importlinter` names, and the config itself, copied without caches or migrations."""
    for package in contracts()["importlinter"]["root_packages"].split():
        shutil.copytree(ROOT / package, destination / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(CONFIG, destination / ".importlinter")
    return destination


def plant(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # planted by the test\n", encoding="utf-8")


def test_the_contracts_name_every_declared_area_app():
    # A sixth area app joins the independence and the forbidden contracts by being listed there.
    declared = {area.name for area in area_configs() if not area.name.startswith("tests.")}
    parser = contracts()
    assert set(parser["importlinter:contract:areas-independent"]["modules"].split()) == declared
    assert set(parser["importlinter:contract:core-names-no-area"]["forbidden_modules"].split()) == declared
    assert declared <= set(parser["importlinter"]["root_packages"].split())


def test_the_base_imports_nothing_of_the_project():
    # The layers contract leaves the project's entry points (celery, tasks, views…) unlisted, so it
    # would let the base import them; the base's promise is stricter: nothing of the project at all.
    graph = grimp.build_graph(*contracts()["importlinter"]["root_packages"].split(), cache_dir=None)
    base = [module for module in graph.modules if module.split(".")[:2] == ["bureau", "base"]]
    assert "bureau.base.masking" in base
    imported = {(module, name) for module in base for name in graph.find_modules_directly_imported_by(module)}
    assert {(module, name) for module, name in imported if name.split(".")[:2] != ["bureau", "base"]} == set()


@pytest.mark.slow  # lint-imports builds the import graph of every package in a process of its own (~3 s)
def test_the_real_tree_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    for key in ("areas-independent", "core-names-no-area", "core-below-reports", "core-layers"):
        assert f"{contract_name(key)} KEPT" in " ".join(result.stdout.split())
    assert "0 broken" in result.stdout


@pytest.mark.slow  # a copy of the tree, then lint-imports in a process of its own (~3 s)
@pytest.mark.parametrize(
    ("module", "line", "contract", "chain"),
    [
        ("bureau/base/masking.py", "import employment", "core-names-no-area", "bureau.base.masking -> employment"),
        (
            "bureau/rules/audit.py",
            "from pensions.models import PensionRecipient",
            "core-names-no-area",
            "bureau.rules.audit -> pensions.models",
        ),
        ("reports/compose.py", "import support_army.report", "core-names-no-area", "reports.compose -> support_army"),
        (
            "bureau/models/people.py",
            "from reports import models",
            "core-below-reports",
            "bureau.models.people -> reports",
        ),
        (
            "employment/models.py",
            "import resettlement.models",
            "areas-independent",
            "employment.models -> resettlement",
        ),
        (
            "bureau/base/masking.py",
            "from bureau.rules import audit",
            "core-layers",
            "bureau.base.masking -> bureau.rules",
        ),
        ("bureau/models/people.py", "from bureau import admin", "core-layers", "bureau.models.people -> bureau.admin"),
    ],
    ids=[
        "core-to-area",
        "rule-to-area",
        "reports-to-area",
        "core-to-reports",
        "area-to-area",
        "base-to-rules",
        "models-to-kit",
    ],
)
def test_a_planted_import_breaks_the_contract_it_names(tmp_path, module, line, contract, chain):
    tree = copy_of_the_tree(tmp_path)
    plant(tree / module, line)
    result = lint_imports(tree)
    output = " ".join(result.stdout.split())
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract_name(contract)} BROKEN" in output
    assert chain in output
