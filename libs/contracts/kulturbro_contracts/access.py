"""Access events from the gateway: sign-in links that notify delivers by e-mail.

The link is single-use and short-lived; its token is stored only as a hash by the gateway.
"""

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, EmailStr

from kulturbro_contracts.envelope import Event
from kulturbro_contracts.vocabulary import Language


class SignInLink(BaseModel):
    account_id: UUID
    email: EmailStr
    language: Language
    link: str
    expires_at: datetime


class SignInLinkRequested(Event):
    stream: ClassVar[str] = "access"
    event_type: Literal["SignInLinkRequested"] = "SignInLinkRequested"
    schema_version: Literal[1] = 1
    payload: SignInLink

    def key(self) -> str:
        return str(self.payload.account_id)
