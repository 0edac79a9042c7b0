"""
A test-only area app whose declarations break the promises the core's system check enforces
(bureau.checks.check_area_declarations): installed only inside tests/bureau/test_area_checks.py,
with `override_settings(INSTALLED_APPS=...)`, never by tests/settings.py.
"""
