#!/usr/bin/env python3
"""Write deploy/schemas/keda-scaledobject.json, the JSON schema deploy/conventions.py holds
every KEDA ScaledObject to (kubernetes-validate knows no KEDA kinds).

Neither KEDA's Helm chart nor its release YAML is published as a PyPI or npm package; the
package cloudcoil-models-keda is, with pydantic models generated from KEDA 2.16's CRDs. The
schema is those models' JSON schema, made strict as `kubectl apply --validate=strict` is: a
field the CRD does not know is refused. To refresh it, in a scratch venv:

    pip install cloudcoil-models-keda==2.16.1.0 && python deploy/keda_schema.py
"""

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "schemas" / "keda-scaledobject.json"


def strict(schema):
    if isinstance(schema, dict):
        if "properties" in schema:
            schema.setdefault("additionalProperties", False)
        for value in schema.values():
            strict(value)
    elif isinstance(schema, list):
        for value in schema:
            strict(value)
    return schema


def main():
    from cloudcoil.models.keda.v1alpha1 import ScaledObject

    schema = strict(ScaledObject.model_json_schema(by_alias=True))
    schema["$comment"] = "from cloudcoil-models-keda 2.16.1.0 by deploy/keda_schema.py"
    OUT.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
