"""
A registry at bench scale in seconds: persons and payments written with `bulk_create`.

`seed_demo --scale district` writes some 3,000 people through the portal's own services (the
area apps' records, the report's figures); a district keeps 10,000–50,000 and a ledger of
hundreds of thousands of payments. This fills the registry up to `SCALES[scale]` on top of the
demo: valid, unique ID numbers, approved records, one payment a month for ten months of the year
per person, paid on the 15th (so many payments share a date, as in a real ledger), a third of
them in a payment batch. No history rows: bulk writes bypass django-simple-history, which the
lists do not read.
"""

import datetime
import itertools
from decimal import Decimal

from django.db import transaction
from stdnum.cn import ric

from bureau.models import Payment, PaymentBatch, PaymentProgramme, Person, ReviewStatus, Township, User

# persons, payments
SCALES = {"district": (50_000, 500_000), "city": (500_000, 5_000_000)}
BATCH_SIZE = 5_000
MONTHS = 10
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
REGION_PREFIX = "1101"  # as bureau.demo.registry: the demo district's region, two digits of township


def chunks(rows, size: int):
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def id_numbers(townships: list[Township], taken: set[str]):
    """Unique, valid ID numbers with their township, birth date and gender, none of them `taken`."""
    first = datetime.date(1950, 1, 1)
    for n in itertools.count():
        township = townships[n % len(townships)]
        birth_date = first + datetime.timedelta(days=(n // len(townships)) % 18_000)
        sequence = (n // (len(townships) * 18_000)) * 2 % 1000 + n % 2  # the 17th digit: odd for men
        body = f"{REGION_PREFIX}{township.order:02d}{birth_date:%Y%m%d}{sequence:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in taken:
            yield number, township, birth_date, Person.Gender.MALE if sequence % 2 else Person.Gender.FEMALE


def persons_fill(total: int) -> list[int]:
    """Persons up to `total`; the ids of those created."""
    missing = total - Person.objects.count()
    if missing <= 0:
        return []
    townships = list(Township.objects.order_by("order"))
    taken = set(Person.objects.values_list("id_number", flat=True))
    names = (a + b + c for a, b, c in itertools.cycle(itertools.product(SURNAMES, GIVEN, GIVEN)))
    before = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rows = (
        Person(
            name=name,
            id_number=number,
            gender=gender,
            birth_date=birth_date,
            phone=f"139{index:08d}",
            township=township,
            status=Person.Status.VETERAN,
            review_status=ReviewStatus.APPROVED,
        )
        for index, (name, (number, township, birth_date, gender)) in enumerate(
            zip(names, itertools.islice(id_numbers(townships, taken), missing), strict=False)
        )
    )
    for chunk in chunks(rows, BATCH_SIZE):
        with transaction.atomic():
            Person.objects.bulk_create(chunk)
    return list(Person.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))


def payments_fill(total: int, *, person_ids: list[int], year: int) -> int:
    """Payments up to `total`, ten months of the year for each of these persons; how many were written."""
    missing = total - Payment.objects.count()
    if missing <= 0 or not person_ids:
        return 0
    programme, _ = PaymentProgramme.objects.get_or_create(
        code="bench-living-allowance",
        defaults={"name": "生活补助（压力测试）", "area": "pensions", "frequency": PaymentProgramme.Frequency.MONTHLY},
    )
    clerk = User.objects.filter(is_superuser=False).order_by("pk").first() or User.objects.order_by("pk").first()
    batches = {
        month: PaymentBatch.objects.create(
            programme=programme,
            title=f"{year}年{month}月生活补助",
            paid_on=datetime.date(year, month, 15),
            created_by=clerk,
        )
        for month in range(1, MONTHS + 1)
    }
    rows = (
        Payment(
            person_id=person_id,
            programme=programme,
            amount=Decimal("1200.00") + person_id % 7 * 100,
            period=f"{year}-{month:02d}",
            paid_on=datetime.date(year, month, 15),
            batch=batches[month] if person_id % 3 == 0 else None,
        )
        for month in range(1, MONTHS + 1)
        for person_id in person_ids
    )
    written = 0
    for chunk in chunks(itertools.islice(rows, missing), BATCH_SIZE):
        with transaction.atomic():
            Payment.objects.bulk_create(chunk)
        written += len(chunk)
    return written


def registry_fill(*, scale: str, year: int) -> tuple[int, int]:
    """The registry and the ledger up to the scale's sizes; the persons and payments written."""
    persons, payments = SCALES[scale]
    created = persons_fill(persons)
    # Ten months for each new person; when the demo left fewer new persons than that needs, older ones too.
    needed = -(-(payments - Payment.objects.count()) // MONTHS)
    if len(created) < needed:
        others = Person.objects.exclude(pk__in=created).order_by("pk").values_list("pk", flat=True)
        created = created + list(others[: needed - len(created)])
    return len(created), payments_fill(payments, person_ids=created, year=year)
