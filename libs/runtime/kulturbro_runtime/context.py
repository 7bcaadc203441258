"""What the current request or message is part of, for logs and for the events it causes."""

from contextvars import ContextVar
from uuid import UUID

correlation_id: ContextVar[UUID | None] = ContextVar("correlation_id", default=None)
causation_id: ContextVar[UUID | None] = ContextVar("causation_id", default=None)
