"""The envelope every integration event travels in, and the topic it travels on."""

from datetime import UTC, datetime
from typing import ClassVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

# The major version of the topic scheme `kulturbro.<stream>.v<major>`; a breaking change to a
# stream gets new topics, served beside the old ones until every consumer has moved.
TOPIC_MAJOR_VERSION = 1
DEFAULT_TOPIC_PREFIX = "kulturbro"


def topic_name(stream: str, prefix: str = DEFAULT_TOPIC_PREFIX) -> str:
    return f"{prefix}.{stream}.v{TOPIC_MAJOR_VERSION}"


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlt"


class Event(BaseModel):
    """A past-tense fact one service tells the others; subclasses add `event_type` and `payload`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stream: ClassVar[str]
    event_id: UUID = Field(default_factory=uuid4)
    event_type: str
    schema_version: int
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    municipality_id: str = Field(min_length=1, max_length=64)
    correlation_id: UUID = Field(default_factory=uuid4)
    causation_id: UUID | None = None

    def key(self) -> str:
        """The aggregate whose order matters: messages with one key stay in one partition."""
        raise NotImplementedError

    def topic(self, prefix: str = DEFAULT_TOPIC_PREFIX) -> str:
        return topic_name(self.stream, prefix)
