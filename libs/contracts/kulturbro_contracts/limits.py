"""The bounds of the counts clients send, for every service that takes them.

Each bound is well beyond anything real, so it refuses only mistakes and abuse, and far below
PostgreSQL's `integer` (2**31 - 1), so neither a value nor a sum of a few ever overflows a column.
Event payloads keep only their lower bounds: a consumer must still read what was published before
a bound was set.
"""

# An occurrence's seats: more than any hall that takes school audiences; an arena is no visit.
MAX_SEATS = 10_000
# An event lasts a day at most; what runs longer is several occurrences.
MAX_DURATION_MINUTES = 24 * 60
# A group is a class, a year group or a care home's residents: a large school's year at most.
MAX_PUPILS_PER_GROUP = 1_000
# Teachers and helpers who come with one group.
MAX_ADULTS_PER_GROUP = 100
MAX_WHEELCHAIR_PLACES_PER_GROUP = 100
# Seats one group may take, adults included.
MAX_GROUP_SEATS = MAX_PUPILS_PER_GROUP + MAX_ADULTS_PER_GROUP
# Occurrences each group attends: a weekly series through a school year.
MAX_NEEDED_OCCURRENCES = 52
# How long before a visit a booking can still be cancelled: the school year ahead.
MAX_CANCELLATION_DEADLINE_DAYS = 365
# A coach, double-decker included.
MAX_BUS_SEATS = 100
# Paging: how far into a listing a client may skip.
MAX_OFFSET = 10_000_000
# The culture bus's rules: a school farther than 100 km is no day trip; a ride, a margin or a
# lead time beyond these is a mistake; speeds are a coach's on any road.
MAX_BUS_DISTANCE_M = 100_000
MAX_BUS_MINUTES = 240
MAX_BUS_DAYS = 365
MAX_BUS_SPEED_KMH = 130
