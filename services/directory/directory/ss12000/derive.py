"""Units, groups and teachers derived from SS 12000, keeping of the pupils only their number.

A group is a class (Klass) or a preschool group (Avdelning); its target group is the most
common among its pupils' enrolments at its unit, and its size the number of those pupils.
Teachers are the staff with a teaching duty, or named as teachers of an activity, and a work
e-mail; activities tell which groups they teach.
"""

from collections import Counter
from uuid import UUID

from directory.records import (
    SCHOOL_FORMS,
    Assignment,
    GroupRecord,
    Snapshot,
    Source,
    TeacherRecord,
    UnitRecord,
    checked_email,
)
from directory.ss12000.payloads import Enrolment, Group, Organisation, Person, SchoolData
from kulturbro_contracts.vocabulary import Language, TargetGroup, UnitKind

CLASS_GROUP_TYPES = frozenset({"Klass", "Avdelning"})
TEACHING_ROLES = frozenset(
    {
        "Lärare",
        "Förskollärare",
        "Barnskötare",
        "Förstelärare",
        "Speciallärare/specialpedagog",
        "Fritidspedagog",
        "Lärarassistent",
        "Övrig pedagogisk personal",
    }
)
WORK_EMAIL_TYPES = ("Skola personal", "Arbete övrigt")
COMPULSORY_SCHOOL = frozenset({"GR", "GRS", "SP", "SAM"})
UPPER_SECONDARY = frozenset({"GY", "GYS"})
_TAXONOMY_ORDER = {target_group: order for order, target_group in enumerate(TargetGroup)}


def target_group_of(school_type: str, school_year: int | None) -> TargetGroup:
    if school_type == "FS":
        # The age band would need the children's birth dates, personal data the directory does
        # not read: every preschool group counts as ages 3-5.
        return TargetGroup.PRESCHOOL_3_5
    if school_type == "FKLASS":
        return TargetGroup.PRESCHOOL_CLASS
    if school_type in COMPULSORY_SCHOOL and school_year in range(1, 10):
        return TargetGroup(f"grade_{school_year}")
    if school_type in UPPER_SECONDARY and school_year in range(1, 4):
        return TargetGroup(f"upper_secondary_{school_year}")
    return TargetGroup.OTHER


def derive_snapshot(data: SchoolData, default_language: Language) -> Snapshot:
    organisations = {organisation.id: organisation for organisation in data.organisations}
    persons = {person.id: person for person in data.persons}
    notes: list[str] = []
    class_groups: list[Group] = []
    for group in data.groups:
        if group.group_type not in CLASS_GROUP_TYPES:
            continue
        if group.organisation.id in organisations:
            class_groups.append(group)
        else:
            notes.append(
                f"group {group.display_name!r} belongs to an organisation the server did not "
                "list; left out"
            )
    groups = {str(group.id): _group(group, persons) for group in class_groups}
    units = {
        str(organisation.id): _unit(organisation, class_groups, data.persons)
        for organisation in data.organisations
    }

    named_in_activities = {
        duty.duty.id for activity in data.activities for duty in activity.teachers
    }
    teachers: dict[str, TeacherRecord] = {}
    teacher_of_duty: dict[UUID, str] = {}
    for duty in data.duties:
        person = persons.get(duty.person.id) if duty.person else None
        teaches = duty.duty_role in TEACHING_ROLES or duty.id in named_in_activities
        if person is None or not teaches or duty.duty_at.id not in organisations:
            continue
        try:
            email = _work_email(person)
        except ValueError as problem:
            unit = organisations[duty.duty_at.id].display_name
            notes.append(f"{_name(person)} ({duty.duty_role} at {unit}) {problem}; left out")
            continue
        name = _name(person) or email
        teachers[str(person.id)] = TeacherRecord(str(person.id), name, email, default_language)
        teacher_of_duty[duty.id] = str(person.id)

    assignments = frozenset(
        Assignment(teacher_of_duty[teacher.duty.id], str(group.id))
        for activity in data.activities
        for group in activity.groups
        if str(group.id) in groups
        for teacher in activity.teachers
        if teacher.duty.id in teacher_of_duty
    )
    return Snapshot(
        source=Source.SS12000,
        units=units,
        groups=groups,
        teachers=teachers,
        assignments=assignments,
        notes=tuple(dict.fromkeys(notes)),
    )


def _group(group: Group, persons: dict[UUID, Person]) -> GroupRecord:
    members = {membership.person.id for membership in group.group_memberships}
    pupils = [
        enrolment
        for member in members
        if (enrolment := _enrolment_at(persons.get(member), group.organisation.id)) is not None
    ]
    counts = Counter(target_group_of(e.school_type, e.school_year) for e in pupils)
    if counts:
        target = max(counts, key=lambda t: (counts[t], -_TAXONOMY_ORDER[t]))
    else:
        target = target_group_of(group.school_type or "", None)
    return GroupRecord(
        external_id=str(group.id),
        unit=str(group.organisation.id),
        name=group.display_name or str(group.id),
        target_group=target,
        size=len(pupils),
    )


def _enrolment_at(person: Person | None, unit: UUID) -> Enrolment | None:
    if person is None:
        return None
    return next((e for e in person.enrolments if e.enroled_at.id == unit and not e.cancelled), None)


def _unit(organisation: Organisation, groups: list[Group], persons: list[Person]) -> UnitRecord:
    forms = {
        group.school_type
        for group in groups
        if group.organisation.id == organisation.id and group.school_type
    } | {
        enrolment.school_type
        for person in persons
        for enrolment in person.enrolments
        if enrolment.enroled_at.id == organisation.id and not enrolment.cancelled
    }
    order = {form: place for place, form in enumerate(SCHOOL_FORMS)}
    return UnitRecord(
        external_id=str(organisation.id),
        name=organisation.display_name or organisation.school_unit_code,
        kind=UnitKind.PRESCHOOL if forms == {"FS"} else UnitKind.SCHOOL,
        school_forms=tuple(sorted(forms, key=lambda form: (order.get(form, len(order)), form))),
    )


def _name(person: Person) -> str:
    return " ".join(part for part in (person.given_name, person.family_name) if part.strip())


def _work_email(person: Person) -> str:
    for kind in WORK_EMAIL_TYPES:
        for email in person.emails:
            if email.type == kind:
                try:
                    return checked_email(email.value)
                except ValueError as problem:
                    raise ValueError(f"has an unusable work e-mail: {problem}") from None
    raise ValueError("has no work e-mail")
