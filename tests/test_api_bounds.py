"""Every number a client may send to any service has a lower and an upper bound in the API
document, so it is checked at the door instead of overflowing a column (a 500)."""

from typing import Any

import pytest
from fastapi import FastAPI

from kulturbro_cli.services import SERVICE_NAMES, load_service

NUMBERS = ("integer", "number")


def api_document(name: str) -> dict[str, Any]:
    """The service's API document from its routers alone: no settings, no servers."""
    app = FastAPI()
    for router in load_service(name).routers:
        app.include_router(router)
    return app.openapi()


def unbounded(document: dict[str, Any], node: dict[str, Any], where: str) -> list[str]:
    """Where in this schema a number lacks a bound on either side."""
    while "$ref" in node:
        node = document["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    found = []
    for choice in (*node.get("anyOf", ()), *node.get("oneOf", ()), *node.get("allOf", ())):
        found += unbounded(document, choice, where)
    if node.get("type") in NUMBERS:
        lower = "minimum" in node or "exclusiveMinimum" in node
        upper = "maximum" in node or "exclusiveMaximum" in node
        if not (lower and upper):
            found.append(where)
    if isinstance(node.get("items"), dict):
        found += unbounded(document, node["items"], f"{where}[]")
    for name, child in node.get("properties", {}).items():
        found += unbounded(document, child, f"{where}.{name}")
    if isinstance(node.get("additionalProperties"), dict):
        found += unbounded(document, node["additionalProperties"], f"{where}{{}}")
    return found


def inputs(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Each parameter and request body of each operation, with where it is."""
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            at = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                found.append((f"{at} {parameter['in']} {parameter['name']}", parameter["schema"]))
            for kind, content in operation.get("requestBody", {}).get("content", {}).items():
                found.append((f"{at} body ({kind})", content["schema"]))
    return found


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_every_number_a_client_sends_is_bounded_on_both_sides(name: str) -> None:
    document = api_document(name)
    missing = [
        place for where, schema in inputs(document) for place in unbounded(document, schema, where)
    ]
    assert missing == [], f"{name}: numbers without both bounds: " + ", ".join(missing)


def test_the_search_finds_an_unbounded_number() -> None:
    document = {
        "components": {"schemas": {"Plan": {"properties": {"seats": {"type": "integer"}}}}},
        "paths": {
            "/plans": {
                "post": {
                    "parameters": [
                        {
                            "in": "query",
                            "name": "page",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 9},
                        }
                    ],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Plan"},
                                }
                            }
                        }
                    },
                }
            }
        },
    }
    places = [p for where, schema in inputs(document) for p in unbounded(document, schema, where)]
    assert places == ["POST /plans body (application/json)[].seats"]
