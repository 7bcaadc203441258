"""Where a service's consumer group stands on its topics: read at a backup, put back at a restore.

A consumer commits its offsets only after the transaction that applied the events has committed,
so offsets read before a database snapshot never pass what the snapshot holds: a service restored
with them reads again everything after, and its inbox skips what the snapshot had applied."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, TopicPartition

Offsets = dict[str, dict[int, int]]  # topic -> partition -> the next offset to read


@asynccontextmanager
async def _group_reader(bootstrap_servers: str, group: str) -> AsyncIterator[AIOKafkaConsumer]:
    # A consumer that never joins the group (partitions are assigned by hand) reads its offsets:
    # the admin API for a group's offsets is not one every broker answers.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.stop()


async def committed_offsets(bootstrap_servers: str, group: str, topics: list[str]) -> Offsets:
    """The group's committed offsets on each partition of `topics`; a partition it has not
    committed on yet is read from its beginning, as the consumer itself would."""
    async with _group_reader(bootstrap_servers, group) as consumer:
        known = await consumer.topics()
        offsets: Offsets = {}
        for topic in topics:
            if topic not in known:
                raise LookupError(f"topic {topic} does not exist: run `kulturbro topics create`")
            offsets[topic] = {}
            for partition in sorted(consumer.partitions_for_topic(topic) or ()):
                committed = await consumer.committed(TopicPartition(topic, partition))
                offsets[topic][partition] = committed if committed is not None else 0
        return offsets


async def commit_offsets(
    bootstrap_servers: str, group: str, offsets: Offsets, join_seconds: float = 90.0
) -> None:
    """Set the group's committed offsets. The broker takes commits only from a member of the
    group, so this joins it, and is handed every partition once the service's own consumers have
    left (the service must be stopped: a running one would keep its partitions and commit over)."""
    wanted = {
        TopicPartition(topic, partition): offset
        for topic, partitions in offsets.items()
        for partition, offset in partitions.items()
    }
    if not wanted:
        return
    consumer = AIOKafkaConsumer(
        *offsets, bootstrap_servers=bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + join_seconds
        while not set(wanted) <= consumer.assignment():
            if asyncio.get_running_loop().time() > deadline:
                raise LookupError(
                    f"consumer group {group} kept its partitions for {join_seconds:.0f} s: "
                    f"stop every {group} process, then restore again"
                )
            await consumer.getmany(timeout_ms=200)  # polling is what takes part in the group
        await consumer.commit(wanted)
    finally:
        await consumer.stop()
