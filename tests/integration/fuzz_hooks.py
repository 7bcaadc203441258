"""Schemathesis hooks for test_gateway_fuzz: generated events whose times pass the catalog's rules,
so that their counts reach the database.

The fuzzer draws times from all of history. The catalog refuses an occurrence that has passed or
ends before it starts, or a booking window that does not fit, before it stores anything; so nearly
every generated event was refused for its times and its counts (a capacity of 2**31, say) never
met a column. Half the bodies get times to come here; the other half keep the drawn ones.
"""

import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import schemathesis


@schemathesis.hook("map_body").apply_to(path_regex="^/api/catalog/events")
def times_to_come(context: Any, body: Any) -> Any:
    if isinstance(body, dict) and zlib.crc32(repr(body).encode()) % 2:
        soon = datetime.now(UTC) + timedelta(days=30)
        occurrences = body.get("occurrences")
        plans = [body, *(occurrences if isinstance(occurrences, list) else [])]
        for day, plan in enumerate(plans):
            if isinstance(plan, dict) and "starts_at" in plan:
                plan["starts_at"] = (soon + timedelta(days=day)).isoformat()
                plan["ends_at"] = (soon + timedelta(days=day, hours=1)).isoformat()
        if "booking_policy" in body:
            body["booking_policy"] = "instant"
            body.pop("booking_opens_at", None)
            body.pop("booking_closes_at", None)
    return body
