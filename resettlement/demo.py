"""
Demo records of section (二) for `manage.py seed_demo`: the self-employment grants of the demo year.

Every soldier of the demo registry discharged in the demo year to self-employment
(自主就业) is paid the grant of `resettlement.standards`, 45 days after discharge
and within the year. Payments are written on person + programme + period, so a
second run updates them.
"""

import datetime

from bureau.demo.helpers import DemoPayment, DemoProgramme, payments_write, registry_people
from bureau.models import PaymentProgramme, Person
from resettlement.standards import self_employment_grant

SELF_EMPLOYMENT_GRANT = DemoProgramme(
    code="self-employment-grant", name="自主就业金", area="resettlement", frequency=PaymentProgramme.Frequency.ONE_OFF
)
PAID_AFTER = datetime.timedelta(days=45)
LAST_PAY_DAY = (12, 28)


def seed(*, year: int, scale: str, stdout) -> None:
    """Write the self-employment grants of the demo year (idempotent)."""
    last_pay_day = datetime.date(year, *LAST_PAY_DAY)
    grants = [
        DemoPayment(
            person=person,
            period=str(year),
            amount=self_employment_grant(enlisted_on=person.enlisted_on, discharged_on=person.discharged_on),
            paid_on=min(person.discharged_on + PAID_AFTER, last_pay_day),
        )
        for person in registry_people(year=year, scale=scale)
        if person.status != Person.Status.DECEASED
        and person.discharge_route == Person.DischargeRoute.SELF_EMPLOYED
        and person.enlisted_on
        and person.discharged_on
        and person.discharged_on.year == year
    ]
    count = payments_write(SELF_EMPLOYMENT_GRANT, grants)
    stdout.write(f"移交安置演示数据已就绪：{year} 年自主就业金发放 {count} 笔。")
