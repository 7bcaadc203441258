"""The names pages give the platform's codes (target groups, categories) and each role's home.
N_ only marks a name for the catalogs; it is translated where it is shown."""

from kulturbro_contracts.vocabulary import BookingPolicy, TargetGroup
from kulturbro_runtime import Role


def N_(message: str) -> str:
    return message


TARGET_GROUPS = {
    TargetGroup.PRESCHOOL_1_2.value: N_("Preschool, ages 1–2"),
    TargetGroup.PRESCHOOL_3_5.value: N_("Preschool, ages 3–5"),
    TargetGroup.PRESCHOOL_CLASS.value: N_("Preschool class"),
    TargetGroup.GRADE_1.value: N_("Grade 1"),
    TargetGroup.GRADE_2.value: N_("Grade 2"),
    TargetGroup.GRADE_3.value: N_("Grade 3"),
    TargetGroup.GRADE_4.value: N_("Grade 4"),
    TargetGroup.GRADE_5.value: N_("Grade 5"),
    TargetGroup.GRADE_6.value: N_("Grade 6"),
    TargetGroup.GRADE_7.value: N_("Grade 7"),
    TargetGroup.GRADE_8.value: N_("Grade 8"),
    TargetGroup.GRADE_9.value: N_("Grade 9"),
    TargetGroup.UPPER_SECONDARY_1.value: N_("Upper secondary, year 1"),
    TargetGroup.UPPER_SECONDARY_2.value: N_("Upper secondary, year 2"),
    TargetGroup.UPPER_SECONDARY_3.value: N_("Upper secondary, year 3"),
    TargetGroup.ELDERLY_CARE.value: N_("Elderly care"),
    TargetGroup.OTHER.value: N_("Other"),
}

# The catalog's categories; one it adds later is shown by its code until named here.
CATEGORIES = {
    "theatre": N_("Theatre"),
    "music": N_("Music"),
    "dance": N_("Dance"),
    "art": N_("Art"),
    "literature": N_("Literature"),
    "film": N_("Film"),
    "heritage": N_("Cultural heritage"),
    "science": N_("Science"),
    "circus": N_("Circus"),
    "media": N_("Media"),
    "other": N_("Other"),
}

BOOKING_POLICIES = {
    BookingPolicy.INSTANT.value: N_("Instantly: first come, first served"),
    BookingPolicy.FAIR_DRAW.value: N_("A fair draw when booking closes"),
    BookingPolicy.DISTRICT_QUOTAS.value: N_("District quotas first, then a fair draw"),
}

ORGANIZER_KINDS = {
    "theatre": N_("Theatre"),
    "museum": N_("Museum"),
    "artist": N_("Artist or ensemble"),
    "library": N_("Library"),
    "other": N_("Other"),
}

HOMES = {
    Role.TEACHER: "/teacher",
    Role.ORGANIZER: "/organizer",
    Role.ADMINISTRATOR: "/office",
    Role.ANALYST: "/analyst",
    Role.OPERATOR: "/operator",
}


def home_of(role: Role) -> str:
    return HOMES[role]


# Why a class gets no culture bus, each with what would have to change.
# The rules a class moved to another bus by hand would break, as transport names them.
BROKEN_BUS_RULES = {
    "seats": N_("The bus has too few seats or wheelchair places for the classes on board then."),
    "driving_time": N_("The bus cannot reach all its stops in time with this class too."),
    "ride_time": N_("Some pupils would ride longer than the longest ride allowed."),
    "arrive_before": N_("A class would reach the venue too close to the start."),
    "leave_after": N_("A class would leave the venue too soon after the end."),
    "hours": N_("The bus would run outside its operating hours."),
    "earliest_pickup": N_("A class would be picked up before the earliest pick-up."),
    "latest_dropoff": N_("A class would be back after the latest drop-off."),
    "depot": N_("The bus has no depot: set one in the bus rules."),
    "one_trip_a_year": N_("The group has had its culture bus trip this school year."),
}

NO_BUS_REASONS = {
    "too_near": N_("The school is near enough to the venue to go without the culture bus."),
    "too_late_to_book": N_(
        "The culture bus must be booked further ahead: book the next visit earlier."
    ),
    "no_bus_free": N_(
        "No culture bus is free at that time: another occurrence of the event may have one."
    ),
    "ride_too_long": N_("The ride would be too long for the pupils, so no bus can take them."),
    "no_coordinates": N_(
        "The school's or the venue's place is not known: the culture office can add it."
    ),
    "no_fleet": N_("The municipality has no culture buses: the culture office can add them."),
    "no_operating_hours": N_("No culture bus runs on that day."),
    "one_trip_a_year": N_(
        "The group has had its culture bus trip this school year:"
        " the municipality gives one a year."
    ),
}

# What the culture office can change so that a class gets a bus, by transport's code; each
# placeholder is a value transport gives with the code.
WHAT_TO_FIX = {
    "too_near": N_("The school is nearer the venue than %(metres)s m."),
    "too_late_to_book": N_("Booked less than %(days)s days before the visit."),
    "no_bus_free": N_("Every bus that fits the class is taken at that time."),
    "ride_too_long": N_("The ride would take longer than %(minutes)s minutes."),
    "no_fleet": N_("The municipality has no buses: add its bus fleet in the directory."),
    "one_trip_a_year": N_(
        "The group has had its bus trip this school year, and the rules give one a year."
    ),
    "no_operating_hours": N_(
        "The trip falls outside the buses' hours (%(opens)s–%(closes)s on school days)."
    ),
    "school_not_known": N_(
        "The school is not known from the directory yet: add it there with its coordinates."
    ),
    "school_without_coordinates": N_(
        "The school %(school)s has no coordinates: add them in the directory."
    ),
    "venue_without_coordinates": N_(
        "The venue %(venue)s has no coordinates: its organizer adds them."
    ),
    "bus_without_depot": N_(
        "No depot for %(buses)s: set the municipality's depot, or the bus's own, in the bus rules."
    ),
}
