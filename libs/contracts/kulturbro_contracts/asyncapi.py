"""Generates the AsyncAPI 3.0 document of every topic and event from the contract models.

`python -m kulturbro_contracts.asyncapi --write` refreshes the committed asyncapi.json.
"""

import json
import sys
from pathlib import Path
from typing import Any

from kulturbro_contracts.envelope import TOPIC_MAJOR_VERSION, dead_letter_topic, topic_name
from kulturbro_contracts.registry import EVENT_TYPES, STREAMS

COMMITTED = Path(__file__).with_name("asyncapi.json")


def _message_name(event_type: str, version: int) -> str:
    return f"{event_type}.v{version}"


def build_document() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for (event_type, version), cls in sorted(EVENT_TYPES.items()):
        name = _message_name(event_type, version)
        schema = cls.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
        messages[name] = {
            "name": event_type,
            "title": f"{event_type} (schema version {version})",
            "summary": (cls.__doc__ or "").strip() or f"{event_type} v{version}",
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{name}"},
            "bindings": {"kafka": {"key": {"type": "string", "description": "aggregate id"}}},
        }
    for stream in STREAMS:
        topic = topic_name(stream)
        names = [
            _message_name(t, v)
            for (t, v), cls in sorted(EVENT_TYPES.items())
            if cls.stream == stream
        ]
        channels[stream] = {
            "address": topic,
            "messages": {n: {"$ref": f"#/components/messages/{n}"} for n in names},
        }
        channels[f"{stream}-dead-letters"] = {
            "address": dead_letter_topic(topic),
            "description": "messages a consumer gave up on, with the reason in the headers",
        }
        operations[f"publish-{stream}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{stream}"},
            "summary": f"the {stream} service publishes its facts",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Kulturbro integration events",
            "version": f"{TOPIC_MAJOR_VERSION}.0.0",
            "description": "Every event that crosses a service boundary; keys keep one aggregate's "
            "events in order.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
    }


def render() -> str:
    return json.dumps(build_document(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        COMMITTED.write_text(render())
    else:
        sys.stdout.write(render())
