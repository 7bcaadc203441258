"""Sign-in: password, e-mail link, an external OpenID Connect provider; refresh and sign-out."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, EmailStr, Field

from gateway.db import Account, MagicLink
from gateway.identity import AccountDep, allow
from gateway.passwords import password_matches
from gateway.protection import limit_sign_in
from gateway.sessions import active_account_by_email, issue_tokens, take_refresh_token
from gateway.settings import GatewaySettings
from gateway.tokens import TokenPair, new_opaque_token, token_hash
from kulturbro_contracts import SignInLinkRequested
from kulturbro_contracts.access import SignInLink
from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime import Role, RuntimeDep, public

router = APIRouter(prefix="/auth", tags=["sign-in"])
INVALID_CREDENTIALS = "the e-mail or password is wrong"


def _settings(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.settings
    return settings


SettingsDep = Annotated[GatewaySettings, Depends(_settings)]


class PasswordSignIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=1000)


class LinkRequest(BaseModel):
    email: EmailStr


class OpaqueToken(BaseModel):
    token: str = Field(min_length=10, max_length=200)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class OidcSignIn(BaseModel):
    id_token: str = Field(min_length=10, max_length=10_000)


class Me(BaseModel):
    account_id: str
    email: str
    role: str
    municipality_id: str | None
    organizer_id: str | None


@router.post("/password", response_model=TokenPair, **public())
async def sign_in_with_password(
    body: PasswordSignIn, request: Request, runtime: RuntimeDep, settings: SettingsDep
) -> TokenPair:
    await limit_sign_in(request, body.email)
    async with runtime.unit_of_work() as uow:
        account = await active_account_by_email(uow.session, body.email)
        if account is None or not password_matches(body.password, account.password_hash):
            password_matches(body.password, None)  # same work whether or not the account exists
            raise HTTPException(401, INVALID_CREDENTIALS)
        return await issue_tokens(uow.session, account, settings)


@router.post("/magic-link", status_code=202, **public())
async def send_sign_in_link(
    body: LinkRequest, request: Request, runtime: RuntimeDep, settings: SettingsDep
) -> dict[str, str]:
    await limit_sign_in(request, body.email)
    async with runtime.unit_of_work() as uow:
        account = await active_account_by_email(uow.session, body.email)
        if account is not None:
            token, hashed = new_opaque_token()
            expires = datetime.now(UTC) + timedelta(minutes=settings.magic_link_minutes)
            uow.session.add(MagicLink(token_hash=hashed, account_id=account.id, expires_at=expires))
            # The web client posts the token to /auth/magic-link/redeem; mail scanners only GET.
            link = f"{settings.public_url}/sign-in?token={token}"
            await uow.publish(
                SignInLinkRequested(
                    municipality_id=account.municipality_id or "platform",
                    payload=SignInLink(
                        account_id=account.id, email=account.email,
                        language=Language(account.language), link=link, expires_at=expires,
                    ),
                )
            )  # fmt: skip
    # The same answer either way, so the endpoint does not reveal who has an account.
    return {"detail": "if the address has an account, a sign-in link is on its way"}


@router.post("/magic-link/redeem", response_model=TokenPair, **public())
async def redeem_sign_in_link(
    body: OpaqueToken, runtime: RuntimeDep, settings: SettingsDep
) -> TokenPair:
    async with runtime.unit_of_work() as uow:
        link = await uow.session.get(MagicLink, token_hash(body.token), with_for_update=True)
        now = datetime.now(UTC)
        if link is None or link.used_at is not None or link.expires_at < now:
            raise HTTPException(401, "this sign-in link is used or expired; ask for a new one")
        link.used_at = now
        account = await uow.session.get(Account, link.account_id)
        if account is None or not account.active:
            raise HTTPException(401, "this account is closed; ask your administrator")
        return await issue_tokens(uow.session, account, settings)


@router.post("/refresh", response_model=TokenPair, **public())
async def refresh(body: RefreshRequest, runtime: RuntimeDep, settings: SettingsDep) -> TokenPair:
    async with runtime.unit_of_work() as uow:
        account_id = await take_refresh_token(uow.session, body.refresh_token)
        account = await uow.session.get(Account, account_id) if account_id else None
        if account is None or not account.active:
            raise HTTPException(401, "the refresh token is used, revoked or expired; sign in again")
        return await issue_tokens(uow.session, account, settings)


@router.post("/sign-out", status_code=204, **public())
async def sign_out(body: RefreshRequest, runtime: RuntimeDep) -> Response:
    async with runtime.unit_of_work() as uow:
        await take_refresh_token(uow.session, body.refresh_token)
    return Response(status_code=204)


@router.post("/oidc", response_model=TokenPair, **public())
async def sign_in_with_identity_provider(
    body: OidcSignIn, request: Request, runtime: RuntimeDep, settings: SettingsDep
) -> TokenPair:
    if not (settings.oidc_issuer and settings.oidc_jwks_url and settings.oidc_audience):
        raise HTTPException(404, "no external identity provider is configured here")
    try:
        signing_key = request.app.state.jwks.get_signing_key_from_jwt(body.id_token)
        claims = jwt.decode(
            body.id_token, signing_key.key, algorithms=["RS256", "ES256"],
            audience=settings.oidc_audience, issuer=settings.oidc_issuer,
            options={"require": ["exp", "iss", "aud", "email"]},
        )  # fmt: skip
    except jwt.PyJWTError as error:
        raise HTTPException(401, f"the identity provider's token is not valid: {error}") from error
    if claims.get("email_verified") is False:
        raise HTTPException(401, "the identity provider has not verified this e-mail address")
    async with runtime.unit_of_work() as uow:
        account = await active_account_by_email(uow.session, str(claims["email"]))
        if account is None:
            raise HTTPException(403, "no Kulturbro account has this e-mail; ask your administrator")
        return await issue_tokens(uow.session, account, settings)


@router.get("/me", response_model=Me, **allow(*Role))
async def me(account: AccountDep) -> Me:
    return Me(
        account_id=str(account.id), email=account.email, role=account.role.value,
        municipality_id=account.municipality_id, organizer_id=account.organizer_id,
    )  # fmt: skip
