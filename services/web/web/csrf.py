"""Forms are posted only from our own pages: a random cookie, and in each form the cookie's
HMAC with the platform's secret. A site elsewhere can make a browser post, but cannot read the
cookie, so cannot write the field."""

import hashlib
import hmac
import secrets

CSRF_COOKIE = "kulturbro_csrf"
CSRF_FIELD = "csrf_token"


def new_cookie_value() -> str:
    return secrets.token_urlsafe(32)


def form_token(cookie_value: str, secret: str) -> str:
    key = hmac.new(secret.encode(), b"kulturbro forms", hashlib.sha256).digest()
    return hmac.new(key, cookie_value.encode(), hashlib.sha256).hexdigest()


def is_valid(cookie_value: str | None, field_value: str | None, secret: str) -> bool:
    if not cookie_value or not field_value:
        return False
    return hmac.compare_digest(field_value.encode(), form_token(cookie_value, secret).encode())
