"""
Writers of the demo district: site profile, townships, one login per role, and the registry.

Every row is written on its natural key (township code, username, ID number,
person + category + start, person + relative), so a second run updates what the
first wrote and adds nothing. Persons a station has registered (`registrations_write`)
keep the review state they have: a second run neither approves nor resubmits them.
"""

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from bureau import roles
from bureau.demo.registry import DemoDistrict
from bureau.models import (
    BankAccount,
    FamilyLink,
    Merit,
    PendingChange,
    Person,
    PersonCategory,
    ReviewStatus,
    SiteProfile,
    Township,
    User,
)
from bureau.rules.services import record_save
from bureau.validators import parse_resident_id

DISTRICT_NAME = "示范区"
BUREAU_NAME = "退役军人事务局"
# (code, name): fictional townships of the fictional district.
TOWNSHIPS = [
    ("dongcheng", "东城街道"),
    ("xicheng", "西城街道"),
    ("baisha", "白沙街道"),
    ("nanhu", "南湖镇"),
    ("beishan", "北山镇"),
    ("qingshi", "青石镇"),
    ("yuntai", "云台镇"),
    ("liuhe", "柳河乡"),
]
# The bureau clerk approves the demo records and creates the payment batches.
CLERK_USERNAME = "clerk"
# A second bureau clerk: what one clerk generates (the monthly payroll), the other approves.
SECOND_CLERK_USERNAME = "clerk2"
# What the registry writers copy from a generated person; Person.save() derives birth date and gender.
# Fictional banks of the fictional district: a demo account names no real bank.
DEMO_BANKS = ["示范区农村商业银行", "示范区城市商业银行", "示范区邮政储蓄代理行"]
PERSON_FIELDS = [
    "name", "phone", "township", "address", "status", "branch",
    "enlisted_on", "discharged_on", "rank", "discharge_route", "notes", "died_on",
]  # fmt: skip


def site_profile_write() -> None:
    profile = SiteProfile.get()
    profile.district_name = DISTRICT_NAME
    profile.bureau_name = BUREAU_NAME
    profile.report_signatory = f"{DISTRICT_NAME}{BUREAU_NAME}"
    profile.save()


def townships_write() -> list[Township]:
    return [
        Township.objects.update_or_create(code=code, defaults={"name": name, "order": order})[0]
        for order, (code, name) in enumerate(TOWNSHIPS, start=1)
    ]


def demo_townships() -> list[Township]:
    """The townships `townships_write` wrote, in their order, as stored now."""
    by_code = Township.objects.in_bulk([code for code, _ in TOWNSHIPS], field_name="code")
    return [by_code[code] for code, _ in TOWNSHIPS if code in by_code]


def station_username(township: Township) -> str:
    return f"station_{township.code}"


def submitted_by_station(township: Township) -> dict:
    """The review fields of a record the township's demo station has just submitted."""
    station = User.objects.filter(username=station_username(township)).first()
    return {"review_status": ReviewStatus.SUBMITTED, "submitted_by": station, "submitted_at": timezone.now()}


def accounts_write(*, townships: list[Township], password: str) -> list[tuple[str, str, str]]:
    """One login per role and one per township's station; returns (username, role, township) to print."""
    accounts = [
        ("admin", "超级管理员", None, None, {"is_staff": True, "is_superuser": True}),
        (CLERK_USERNAME, "局机关", roles.BUREAU_STAFF, None, {"is_staff": True}),
        (SECOND_CLERK_USERNAME, "局机关（复核）", roles.BUREAU_STAFF, None, {"is_staff": True}),
        ("leader", "局领导", roles.LEADERSHIP, None, {"is_staff": True}),
        ("auditor", "审计员", roles.AUDITOR, None, {"is_staff": True}),
        ("sysadmin", "系统管理员", roles.SYSTEM_ADMIN, None, {"is_staff": True}),
        ("secadmin", "安全管理员", roles.SECURITY_ADMIN, None, {"is_staff": True}),
    ] + [
        (station_username(township), f"{township.name}服务站", roles.STATION_STAFF, township, {"is_staff": False})
        for township in townships
    ]
    logins = []
    for username, first_name, role, township, flags in accounts:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"first_name": first_name, "township": township, "is_active": True, "is_superuser": False} | flags,
        )
        user.set_password(password)
        user.save()
        user.groups.set(Group.objects.filter(name=role) if role else [])
        logins.append((username, role or "超级管理员", township.name if township else "全区"))
    return logins


