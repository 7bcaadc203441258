"""`kulturbro topics create` makes each topic with the partitions KAFKA_TOPIC_PARTITIONS names
(kulturbro-config sets it to the ScaledObjects' maxReplicaCount)."""

from typing import Any

import pytest
from typer.testing import CliRunner

from kulturbro_cli import main
from kulturbro_runtime.topics import PARTITIONS


@pytest.mark.parametrize(
    ("env", "partitions"), [({"KAFKA_TOPIC_PARTITIONS": "12"}, 12), ({}, PARTITIONS)]
)
def test_topics_get_the_partitions_the_setting_names(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], partitions: int
) -> None:
    made: dict[str, Any] = {}

    async def create(servers: str, names: list[str], partitions: int) -> None:
        made.update(servers=servers, names=names, partitions=partitions)

    monkeypatch.setattr(main, "create_topics", create)
    monkeypatch.delenv("KAFKA_TOPIC_PARTITIONS", raising=False)
    result = CliRunner().invoke(
        main.app, ["topics", "create", "--bootstrap-servers", "kafka:9092"], env=env
    )
    assert result.exit_code == 0, result.output
    assert made["partitions"] == partitions
    assert "kulturbro.booking.v1" in made["names"]


def test_a_partition_count_out_of_bounds_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(
        main.app, ["topics", "create", "--partitions", "0", "--bootstrap-servers", "kafka:9092"]
    )
    assert result.exit_code == 2
