"""Every path the gateway does not answer itself goes to the web's pages: the browser's cookies
and form posts in, the pages and their cookies out."""

import httpx
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from gateway.protection import client_key
from kulturbro_runtime import RuntimeDep
from kulturbro_runtime.client_address import CLIENT_ADDRESS_HEADER, sign_client_address

router = APIRouter(tags=["pages"])
FORWARDED_REQUEST_HEADERS = {
    "cookie",
    "content-type",
    "accept",
    "accept-language",
    "origin",
    "referer",
    "if-none-match",
    "accept-encoding",
    "x-correlation-id",
}
FORWARDED_RESPONSE_HEADERS = {
    "set-cookie",
    "content-type",
    "location",
    "cache-control",
    "etag",
    "content-disposition",
    "content-security-policy",
    "vary",
    "referrer-policy",
    "content-encoding",
    "x-correlation-id",
}


def _forwarded(name: str, allowed: set[str]) -> bool:
    lowered = name.lower()
    return lowered in allowed or lowered.startswith("hx-")


@router.api_route("/{path:path}", methods=["GET", "HEAD", "POST"], include_in_schema=False)
async def page(path: str, request: Request, runtime: RuntimeDep) -> Response:
    web = request.app.state.settings.web_url
    if web is None:
        raise HTTPException(404, "nothing here; the API is under /api/ (see /docs)")
    headers = [
        (k, v) for k, v in request.headers.items() if _forwarded(k, FORWARDED_REQUEST_HEADERS)
    ]
    # Signed, so the web can pass the browser's address back on its sign-in calls.
    headers.append(
        (CLIENT_ADDRESS_HEADER, sign_client_address(client_key(request), runtime.secret))
    )
    if "accept-encoding" not in request.headers:
        # Else httpx would ask for gzip on the browser's behalf.
        headers.append(("accept-encoding", "identity"))
    url = f"{str(web).rstrip('/')}{request.url.path}"
    client: httpx.AsyncClient = request.app.state.upstream
    outgoing = client.build_request(
        request.method, url, params=request.url.query, headers=headers, content=await request.body()
    )
    try:
        upstream = await client.send(outgoing, stream=True)
        try:
            # As the web sent it (its assets gzipped for this browser), not decoded by httpx;
            # a response already in memory (a mock transport's) has no raw stream left.
            in_memory = upstream.is_stream_consumed
            body = (
                upstream.content
                if in_memory
                else b"".join([chunk async for chunk in upstream.aiter_raw()])
            )
        finally:
            await upstream.aclose()
    except httpx.TimeoutException as error:
        raise HTTPException(504, "the pages did not answer in time; try again") from error
    except httpx.TransportError as error:
        raise HTTPException(503, "the pages are not reachable; try again shortly") from error
    response = Response(body, status_code=upstream.status_code)
    for name, value in upstream.headers.multi_items():
        if _forwarded(name, FORWARDED_RESPONSE_HEADERS):
            response.headers.append(name, value)
    return response
