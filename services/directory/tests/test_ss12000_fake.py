"""The fake SS 12000 server serves what Skolverket's OpenAPI document allows, page by page."""

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from .ss12000_fake import RESOURCES, FakeSS12000, sample_school_year

SPEC = Path(__file__).with_name("ss12000_reference") / "skolverket-openapi.yml"
PAGE_SCHEMAS = {
    "organisations": "Organisations",
    "groups": "Groups",
    "persons": "Persons",
    "duties": "Duties",
    "activities": "Activities",
}


def as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 says `nullable: true` where JSON Schema says the type may be null."""
    if isinstance(node, dict):
        converted = {key: as_json_schema(value) for key, value in node.items()}
        if converted.pop("nullable", False) and "type" in converted:
            converted["type"] = [converted["type"], "null"]
        return converted
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    return node


def validator(schema_name: str) -> jsonschema.Draft7Validator:
    components = as_json_schema(yaml.safe_load(SPEC.read_text())["components"])
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": components}
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


async def pages(server: FakeSS12000, resource: str) -> list[dict[str, Any]]:
    transport = httpx.ASGITransport(app=server.app)
    headers = {"Authorization": f"Bearer {server.token}"}
    found, params = [], {}
    async with httpx.AsyncClient(transport=transport, base_url="http://ss12000") as client:
        while True:
            response = await client.get(f"/ss12000/{resource}", params=params, headers=headers)
            found.append(response.json())
            if not found[-1].get("pageToken"):
                return found
            params = {"pageToken": found[-1]["pageToken"]}


@pytest.mark.parametrize("resource", RESOURCES)
async def test_every_page_is_valid_against_the_specification(resource: str) -> None:
    server = FakeSS12000(sample_school_year().year, page_size=40)
    served = await pages(server, resource)
    check = validator(PAGE_SCHEMAS[resource])
    for page in served:
        problems = [f"{list(e.absolute_path)}: {e.message}" for e in check.iter_errors(page)]
        assert problems == [], json.dumps(page)[:500]
    assert sum(len(page.get("data", page.get("organisations", []))) for page in served) == len(
        getattr(server.year, resource)
    )


async def test_the_validation_would_catch_a_payload_the_specification_forbids() -> None:
    group = sample_school_year().year.groups[0] | {"groupType": "Kurs"}
    del group["organisation"]
    problems = list(validator("Groups").iter_errors({"data": [group], "pageToken": None}))
    assert {e.message for e in problems} == {
        "'organisation' is a required property",
        "'Kurs' is not one of ['Undervisning', 'Klass', 'Mentor', 'Provgrupp', 'Schema', "
        "'Avdelning', 'Personalgrupp', 'Övrigt']",
    }
