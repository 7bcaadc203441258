"""Domain words shared by every event: target groups, languages, localized text."""

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator


class TargetGroup(StrEnum):
    """One taxonomy for all municipalities; each country labels it in its own words."""

    PRESCHOOL_1_2 = "preschool_1_2"
    PRESCHOOL_3_5 = "preschool_3_5"
    PRESCHOOL_CLASS = "preschool_class"
    GRADE_1 = "grade_1"
    GRADE_2 = "grade_2"
    GRADE_3 = "grade_3"
    GRADE_4 = "grade_4"
    GRADE_5 = "grade_5"
    GRADE_6 = "grade_6"
    GRADE_7 = "grade_7"
    GRADE_8 = "grade_8"
    GRADE_9 = "grade_9"
    UPPER_SECONDARY_1 = "upper_secondary_1"
    UPPER_SECONDARY_2 = "upper_secondary_2"
    UPPER_SECONDARY_3 = "upper_secondary_3"
    ELDERLY_CARE = "elderly_care"
    OTHER = "other"


class Language(StrEnum):
    SV = "sv"
    FI = "fi"
    EN = "en"


class UnitKind(StrEnum):
    PRESCHOOL = "preschool"
    SCHOOL = "school"
    ELDERLY_CARE_HOME = "elderly_care_home"


class BookingPolicy(StrEnum):
    INSTANT = "instant"
    FAIR_DRAW = "fair_draw"
    DISTRICT_QUOTAS = "district_quotas"


class InvitationPreference(StrEnum):
    IMMEDIATE = "immediate"
    WEEKLY_DIGEST = "weekly_digest"
    NONE = "none"


def _at_least_one_language(text: dict[Language, str]) -> dict[Language, str]:
    if not any(value.strip() for value in text.values()):
        raise ValueError("give the text in at least one of sv, fi, en")
    return text


LocalizedText = Annotated[dict[Language, str], AfterValidator(_at_least_one_language)]
