"""Creating every topic the contracts name, each with its dead-letter twin."""

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from kulturbro_contracts import STREAMS, dead_letter_topic, topic_name

PARTITIONS = 6


def all_topics(prefix: str) -> list[str]:
    topics = [topic_name(stream, prefix) for stream in STREAMS]
    return topics + [dead_letter_topic(topic) for topic in topics]


async def create_topics(bootstrap_servers: str, prefix: str, partitions: int = PARTITIONS) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in all_topics(prefix) if name not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [NewTopic(name, num_partitions=partitions, replication_factor=1) for name in missing]
                )
            except TopicAlreadyExistsError:
                pass  # another process created them between our look and our request
    finally:
        await admin.close()
