"""
A test-only area app built from declarations on the kit alone: one record type
(`Grant`, a sum paid to a resident into a bank account) with its admin, Excel
import/export, API, station pages, history and role grants. Installed by
`tests/settings.py` only; `tests/kit_area/test_kit.py` proves each part works.
"""
