"""The bus rules an administrator sends: local times only, in order; a depot per bus named."""

import pytest
from pydantic import ValidationError

from kulturbro_contracts.directory import Bus as FleetBus
from transport.domain import Place
from transport.records import RuleSettings


def test_bus_hours_are_local_times_without_a_zone() -> None:
    with pytest.raises(ValidationError, match="without a zone"):
        RuleSettings.model_validate({"closes": "15:30:00Z"})
    assert RuleSettings.model_validate({"closes": "16:00"}).closes.hour == 16


def test_bus_hours_come_in_order() -> None:
    with pytest.raises(ValidationError, match="opens must be before closes"):
        RuleSettings.model_validate({"opens": "16:00", "closes": "08:00"})


def test_a_bus_with_a_depot_of_its_own_starts_there_and_the_rest_at_the_municipalitys() -> None:
    settings = RuleSettings.model_validate(
        {
            "depot_latitude": 55.58,
            "depot_longitude": 13.05,
            "depots": [{"bus": "Buss 2", "latitude": 55.62, "longitude": 13.07}],
        }
    )
    fleet = [FleetBus(name="Buss 1", seats=50), FleetBus(name="Buss 2", seats=50)]
    depots = {bus.name: bus.depot for bus in settings.bus_rules(fleet).fleet}
    assert depots == {"Buss 1": Place(55.58, 13.05), "Buss 2": Place(55.62, 13.07)}
    assert settings.unknown_buses(fleet) is None


@pytest.mark.parametrize(
    ("depot", "words"),
    [
        ({"bus": "Buss 2", "latitude": 95, "longitude": 13}, "'Buss 2': the depot's latitude"),
        ({"bus": "Buss 2", "latitude": 55}, "'Buss 2': give its depot's longitude"),
        ({"bus": "Buss 2", "latitude": 55, "longitude": "east"}, "longitude must be a number"),
    ],
)
def test_a_wrong_depot_is_refused_naming_its_bus_and_field(depot: dict, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        RuleSettings.model_validate({"depots": [depot]})


def test_a_bus_given_two_depots_or_none_of_the_fleets_is_refused_by_name() -> None:
    twice = {"bus": "Buss 1", "latitude": 55.6, "longitude": 13.0}
    with pytest.raises(ValidationError, match="'Buss 1' is given two depots"):
        RuleSettings.model_validate({"depots": [twice, twice]})
    stranger = RuleSettings.model_validate(
        {"depots": [{"bus": "Buss 9", "latitude": 55.6, "longitude": 13.0}]}
    )
    wrong = stranger.unknown_buses([FleetBus(name="Buss 1", seats=50)])
    assert wrong is not None and "no bus 'Buss 9' (its buses: Buss 1)" in wrong
