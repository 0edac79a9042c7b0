"""
The payment programme of resettlement, by code: the self-employment grant (自主就业金) is a ledger
row of this programme. Created by migration `0002_programmes`; the report counts by code.
"""

from bureau.models import PaymentProgramme

SELF_EMPLOYMENT_GRANT = "self-employment-grant"
# The grant's period is the discharge cohort's year; it is paid only by the cohort's run (subsidies.py).
PROGRAMMES = {SELF_EMPLOYMENT_GRANT: ("自主就业金", PaymentProgramme.Frequency.ANNUAL)}


def programme(code: str = SELF_EMPLOYMENT_GRANT) -> PaymentProgramme:
    """The stored programme of `code` (created by migration; recreated if someone deleted it)."""
    name, frequency = PROGRAMMES[code]
    stored, _ = PaymentProgramme.objects.get_or_create(
        code=code, defaults={"name": name, "area": "resettlement", "frequency": frequency, "paid_by_run": True}
    )
    return stored
