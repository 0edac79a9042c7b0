"""Writes of the employment records that span several rows; the admin, station portal and API call these."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from bureau.models import Person
from bureau.rules.services import record_save
from bureau.validators import parse_resident_id
from employment.models import FairAttendance, JobFair


@dataclass
class AttendeeList:
    """An ID-number list read against the registry: who is new, who attends already."""

    new: list[Person] = field(default_factory=list)
    already_attending: list[tuple[int, Person]] = field(default_factory=list)  # (line, person)


def fair_attendee_list_check(*, fair: JobFair, id_numbers: list[str], by) -> AttendeeList:
    """
    Read an ID-number list (one number per line; blank lines ignored) for a fair.

    Every line is checked before anything is decided: an invalid number, one not
    in the registry (or outside the user's townships) and a repeated line are
    errors, raised together as one ValidationError of 「第 N 行：…」 messages.
    """
    errors = []
    seen: dict[str, int] = {}
    numbers: list[tuple[int, str]] = []
    for line, raw in enumerate(id_numbers, start=1):
        text = "".join(str(raw or "").split()).upper()
        if not text:
            continue
        try:
            number = parse_resident_id(text).number
        except ValidationError as error:
            errors.append(f"第 {line} 行：{text}，{error.messages[0]}")
            continue
        if number in seen:
            errors.append(f"第 {line} 行：身份证号 {number} 与第 {seen[number]} 行重复。")
            continue
        seen[number] = line
        numbers.append((line, number))
    people = {person.id_number: person for person in Person.objects.visible_to(by).filter(id_number__in=seen)}
    for line, number in numbers:
        if number not in people:
            errors.append(f"第 {line} 行：身份证号 {number} 未在人员库中登记。")
    if errors:
        errors.sort(key=lambda message: int(message.split(" ", 2)[1]))
        raise ValidationError(errors)
    if not numbers:
        raise ValidationError("请至少填写一个身份证号。")
    attending = set(fair.attendances.filter(person__in=people.values()).values_list("person_id", flat=True))
    result = AttendeeList()
    for line, number in numbers:
        person = people[number]
        if person.pk in attending:
            result.already_attending.append((line, person))
        else:
            result.new.append(person)
    return result


@transaction.atomic
def fair_attendees_add(*, fair: JobFair, id_numbers: list[str], by) -> int:
    """
    Register the people of an ID-number list as attendees of a fair; returns how many were added.

    All or nothing: any bad line raises ValidationError (see `fair_attendee_list_check`)
    and nothing is written. People already attending are skipped. Each attendance goes
    through `record_save`: township from the person, approved when the bureau enters it.
    """
    checked = fair_attendee_list_check(fair=fair, id_numbers=id_numbers, by=by)
    for person in checked.new:
        record_save(record=FairAttendance(fair=fair, person=person), by=by)
    return len(checked.new)


@transaction.atomic
def fair_attendances_submit(*, fair: JobFair, persons, by) -> list[FairAttendance]:
    """
    Report several people at one fair (the station form): all of them, or none if one is refused.

    Each attendance goes through `record_save`, so a station's report is submitted for review.
    """
    return [record_save(record=FairAttendance(fair=fair, person=person), by=by) for person in persons]
