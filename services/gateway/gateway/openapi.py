"""One OpenAPI document for clients: the gateway's own paths and every service's under /api/NAME."""

import logging
from typing import Any

import httpx
from fastapi import FastAPI

log = logging.getLogger(__name__)
SCHEMA_REF = "#/components/schemas/"


def _renamed(node: Any, prefix: str) -> Any:
    """The node with every schema reference renamed to the service's own namespace."""
    if isinstance(node, dict):
        return {
            key: (
                SCHEMA_REF + prefix + value.removeprefix(SCHEMA_REF)
                if key == "$ref" and isinstance(value, str) and value.startswith(SCHEMA_REF)
                else _renamed(value, prefix)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_renamed(item, prefix) for item in node]
    return node


def merge(gateway: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    document = dict(gateway)
    paths = dict(document.get("paths", {}))
    schemas = dict(document.get("components", {}).get("schemas", {}))
    for name, spec in sorted(services.items()):
        prefix = f"{name}."
        for path, operations in _renamed(spec.get("paths", {}), prefix).items():
            if path in ("/healthz", "/readyz"):
                continue
            for operation in operations.values():
                if isinstance(operation, dict):
                    operation["tags"] = [f"{name}: {tag}" for tag in operation.get("tags", [name])]
            paths[f"/api/{name}{path}"] = operations
        for schema_name, schema in spec.get("components", {}).get("schemas", {}).items():
            schemas[prefix + schema_name] = _renamed(schema, prefix)
    document["paths"] = paths
    document["components"] = {**document.get("components", {}), "schemas": schemas}
    document["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    document["security"] = [{"bearer": []}]
    return document


async def combined_document(app: FastAPI) -> dict[str, Any]:
    client: httpx.AsyncClient = app.state.upstream
    services: dict[str, dict[str, Any]] = {}
    for name, url in app.state.settings.gateway_routes.items():
        try:
            response = await client.get(f"{str(url).rstrip('/')}/openapi.json")
            response.raise_for_status()
            services[name] = response.json()
        except httpx.HTTPError as error:
            log.warning("left %s out of the API document: %s", name, error)
    return merge(app.openapi(), services)
