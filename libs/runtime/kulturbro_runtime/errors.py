"""Errors as RFC 9457 problem documents with a message a person can act on."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def problem(status: int, detail: str, **extra: object) -> JSONResponse:
    body = {"type": "about:blank", "status": status, "detail": detail} | extra
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _field(location: tuple[object, ...]) -> str:
    return ".".join(str(part) for part in location if part not in ("body", "query", "path"))


async def _http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    response = problem(error.status_code, str(error.detail))
    response.headers.update(error.headers or {})  # e.g. Retry-After on 429
    return response


# Pydantic's bound errors, said with the bound and the value sent.
BOUNDS = {
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "more than"),
}


def _message(error: Any, body: Any) -> str:
    kind, context = error["type"], error.get("ctx") or {}
    if kind == "json_invalid":
        # FastAPI puts the character offset where the field would be; say line and column.
        offset = error["loc"][-1]
        if isinstance(body, str | bytes) and isinstance(offset, int):
            text = body if isinstance(body, str) else body.decode(errors="replace")
            line = text.count("\n", 0, offset) + 1
            column = offset - text.rfind("\n", 0, offset)
            where = f" (at line {line}, column {column})"
        else:
            where = ""
        reason = context.get("error", "")
        return f"the body is not valid JSON{where}" + (f": {reason}" if reason else "")
    if kind in BOUNDS:
        key, words = BOUNDS[kind]
        sent = str(error.get("input"))
        sent = sent if len(sent) <= 40 else sent[:37] + "..."
        return f"must be {words} {context[key]}, not {sent}"
    return str(error["msg"]).removeprefix("Value error, ")


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems, said = [], []
    for e in error.errors():
        message = _message(e, error.body)
        if e["type"] == "json_invalid":
            problems.append({"field": "", "message": message})
            said.append(message)
        else:
            field = _field(tuple(e["loc"]))
            problems.append({"field": field, "message": message})
            said.append(f"{field or 'request'}: {message}")
    detail = "; ".join(said)
    return problem(422, detail, errors=problems)


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(500, "something went wrong on our side; it has been logged, please try again")


async def answer_unexpected(request: Request, error: Exception) -> Response:
    """The app's answer to an exception no handler expected (the runtime's problem document, or
    a service's own, e.g. web's error page), given where the exception is caught."""
    handler = request.app.exception_handlers.get(Exception, _unexpected_error)
    response: Response = await handler(request, error)
    return response


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
