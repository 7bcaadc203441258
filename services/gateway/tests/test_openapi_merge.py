"""The combined API document: every service's paths under /api/NAME, schemas kept apart."""

from gateway.openapi import merge


def test_services_are_mounted_under_their_names_with_their_own_schemas() -> None:
    gateway = {"openapi": "3.1.0", "paths": {"/auth/me": {"get": {}}}, "components": {}}
    school = {"$ref": "#/components/schemas/School"}
    directory = {
        "paths": {
            "/schools": {"get": {"tags": ["units"], "responses": {"200": {"content": school}}}},
            "/healthz": {"get": {}},
        },
        "components": {"schemas": {"School": {"type": "object"}}},
    }
    catalog = {"paths": {}, "components": {"schemas": {"School": {"type": "string"}}}}
    document = merge(gateway, {"directory": directory, "catalog": catalog})
    assert set(document["paths"]) == {"/auth/me", "/api/directory/schools"}
    operation = document["paths"]["/api/directory/schools"]["get"]
    assert operation["tags"] == ["directory: units"]
    assert operation["responses"]["200"]["content"] == {
        "$ref": "#/components/schemas/directory.School"
    }
    assert document["components"]["schemas"]["directory.School"] == {"type": "object"}
    assert document["components"]["schemas"]["catalog.School"] == {"type": "string"}
    assert document["security"] == [{"bearer": []}]