def registry_write(district: DemoDistrict, *, reviewer: User) -> dict[str, Person]:
    """Store the district's persons, categories, family links and merits, approved by `reviewer`; by ID number."""
    now = timezone.now()
    rows = []
    for demo in district.people:
        # bulk_create skips Person.save(), which derives these two from the ID number.
        resident = parse_resident_id(demo.id_number)
        rows.append(
            Person(
                id_number=resident.number,
                birth_date=resident.birth_date,
                gender=resident.gender,
                review_status=ReviewStatus.APPROVED,
                reviewed_by=reviewer,
                reviewed_at=now,
                **{name: getattr(demo, name) for name in PERSON_FIELDS},
            )
        )
    fields = [*PERSON_FIELDS, "birth_date", "gender", "review_status"]
    Person.objects.bulk_create(rows, update_conflicts=True, unique_fields=["id_number"], update_fields=fields)
    people = Person.objects.in_bulk([demo.id_number for demo in district.people], field_name="id_number")

    PersonCategory.objects.bulk_create(
        [
            PersonCategory(person=people[demo.id_number], category=category, started_on=since)
            for demo in district.people
            for category, since in demo.categories
        ],
        update_conflicts=True,
        unique_fields=["person", "category", "started_on"],
        update_fields=["ended_on"],
    )
    FamilyLink.objects.bulk_create(
        [
            FamilyLink(
                person=people[link.person.id_number], relative=people[link.relative.id_number], relation=link.relation
            )
            for link in district.links
        ],
        update_conflicts=True,
        unique_fields=["person", "relative"],
        update_fields=["relation"],
    )
    # Merits have no natural key of their own: (person, level, year) stands in for one.
    existing = set(Merit.objects.filter(person__in=people.values()).values_list("person_id", "level", "year"))
    Merit.objects.bulk_create(
        [
            Merit(person=people[demo.id_number], level=level, year=year, unit=unit)
            for demo in district.people
            for level, year, unit in demo.merits
            if (people[demo.id_number].pk, level, year) not in existing
        ]
    )
    bank_accounts_write(list(people.values()))
    return people


def demo_account_number(person: Person) -> str:
    """A fictional 20-digit account number made from the ID number (its 17 digits before the check character)."""
    return "629" + person.id_number[:17]


def bank_accounts_write(people: list[Person]) -> int:
    """
    An account in use for each person who has none (the money of the demo goes to an account, as every
    payment must: bureau.rules.payments.held); a second run adds nothing. Returns how many were added.
    Written in bulk, before the areas' payments: nothing is held yet, so nothing is released here.
    """
    having = set(BankAccount.objects.filter(person__in=people, active=True).values_list("person_id", flat=True))
    accounts = [
        BankAccount(
            person=person,
            bank=DEMO_BANKS[int(person.id_number[14:17]) % len(DEMO_BANKS)],
            account_number=demo_account_number(person),
            account_name=person.name,
        )
        for person in people
        # The dead and the moved out are paid no more: an account in use for them is a finding of the data check.
        if person.pk not in having and person.died_on is None and person.moved_out_on is None
    ]
    BankAccount.objects.bulk_create(accounts)
    return len(accounts)


def registrations_write(district: DemoDistrict) -> list[Person]:
    """
    Store the persons the district's stations have registered, submitted by the station of their township.

    Keyed on the ID number like the registry; a person already stored keeps its
    review state, so that what the clerk has since approved or returned stays so.
    """
    people = []
    for demo in district.registered:
        fields = {name: getattr(demo, name) for name in PERSON_FIELDS}
        person, _ = Person.objects.update_or_create(
            id_number=demo.id_number, defaults=fields, create_defaults=fields | submitted_by_station(demo.township)
        )
        people.append(person)
    return people


def proposals_write(people: list[Person]) -> list[PendingChange]:
    """
    A station's proposed phone fix of one approved person per township (the first by ID
    number among `people`), waiting for the clerk as a PendingChange while the phone in
    force stays counted. A person with any proposal already (waiting, approved or
    returned) gets no new one, so a second run adds nothing.
    """
    proposed = set(
        PendingChange.objects.filter(content_type=ContentType.objects.get_for_model(Person)).values_list(
            "object_id", flat=True
        )
    )
    first_of_township: dict[int, Person] = {}
    for person in sorted(people, key=lambda person: person.id_number):
        if person.review_status == ReviewStatus.APPROVED and person.phone:
            first_of_township.setdefault(person.township_id, person)
    changes = []
    for person in first_of_township.values():
        station = User.objects.filter(username=station_username(person.township)).first()
        if station is None or person.pk in proposed:
            continue
        person.refresh_from_db()
        person.phone = "139" + person.id_number[-9:-1]
        changes.append(record_save(record=person, by=station).proposed_change)
    return changes
