"""Notify events: what was sent to whom, and what could not be. Keyed by the recipient."""

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel

from kulturbro_contracts.envelope import Event


class NotifyEvent(Event):
    stream: ClassVar[str] = "notify"

    def key(self) -> str:
        return str(self.payload.recipient_id)  # type: ignore[attr-defined]


class Delivery(BaseModel):
    notification_id: UUID
    recipient_id: UUID
    kind: str
    subject_id: UUID | None = None
    channel: Literal["email"] = "email"


class FailedDelivery(Delivery):
    reason: str
    permanent: bool


class NotificationSent(NotifyEvent):
    event_type: Literal["NotificationSent"] = "NotificationSent"
    schema_version: Literal[1] = 1
    payload: Delivery


class NotificationFailed(NotifyEvent):
    event_type: Literal["NotificationFailed"] = "NotificationFailed"
    schema_version: Literal[1] = 1
    payload: FailedDelivery
