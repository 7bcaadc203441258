"""Errors as RFC 9457 problem documents with a message a person can act on."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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
    return problem(error.status_code, str(error.detail))


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = [
        {"field": _field(tuple(e["loc"])), "message": e["msg"].removeprefix("Value error, ")}
        for e in error.errors()
    ]
    detail = "; ".join(f"{p['field'] or 'request'}: {p['message']}" for p in problems)
    return problem(422, detail, errors=problems)


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(500, "something went wrong on our side; it has been logged, please try again")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
