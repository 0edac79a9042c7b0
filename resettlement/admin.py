"""The resettlement admin, one module per part: the placement session (`admin_placement`)."""

from resettlement import admin_placement  # noqa: F401
