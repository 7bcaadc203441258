"""Reads an SS 12000 API with a bearer token, following pageToken, before anything is written."""

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from directory.progress import Progress, unobserved
from directory.ss12000.payloads import Activity, Duty, Group, Organisation, Person, SchoolData

PAGE_SIZE = 200
TIMEOUT_SECONDS = 30.0
M = TypeVar("M", bound=BaseModel)


class SS12000Error(Exception):
    """The SS 12000 server could not be read."""


class SS12000Refused(SS12000Error):
    """The server refused what it was given, a token or a URL, which the caller can correct."""


class SS12000Failed(SS12000Error):
    """The server failed, or answered what SS 12000 does not allow."""


async def fetch_school_data(url: str, token: str, progress: Progress = unobserved) -> SchoolData:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    async with httpx.AsyncClient(
        base_url=url.rstrip("/"), headers=headers, timeout=TIMEOUT_SECONDS
    ) as client:
        return SchoolData(
            organisations=await _read_all(client, "organisations", Organisation, progress),
            groups=await _read_all(client, "groups", Group, progress),
            persons=await _read_all(client, "persons", Person, progress),
            duties=await _read_all(client, "duties", Duty, progress),
            activities=await _read_all(client, "activities", Activity, progress),
        )


async def _read_all(
    client: httpx.AsyncClient, resource: str, model: type[M], progress: Progress
) -> list[M]:
    items: list[M] = []
    tokens_seen: set[str] = set()
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    page = 1
    while True:
        where = f"/{resource} page {page}"
        body = await _get(client, resource, params, where)
        items.extend(_parse(body, _items_key(resource, body), model, where))
        progress(f"reading {resource}", len(items))
        next_token = body.get("pageToken")
        if not next_token:
            return items
        if next_token in tokens_seen:
            raise SS12000Failed(f"the SS 12000 server repeated a pageToken on {where}")
        tokens_seen.add(next_token)
        params = {"limit": PAGE_SIZE, "pageToken": next_token}
        page += 1


def _items_key(resource: str, body: dict[str, Any]) -> str:
    """The SIS standard lists every resource under "data"; Skolverket's reference subset lists
    its organisations under "organisations" instead."""
    if resource == "organisations" and "data" not in body and "organisations" in body:
        return "organisations"
    return "data"


async def _get(
    client: httpx.AsyncClient, resource: str, params: dict[str, Any], where: str
) -> dict[str, Any]:
    try:
        response = await client.get(f"/{resource}", params=params)
    except httpx.TimeoutException as error:
        raise SS12000Failed(
            f"the SS 12000 server did not answer {where} within {TIMEOUT_SECONDS:.0f} s"
        ) from error
    except httpx.HTTPError as error:
        raise SS12000Failed(
            f"cannot reach the SS 12000 server at {client.base_url}: {error}"
        ) from error
    if response.status_code in (401, 403):
        raise SS12000Refused(
            f"the SS 12000 server refused the token (HTTP {response.status_code} on {where}); "
            "check that it is valid and may read organisations, groups, persons, duties "
            "and activities"
        )
    if response.status_code == 404:
        raise SS12000Refused(
            f"{client.base_url}/{resource} does not exist (HTTP 404); give the URL of the "
            "SS 12000 API, the part before /organisations"
        )
    if response.is_error:
        raise SS12000Failed(
            f"the SS 12000 server failed on {where} "
            f"(HTTP {response.status_code}: {_reason(response)})"
        )
    try:
        body = response.json()
    except ValueError as error:
        raise SS12000Failed(f"the SS 12000 server's answer to {where} is not JSON") from error
    if not isinstance(body, dict):
        raise SS12000Failed(f"the SS 12000 server's answer to {where} is not a JSON object")
    return body


def _parse(body: dict[str, Any], key: str, model: type[M], where: str) -> list[M]:
    try:
        return TypeAdapter(list[model]).validate_python(body.get(key))  # type: ignore[valid-type]
    except ValidationError as error:
        first = error.errors()[0]
        place = ".".join(str(part) for part in (key, *first["loc"]))
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise SS12000Failed(
            f"the SS 12000 server's answer to {where} does not follow SS 12000: "
            f"{place}: {first['msg']}{more}"
        ) from error


def _reason(response: httpx.Response) -> str:
    """Skolverket's Error document has a message; anything else is shown as it came."""
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        message = None
    return str(message or response.text[:200] or response.reason_phrase)
