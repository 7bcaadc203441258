"""Refusals of bad input say what is wrong where, in words a client can act on."""

from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Query
from pydantic import BaseModel, Field

from kulturbro_runtime.errors import install_error_handlers


class Occurrence(BaseModel):
    capacity: int = Field(ge=1, le=10_000)
    share: float = Field(default=0.5, gt=0, lt=1)


def an_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/occurrences")
    async def add(occurrence: Occurrence) -> Occurrence:
        return occurrence

    @app.get("/occurrences")
    async def listed(limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[Any]:
        return []

    return app


async def refusal(method: str, url: str, **request: Any) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=an_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        answer = await client.request(method, url, **request)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    return dict(answer.json())


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b'{"capacity": 30,, "share": 0.5}',
            "the body is not valid JSON (at line 1, column 17): "
            "Expecting property name enclosed in double quotes",
        ),
        (
            b'{\n  "capacity": 30\n  "share": 0.5\n}',
            "the body is not valid JSON (at line 3, column 3): Expecting ',' delimiter",
        ),
        (b"capacity=30", "the body is not valid JSON (at line 1, column 1): Expecting value"),
    ],
)
async def test_malformed_json_is_named_by_line_and_column_not_as_a_field(
    body: bytes, expected: str
) -> None:
    refused = await refusal(
        "POST", "/occurrences", content=body, headers={"Content-Type": "application/json"}
    )
    assert refused["detail"] == expected
    assert refused["errors"] == [{"field": "", "message": expected}]


async def test_a_number_out_of_bounds_is_refused_naming_the_field_the_bound_and_the_value() -> None:
    refused = await refusal("POST", "/occurrences", json={"capacity": 2**31, "share": 1})
    assert refused["detail"] == (
        "capacity: must be at most 10000, not 2147483648; share: must be less than 1.0, not 1"
    )
    assert [e["field"] for e in refused["errors"]] == ["capacity", "share"]
    assert (await refusal("POST", "/occurrences", json={"capacity": 0}))["detail"] == (
        "capacity: must be at least 1, not 0"
    )


async def test_a_query_parameter_out_of_bounds_is_refused_naming_it() -> None:
    refused = await refusal("GET", "/occurrences", params={"limit": "9" * 60})
    assert refused["detail"] == f"limit: must be at most 500, not {'9' * 37}..."
