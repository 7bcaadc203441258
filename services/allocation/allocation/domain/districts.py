"""Sharing an event's seats between districts in proportion to their pupils of the right age."""

from collections.abc import Mapping


def split_by_district(seats: int, pupils: Mapping[str, int]) -> dict[str, int]:
    """Largest remainder: every district gets the whole seats of its exact share, and the seats
    left over go to the largest fractions (ties to the district named first in sorted order)."""
    total = sum(pupils.values())
    if total <= 0:
        return {district: 0 for district in pupils}
    shares = {district: seats * count // total for district, count in pupils.items()}
    remainders = sorted(
        pupils, key=lambda district: (-(seats * pupils[district] % total), district)
    )
    for district in remainders[: seats - sum(shares.values())]:
        shares[district] += 1
    return shares
