"""
The one registry of veterans, beneficiaries and their families: the person, their life events
(death, moving out and in) and who is in the district when. What is recorded about a person
beside the row is in sibling modules: categories, family links, merits.
"""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bureau.areas import person_guards
from bureau.base.masking import mask_id_number, mask_phone
from bureau.validators import normalize_phone, parse_resident_id, validate_phone

# Re-exported: the areas have always imported the categories from here.
from .categories import KEY_BENEFICIARY_CATEGORIES, DisabilityGrade, PreferentialCategory, held_on
from .records import TownshipRecord, TownshipRecordQuerySet

__all__ = [
    "KEY_BENEFICIARY_CATEGORIES",
    "LIFE_EVENT_FIELDS",
    "LIFE_EVENT_NAMES",
    "DisabilityGrade",
    "Person",
    "PersonQuerySet",
    "PreferentialCategory",
    "check_person_present",
    "presence",
]


def presence(first: datetime.date, last: datetime.date, *, prefix: str = "") -> Q:
    """
    The condition of `PersonQuerySet.present_during` on the path `prefix` to a person
    ("person__" from a record about the person), for queries that start elsewhere.
    """
    alive = Q(**{f"{prefix}died_on__gte": first}) | (
        Q(**{f"{prefix}died_on__isnull": True}) & ~Q(**{f"{prefix}status": Person.Status.DECEASED})
    )
    stayed = Q(**{f"{prefix}moved_out_on__isnull": True}) | Q(**{f"{prefix}moved_out_on__gte": first})
    arrived = Q(**{f"{prefix}moved_in_on__isnull": True}) | Q(**{f"{prefix}moved_in_on__lte": last})
    return alive & stayed & arrived


# The registry's life events: the dates the bureau (or, by a proposed change, a station) records,
# each an audit event of its own (`Person.life_event_changes`, bureau.rules.audit_hooks).
LIFE_EVENT_FIELDS = ("died_on", "moved_out_on", "moved_in_on")
LIFE_EVENT_NAMES = {"died_on": "死亡", "moved_out_on": "迁出", "moved_in_on": "迁入"}


class PersonQuerySet(TownshipRecordQuerySet):
    def veterans(self):
        return self.filter(status=Person.Status.VETERAN)

    def discharged_in(self, year: int):
        return self.filter(discharged_on__year=year)

    def holding(self, category: str, *, on: datetime.date | None = None):
        """People holding a preferential-care category on a date (today by default)."""
        on = on or timezone.localdate()
        return self.filter(held_on(on, category=category, prefix="categories__")).distinct()

    def present_during(self, first: datetime.date, last: datetime.date):
        """
        People in the district on some day from `first` to `last` (`Person.in_district_on`, in SQL):
        moved in by `last`, neither dead nor moved out before `first`. Someone recorded as
        deceased without a date of death is never present. The monthly payroll pays whoever is
        present during the month: a death or a move out stops it the next month, a move in starts it
        that month.
        """
        return self.filter(presence(first, last))

    def present_on(self, day: datetime.date):
        return self.present_during(day, day)

    def search(self, text: str):
        """
        Name contains the text. Never the ID number: a search text travels in the URL, and a
        prefix search on a masked number would tell it digit by digit. A person is found by
        the full number in a POST body (the station's and the admin's 按身份证号查找).
        """
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(name__contains=text)


