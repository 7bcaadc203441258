"""Who is reading a page: their language, their session if signed in, and the cookies the
answer must set for them."""

import hashlib
import logging
import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request, Response
from redis.exceptions import RedisError

from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime import Role
from kulturbro_runtime.client_address import CLIENT_ADDRESS_HEADER
from web import csrf
from web.i18n import LANGUAGE_COOKIE, chosen_language, negotiate
from web.platform import Platform, PlatformError, TokenPair
from web.sessions import (
    ACCESS_COOKIE,
    SESSION_COOKIE,
    SESSION_MAX_AGE_SECONDS,
    RefreshGuard,
    SignedIn,
    read_access_token,
)

log = logging.getLogger(__name__)
STORED_LANGUAGE_SECONDS = 300


@dataclass
class Visitor:
    language: Language
    signed_in: SignedIn | None
    refresh_token: str | None
    # The browser's address as the gateway signed it, passed back on the platform calls.
    address: str | None
    secret: str
    csrf_cookie: str | None
    new_tokens: TokenPair | None = None
    session_ended: bool = False
    _new_csrf_cookie: str | None = field(default=None, repr=False)

    def csrf_token(self) -> str:
        """The hidden field of a form; sets the cookie it belongs to when there is none yet."""
        if self.csrf_cookie is None:
            self.csrf_cookie = self._new_csrf_cookie = csrf.new_cookie_value()
        return csrf.form_token(self.csrf_cookie, self.secret)

    def signed_in_as(self, tokens: TokenPair) -> None:
        self.new_tokens, self.session_ended = tokens, False
        self.signed_in = read_access_token(tokens.access_token, time.time())
        self.refresh_token = tokens.refresh_token

    def signed_out(self) -> None:
        self.new_tokens, self.session_ended = None, True
        self.signed_in, self.refresh_token = None, None

    def set_cookies(self, response: Response, secure: bool) -> None:
        def keep(name: str, value: str, max_age: int) -> None:
            response.set_cookie(
                name,
                value,
                max_age=max_age,
                path="/",
                secure=secure,
                httponly=True,
                samesite="lax",
            )

        if self.new_tokens is not None:
            keep(ACCESS_COOKIE, self.new_tokens.access_token, self.new_tokens.expires_in)
            keep(SESSION_COOKIE, self.new_tokens.refresh_token, SESSION_MAX_AGE_SECONDS)
        elif self.session_ended:
            for name in (ACCESS_COOKIE, SESSION_COOKIE):
                response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="lax")
        if self._new_csrf_cookie is not None:
            # A session cookie: a form's token lives as long as the browser's visit.
            response.set_cookie(
                csrf.CSRF_COOKIE,
                self._new_csrf_cookie,
                path="/",
                secure=secure,
                httponly=True,
                samesite="lax",
            )


async def find_visitor(request: Request) -> Visitor:
    """The reader of this request, their session refreshed if its access token has run out."""
    state = request.app.state
    refresh_token = request.cookies.get(SESSION_COOKIE)
    address = request.headers.get(CLIENT_ADDRESS_HEADER)
    signed_in = read_access_token(request.cookies.get(ACCESS_COOKIE), time.time())
    new_tokens, ended = None, False
    if signed_in is None and refresh_token:
        guard: RefreshGuard = state.refresh_guard
        new_tokens = await guard.refresh(refresh_token, address)
        if new_tokens is None:
            ended, refresh_token = True, None
        else:
            signed_in = read_access_token(new_tokens.access_token, time.time())
            refresh_token = new_tokens.refresh_token
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    stored = None
    if chosen_language(chosen) is None and signed_in and signed_in.role == Role.TEACHER:
        stored = await _stored_language(request, signed_in)
    visitor = Visitor(
        language=negotiate(chosen, stored, request.headers.get("Accept-Language")),
        signed_in=signed_in,
        refresh_token=refresh_token,
        address=address,
        secret=state.runtime.secret,
        csrf_cookie=request.cookies.get(csrf.CSRF_COOKIE),
        new_tokens=new_tokens,
        session_ended=ended,
    )
    request.state.visitor = visitor
    return visitor


def _stored_language_key(access_token: str) -> str:
    return "web:language:" + hashlib.sha256(access_token.encode()).hexdigest()


async def forget_stored_language(request: Request, access_token: str) -> None:
    """After the teacher changes her language, the next page asks the directory again."""
    try:
        await request.app.state.redis.delete(_stored_language_key(access_token))
    except RedisError as error:
        log.info("the stored language stays until it runs out: %s", error)


async def _stored_language(request: Request, signed_in: SignedIn) -> Language | None:
    """The teacher's own choice in the directory, asked once per few minutes, not per page."""
    redis = request.app.state.redis
    key = _stored_language_key(signed_in.access_token)
    try:
        if cached := await redis.get(key):
            return chosen_language(cached.decode())
        platform: Platform = request.app.state.platform
        language = (await platform.my_preferences(signed_in.access_token)).language
        await redis.set(key, language.value, ex=STORED_LANGUAGE_SECONDS)
        return language
    except (PlatformError, RedisError) as error:
        # Only the language is at stake: the browser's own wish will do.
        log.info("no stored language for this teacher: %s", error)
        return None


VisitorDep = Annotated[Visitor, Depends(find_visitor)]
