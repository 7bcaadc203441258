"""The bus rules an administrator sends: local times only, in order."""

import pytest
from pydantic import ValidationError

from transport.records import RuleSettings


def test_bus_hours_are_local_times_without_a_zone() -> None:
    with pytest.raises(ValidationError, match="without a zone"):
        RuleSettings.model_validate({"closes": "15:30:00Z"})
    assert RuleSettings.model_validate({"closes": "16:00"}).closes.hour == 16


def test_bus_hours_come_in_order() -> None:
    with pytest.raises(ValidationError, match="opens must be before closes"):
        RuleSettings.model_validate({"opens": "16:00", "closes": "08:00"})