class Person(TownshipRecord):
    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class Status(models.TextChoices):
        ACTIVE_DUTY = "active_duty", "现役军人"
        VETERAN = "veteran", "退役军人"
        FAMILY = "family", "军属及其他"
        DECEASED = "deceased", "已故"

    class Branch(models.TextChoices):
        ARMY = "army", "陆军"
        NAVY = "navy", "海军"
        AIR_FORCE = "air_force", "空军"
        ROCKET_FORCE = "rocket_force", "火箭军"
        # April 2024: the Strategic Support Force was reorganised into the aerospace, cyberspace and
        # information support forces; the joint logistics support force is an arm of its own.
        AEROSPACE_FORCE = "aerospace_force", "军事航天部队"
        CYBERSPACE_FORCE = "cyberspace_force", "网络空间部队"
        INFORMATION_SUPPORT_FORCE = "information_support", "信息支援部队"
        JOINT_LOGISTICS_SUPPORT_FORCE = "joint_logistics", "联勤保障部队"
        ARMED_POLICE = "armed_police", "武警部队"
        # Kept for those who served in it before the reorganisation.
        STRATEGIC_SUPPORT = "strategic_support", "战略支援部队（2024年4月前）"
        OTHER = "other", "其他"

    class DischargeRoute(models.TextChoices):
        SELF_EMPLOYED = "self_employed", "自主就业"
        ARRANGED_JOB = "arranged_job", "安排工作"
        RETIRED = "retired", "退休"
        TRANSFERRED = "transferred", "转业"
        DEMOBILISED = "demobilised", "复员"

    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField(
        "身份证号",
        max_length=18,
        unique=True,
        help_text="18 位居民身份证号，出生日期和性别由号码自动得出。",
        error_messages={"unique": "该身份证号已登记。"},
    )
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True, editable=False)
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    township = models.ForeignKey(
        "bureau.Township", verbose_name="乡镇（街道）", on_delete=models.PROTECT, related_name="people"
    )
    address = models.CharField("住址", max_length=200, blank=True)
    status = models.CharField("人员状态", max_length=20, choices=Status.choices, default=Status.VETERAN)
    branch = models.CharField("军种", max_length=30, choices=Branch.choices, blank=True)
    enlisted_on = models.DateField("入伍日期", null=True, blank=True)
    discharged_on = models.DateField("退役日期", null=True, blank=True)
    rank = models.CharField("军衔/职级", max_length=50, blank=True)
    discharge_route = models.CharField("安置方式", max_length=30, choices=DischargeRoute.choices, blank=True)
    died_on = models.DateField(
        "死亡日期", null=True, blank=True, help_text="填写后人员状态为已故，次月起停发按月待遇。"
    )
    moved_out_on = models.DateField(
        "迁出日期", null=True, blank=True, help_text="户籍迁出本区的日期，次月起停发按月待遇。"
    )
    moved_in_on = models.DateField(
        "迁入日期",
        null=True,
        blank=True,
        help_text="从外地迁入本区的日期，当月起发放按月待遇；一直在本区的人员留空。迁出后又迁回的，清空迁出日期并填写迁回日期。",
    )
    notes = models.TextField("备注", blank=True)

    # Personal identifiers, masked for roles without `view_sensitive_person` (bureau.base.masking).
    sensitive_fields = {"id_number": mask_id_number, "phone": mask_phone}
    event_dates = ("enlisted_on", "discharged_on", "died_on", "moved_out_on", "moved_in_on")
    objects = PersonQuerySet.as_manager()
    record_year = ""  # the registry belongs to no year: a death is still recorded after closing

    class Meta:
        ordering = ["township__order", "name"]
        verbose_name = "人员"
        verbose_name_plural = "人员登记"
        permissions = [("view_sensitive_person", "可查看完整身份证号和电话")]
        indexes = [
            models.Index(fields=["township", "status"]),
            # The admin list's order (bureau.admin.people): one index walk, not a sort of every person.
            models.Index(fields=["township", "name", "id"], name="person_township_name_id_idx"),
        ]

    def __str__(self):
        return self.name

    def as_stored(self) -> "Person | None":
        """This person as last read from or written to the database; None for a new one."""
        if self._state.adding or self.pk is None:
            return None
        values = getattr(self, "_stored_values", None)
        if values is None or len(values) != len(self._meta.concrete_fields):
            return type(self)._base_manager.filter(pk=self.pk).first()  # built in code, or read in part
        return type(self)(**values)

    def clean(self):
        super().clean()
        errors = {}
        if self.id_number:
            try:
                resident = parse_resident_id(self.id_number)
            except ValidationError as error:
                errors["id_number"] = error.messages
            else:
                self.id_number = resident.number
                self.birth_date = resident.birth_date
                if self.gender and self.gender != resident.gender:
                    errors["gender"] = "性别与身份证号不一致（身份证号第 17 位为%s）。" % (
                        "奇数，应为男" if resident.gender == "M" else "偶数，应为女"
                    )
                self.gender = self.gender or resident.gender
        if self.phone:
            self.phone = normalize_phone(self.phone)
        if self.enlisted_on and self.discharged_on and self.discharged_on < self.enlisted_on:
            errors["discharged_on"] = "退役日期不能早于入伍日期。"
        if self.status == self.Status.ACTIVE_DUTY and self.discharged_on:
            errors["status"] = "已填写退役日期的人员不能是现役军人。"
        errors.update(self.life_event_errors())
        guards = person_guards()
        if guards and not errors:
            # What the areas' records forbid to change (AreaConfig.person_guards): one rule, every path.
            previous = self.as_stored()
            refusals = [reason for guard in guards if (reason := guard(self, previous))]
            if refusals:
                errors[NON_FIELD_ERRORS] = refusals
        if errors:
            raise ValidationError(errors)

    def life_event_errors(self) -> dict[str, str]:
        """
        What is wrong with the dates of death, moving out and moving in: none in the future or
        before birth, a move out not before the move in, neither move after the death. One
        pair of move dates: a person who moves back is recorded by clearing the move out and
        giving the new move in (the history keeps the earlier one).
        """
        errors = {}
        today = timezone.localdate()
        label = {name: self._meta.get_field(name).verbose_name for name in LIFE_EVENT_FIELDS}
        future = False
        for name in LIFE_EVENT_FIELDS:
            day = getattr(self, name)
            if day and day > today:
                future = True  # told once, by the declared rule (`event_dates`, checked by full_clean)
            elif day and self.birth_date and day < self.birth_date:
                errors[name] = f"{label[name]}不能早于出生日期。"
        if errors or future:
            return errors
        if self.moved_in_on and self.moved_out_on and self.moved_out_on < self.moved_in_on:
            errors["moved_out_on"] = (
                "迁出日期不能早于迁入日期；迁出后又迁回本区的，请清空迁出日期，并把迁回的日期填为迁入日期。"
            )
        for name in ("moved_out_on", "moved_in_on"):
            day = getattr(self, name)
            if self.died_on and day and day > self.died_on and name not in errors:
                errors[name] = f"{label[name]}不能晚于死亡日期。"
        return errors

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # As read: what the area guards compare a change with (`as_stored`), without a query of their own
        # (an import of thousands of rows validates each against what it loaded).
        instance._stored_values = dict(zip(field_names, values, strict=True))
        # The life events as stored: a save compares against these (`life_event_changes`) without a query.
        instance._stored_life_events = {
            name: getattr(instance, name) for name in LIFE_EVENT_FIELDS if name in field_names
        }
        return instance

    def life_event_changes(self) -> list[tuple[str, datetime.date | None, datetime.date | None]]:
        """(field, stored date, new date) of each life event this save records, corrects or clears."""
        stored = {} if self._state.adding else getattr(self, "_stored_life_events", {})
        changes = []
        for name in LIFE_EVENT_FIELDS:
            if name not in stored and not self._state.adding:
                continue  # not loaded (a deferred field): nothing known to compare
            old, new = stored.get(name), getattr(self, name)
            if old != new:
                changes.append((name, old, new))
        return changes

    def save(self, *args, **kwargs):
        # Derived fields are set on every save, also for code paths that skip full_clean().
        if self.id_number:
            resident = parse_resident_id(self.id_number)
            self.id_number = resident.number
            self.birth_date = resident.birth_date
            self.gender = self.gender or resident.gender
        if self.died_on:
            self.status = self.Status.DECEASED
        # Read by the audit hook (bureau.rules.audit_hooks) after the row is written.
        written = kwargs.get("update_fields")
        self._life_event_changes = [
            change for change in self.life_event_changes() if written is None or change[0] in written
        ]
        super().save(*args, **kwargs)
        self._remember_life_events()
        self._stored_values = {field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields}

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._remember_life_events()

    def _remember_life_events(self) -> None:
        deferred = self.get_deferred_fields()
        stored = getattr(self, "_stored_life_events", {})
        self._stored_life_events = {
            **stored,
            **{name: getattr(self, name) for name in LIFE_EVENT_FIELDS if name not in deferred},
        }

    @property
    def is_veteran(self) -> bool:
        return self.status == self.Status.VETERAN

    @property
    def is_discharged_veteran(self) -> bool:
        """A veteran whose discharge is on record: who adaptive training and resettlement are for."""
        return self.is_veteran and self.discharged_on is not None

    def in_district_on(self, day: datetime.date) -> bool:
        """
        Alive and registered in the district on `day` by the recorded dates (a death or a move on
        that day still counts it; a move in counts from its day).
        """
        return (
            (self.died_on is None or self.died_on >= day)
            and (self.moved_out_on is None or self.moved_out_on >= day)
            and (self.moved_in_on is None or self.moved_in_on <= day)
        )

    def absence_message(self, day: datetime.date, *, what: str) -> str:
        """
        Why a record of this person dated `day` cannot be (a visit, a check-up: `what` names the
        date, "走访日期"), or "" when the person was in the district that day. The one message of
        every path (form, station page, API, import): the model's clean() raises it.
        """
        if self.died_on and day > self.died_on:
            return f"该人员已于{self.died_on:%Y年%m月%d日}死亡，{what}不能晚于死亡日期。"
        if self.moved_out_on and day > self.moved_out_on:
            return f"该人员已于{self.moved_out_on:%Y年%m月%d日}迁出本区，{what}不能晚于迁出日期。"
        if self.moved_in_on and day < self.moved_in_on:
            return f"该人员于{self.moved_in_on:%Y年%m月%d日}迁入本区，{what}不能早于迁入日期。"
        return ""

    def age_on(self, day: datetime.date) -> int | None:
        if not self.birth_date:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday


def check_person_present(record, date_field: str, *, person_field: str = "person") -> None:
    """
    Refuse a record about a person dated after their death or move out, or before their move in
    (`Person.absence_message`): called by the clean() of visits and check-ups, so the form, the
    station page, the API and the import all say the same.
    """
    day = getattr(record, date_field)
    if not (day and getattr(record, f"{person_field}_id", None)):
        return
    label = record._meta.get_field(date_field).verbose_name
    if message := getattr(record, person_field).absence_message(day, what=label):
        raise ValidationError({date_field: message})
