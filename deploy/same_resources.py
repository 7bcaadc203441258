"""Whether two renderings of a kustomization hold the same resources; prints the difference."""

import difflib
import sys
from typing import Any

import yaml


def _key(resource: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = resource["metadata"]
    return (resource["apiVersion"], resource["kind"], meta.get("namespace") or "", meta["name"])


def _lines(path: str) -> list[str]:
    with open(path) as file:
        resources = [r for r in yaml.safe_load_all(file) if r]
    return yaml.safe_dump_all(sorted(resources, key=_key), sort_keys=True).splitlines()


def main(ours_path: str, theirs_path: str) -> int:
    ours, theirs = _lines(ours_path), _lines(theirs_path)
    if ours == theirs:
        return 0
    diff = difflib.unified_diff(theirs, ours, "reference", "render_kustomize.py", lineterm="")
    print("\n".join(list(diff)[:60]))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
