"""
Settings of the test suite: the portal's own, plus `tests.kit_area`, a test-only
area app built from declarations on the kit (see tests/kit_area/__init__.py).
"""

from bureau.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.kit_area"]  # noqa: F405
