"""
The core's shape holds as it grows (issue 25): no module of bureau/ or reports/ over 450 lines
outside migrations, and no file family by prefix at the core's top level (admin_*.py, resources_*.py).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 450


def test_no_core_or_report_module_is_over_450_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for folder in ("bureau", "reports")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"over {MAX_LINES} lines: split by concern (docs/area-apps.md)"


def test_the_core_has_no_file_families_by_prefix_at_its_top_level():
    names = [path.stem for path in (ROOT / "bureau").glob("*.py")]
    families = [
        name for name in names if name.startswith(("admin_", "resources_", "payment_")) or name.endswith("_care")
    ]
    assert families == []
