"""The topics the contracts name, each with its dead-letter twin, and creating them."""

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from kulturbro_contracts import STREAMS, dead_letter_topic, topic_name

PARTITIONS = 6
_NO_ERROR = 0


def all_topics(prefix: str) -> list[str]:
    topics = [topic_name(stream, prefix) for stream in STREAMS]
    return topics + [dead_letter_topic(topic) for topic in topics]


async def create_topics(
    bootstrap_servers: str, names: list[str], partitions: int = PARTITIONS
) -> None:
    """Create the topics; ones that exist already are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    try:
        await admin.start()
        response = await admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=1) for name in names]
        )
    finally:
        await admin.close()
    for topic, error_code, *_ in response.topic_errors:
        if error_code not in (_NO_ERROR, TopicAlreadyExistsError.errno):
            raise for_code(error_code)(f"creating topic {topic!r}")
