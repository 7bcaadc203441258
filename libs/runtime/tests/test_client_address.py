"""A browser's address, signed by the gateway, comes back only as the gateway signed it."""

import pytest

from kulturbro_runtime.client_address import (
    CLIENT_ADDRESS_LIFETIME_SECONDS,
    InvalidClientAddress,
    sign_client_address,
    verify_client_address,
)

SECRET = "a-secret-that-is-long-enough-for-tests"


def test_a_signed_address_reads_back_ipv4_and_ipv6() -> None:
    for address in ("10.1.2.3", "2001:db8::1"):
        assert verify_client_address(sign_client_address(address, SECRET), SECRET) == address


@pytest.mark.parametrize(
    "forged",
    [
        "10.1.2.3",
        "",
        "10.9.9.9|9999999999|" + "0" * 64,
    ],
)
def test_an_unsigned_or_forged_address_is_refused(forged: str) -> None:
    with pytest.raises(InvalidClientAddress):
        verify_client_address(forged, SECRET)


def test_an_address_changed_after_signing_or_signed_with_another_secret_is_refused() -> None:
    signed = sign_client_address("10.1.2.3", SECRET)
    with pytest.raises(InvalidClientAddress):
        verify_client_address(signed.replace("10.1.2.3", "10.1.2.4"), SECRET)
    with pytest.raises(InvalidClientAddress):
        verify_client_address(signed, SECRET + "x")


def test_an_old_signature_is_refused() -> None:
    signed = sign_client_address("10.1.2.3", SECRET, now=1_000_000)
    assert verify_client_address(signed, SECRET, now=1_000_000 + 10) == "10.1.2.3"
    with pytest.raises(InvalidClientAddress, match="expired"):
        verify_client_address(signed, SECRET, now=1_000_001 + CLIENT_ADDRESS_LIFETIME_SECONDS)
