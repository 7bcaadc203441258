"""Signing in and out: who may have tokens, and rotating them."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.db import Account, RefreshToken
from gateway.settings import GatewaySettings
from gateway.tokens import TokenPair, issue_access_token, new_opaque_token, token_hash


async def issue_tokens(
    session: AsyncSession, account: Account, settings: GatewaySettings
) -> TokenPair:
    refresh, refresh_hash = new_opaque_token()
    expires = datetime.now(UTC) + timedelta(days=settings.refresh_token_days)
    session.add(RefreshToken(token_hash=refresh_hash, account_id=account.id, expires_at=expires))
    secret = settings.kulturbro_secret_key.get_secret_value()
    return TokenPair(
        access_token=issue_access_token(account, secret, settings.access_token_minutes),
        refresh_token=refresh,
        expires_in=settings.access_token_minutes * 60,
    )


async def active_account_by_email(session: AsyncSession, email: str) -> Account | None:
    found = await session.exec(select(Account).where(Account.email == email.lower()))
    account = found.first()
    return account if account is not None and account.active else None


async def take_refresh_token(session: AsyncSession, token: str) -> UUID | None:
    """Revoke a live refresh token and return its account: each one is good for one use."""
    row = await session.get(RefreshToken, token_hash(token), with_for_update=True)
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None or row.expires_at < now:
        return None
    row.revoked_at = now
    return row.account_id
