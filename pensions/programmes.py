"""
The payment programmes (资金项目) of preferential care, by code: every yuan of section (三) is a
ledger row of one of these. Created by migration `0003_programmes`; the report counts by code.
"""

from bureau.models import PaymentProgramme

Frequency = PaymentProgramme.Frequency

PERIODIC_PENSION = "periodic-pension"
HARDSHIP_AID = "hardship-aid"
KEY_MEDICAL_SUBSIDY = "key-medical-subsidy"
SPRING_FESTIVAL = "spring-festival"
CONSCRIPT_VISIT = "conscript-visit"
CONSCRIPT_FAMILY = "conscript-family-allowance"
MILITARY_RETIREE = "military-retiree"
WARMTH_AID = "warmth-aid"

# code: (name, frequency)
PROGRAMMES = {
    PERIODIC_PENSION: ("优抚对象定期抚恤补助", Frequency.MONTHLY),
    HARDSHIP_AID: ("“三难”救助", Frequency.PER_OCCASION),
    KEY_MEDICAL_SUBSIDY: ("重点优抚对象医疗补助", Frequency.ANNUAL),
    SPRING_FESTIVAL: ("春节慰问金", Frequency.ANNUAL),
    CONSCRIPT_VISIT: ("义务兵走访慰问金", Frequency.PER_OCCASION),
    CONSCRIPT_FAMILY: ("义务兵家庭优待金", Frequency.ANNUAL),
    MILITARY_RETIREE: ("军休人员经费", Frequency.ANNUAL),
    WARMTH_AID: ("“送温暖”帮扶资金", Frequency.PER_OCCASION),
}
# Paid only by its run (the monthly payroll, pensions/payroll.py), never by hand.
PAID_BY_RUN = {PERIODIC_PENSION}


def programme(code: str) -> PaymentProgramme:
    """The stored programme of `code` (created by migration; recreated if someone deleted it)."""
    name, frequency = PROGRAMMES[code]
    stored, _ = PaymentProgramme.objects.get_or_create(
        code=code,
        defaults={"name": name, "area": "pensions", "frequency": frequency, "paid_by_run": code in PAID_BY_RUN},
    )
    return stored
