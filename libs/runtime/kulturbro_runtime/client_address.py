"""The network address of the browser behind a platform client such as the web service.

The gateway limits sign-in attempts per address; when the web signs a browser in, the request
comes from the web's own address. So the gateway hands the browser's address to the web signed
(with the platform's secret, for a short while), and the web passes it back on its calls: the
gateway trusts an address only with a valid signature, so no client can choose its own.
"""

import hashlib
import hmac
import time

CLIENT_ADDRESS_HEADER = "X-Kulturbro-Client-Address"
CLIENT_ADDRESS_LIFETIME_SECONDS = 300


class InvalidClientAddress(ValueError):
    """Not an address the gateway signed, or signed too long ago."""


def sign_client_address(address: str, secret: str, now: float | None = None) -> str:
    expires = int(now if now is not None else time.time()) + CLIENT_ADDRESS_LIFETIME_SECONDS
    body = f"{address}|{expires}"
    return f"{body}|{_signature(body, secret)}"


def verify_client_address(signed: str, secret: str, now: float | None = None) -> str:
    body, _, signature = signed.rpartition("|")
    if not body or not hmac.compare_digest(signature.encode(), _signature(body, secret).encode()):
        raise InvalidClientAddress("the client address is not signed by the gateway")
    address, _, expires = body.rpartition("|")
    if not address or not expires.isdigit():
        raise InvalidClientAddress("the signed client address is not readable")
    if int(expires) < (now if now is not None else time.time()):
        raise InvalidClientAddress("the signed client address has expired")
    return address


def _signature(body: str, secret: str) -> str:
    # The same secret as identities and mail links, another key.
    key = hmac.new(secret.encode(), b"kulturbro client address", hashlib.sha256).digest()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
