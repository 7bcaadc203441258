"""Links in mails that act without signing in, such as "no more invitations": the link names
what it does and for whom, signed with the platform's secret, so it cannot be made for
somebody else or turned to another purpose. One service writes them, another honours them."""

import base64
import hashlib
import hmac
import json

from pydantic import BaseModel, ValidationError

UNSUBSCRIBE = "unsubscribe"
# Where the directory honours unsubscribe links, as the gateway serves it.
UNSUBSCRIBE_PATH = "/unsubscribe"
UNSUBSCRIBE_URL = "{public_url}/api/directory" + UNSUBSCRIBE_PATH + "?token={token}"


class MailLink(BaseModel):
    purpose: str
    municipality_id: str
    subject_id: str  # e.g. the teacher


class InvalidMailLink(ValueError):
    """Not a link we made: altered, cut short, or made for another purpose."""


def sign_mail_link(link: MailLink, secret: str) -> str:
    body = base64.urlsafe_b64encode(link.model_dump_json().encode()).decode().rstrip("=")
    return f"{body}.{_signature(body, secret)}"


def unsubscribe_url(public_url: str, municipality_id: str, subject_id: str, secret: str) -> str:
    link = MailLink(purpose=UNSUBSCRIBE, municipality_id=municipality_id, subject_id=subject_id)
    return UNSUBSCRIBE_URL.format(public_url=public_url, token=sign_mail_link(link, secret))


def read_mail_link(token: str, purpose: str, secret: str) -> MailLink:
    body, _, signature = token.partition(".")
    if not hmac.compare_digest(signature.encode(), _signature(body, secret).encode()):
        raise InvalidMailLink("the link's signature does not match: use the link from the mail")
    try:
        link = MailLink.model_validate(json.loads(base64.urlsafe_b64decode(body + "==")))
    except (ValueError, ValidationError) as error:
        raise InvalidMailLink("the link is not readable: use the link from the mail") from error
    if link.purpose != purpose:
        raise InvalidMailLink(f"the link is for {link.purpose}, not {purpose}")
    return link


def _signature(body: str, secret: str) -> str:
    # Kept apart from signed identities: the same secret, another key.
    key = hmac.new(secret.encode(), b"kulturbro mail links", hashlib.sha256).digest()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:32]
