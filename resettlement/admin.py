"""
Admin of transfer and resettlement (移交安置), for bureau staff (read-only for leadership): one
module per part of the work, each registering its own models — the self-employment grant and the
insurance continuation (`admin_subsidy`), the placement session (`admin_placement`).
"""

from resettlement import admin_placement, admin_subsidy  # noqa: F401
