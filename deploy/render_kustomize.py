#!/usr/bin/env python3
"""Render a kustomization without kubectl/kustomize (for offline validation).

    python3 deploy/render_kustomize.py deploy/k8s/overlays/dev > dev.yaml

Supports only what deploy/k8s uses, and fails loudly on anything else:
  resources: manifest files inside the kustomization's folder, or folders
             holding a kustomization (e.g. ../../base), rendered recursively
  patches:   `- path: file.yaml` holding one partial resource, merged into the
             resource with the same apiVersion, kind and name; mappings merge
             key by key, scalars replace, null deletes; lists are refused
             because strategic-merge list semantics are not implemented
  configMapGenerator: `- name:` with `files:` (`path` or `key=path`, inside the
             kustomization's folder), and only with
             `generatorOptions: {disableNameSuffixHash: true}`
Resources come out in the order listed. deploy/validate.sh compares the
result with `kubectl kustomize` whenever kubectl or kustomize is installed.
"""

import sys
from pathlib import Path

import yaml

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SUPPORTED_KEYS = {
    "apiVersion",
    "kind",
    "resources",
    "patches",
    "configMapGenerator",
    "generatorOptions",
}


class RenderError(Exception):
    pass


def resource_id(doc):
    meta = doc.get("metadata") or {}
    return (doc.get("apiVersion"), doc.get("kind"), meta.get("namespace"), meta.get("name"))


def describe(rid):
    api_version, kind, namespace, name = rid
    return f"{kind}/{name}" + (f" in {namespace}" if namespace else "") + f" ({api_version})"


def load_documents(path):
    try:
        docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    except yaml.YAMLError as exc:
        raise RenderError(f"{path}: invalid YAML: {exc}") from None
    for doc in docs:
        if not isinstance(doc, dict) or not all(resource_id(doc)[i] for i in (0, 1, 3)):
            raise RenderError(f"{path}: every document needs apiVersion, kind and metadata.name")
    return docs


def merge(target, patch, where):
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, list):
            raise RenderError(
                f"{where}: patching lists ({key}) is not supported; use kubectl kustomize"
            )
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value, where)
        else:
            target[key] = value


def generate_config_maps(directory, where, spec):
    generators = spec.get("configMapGenerator") or []
    if generators and spec.get("generatorOptions") != {"disableNameSuffixHash": True}:
        raise RenderError(
            f"{where}: configMapGenerator needs generatorOptions: {{disableNameSuffixHash: true}}"
        )
    for generator in generators:
        if set(generator) != {"name", "files"}:
            raise RenderError(f"{where}: a configMapGenerator takes only name and files")
        data = {}
        for entry in generator["files"]:
            key, _, path = entry.rpartition("=")
            file = directory / path
            if directory.resolve() not in file.resolve().parents or not file.is_file():
                raise RenderError(f"{where}: {path!r} is not a file inside {directory}")
            data[key or file.name] = file.read_text()
        yield {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": generator["name"]},
            "data": data,
        }


def render(directory):
    directory = Path(directory)
    if not directory.is_dir():
        raise RenderError(f"{directory}: not a directory")
    files = [directory / n for n in KUSTOMIZATION_FILES if (directory / n).is_file()]
    if len(files) != 1:
        raise RenderError(
            f"{directory}: expected exactly one kustomization file, found {len(files)}"
        )
    spec = yaml.safe_load(files[0].read_text()) or {}
    unsupported = sorted(set(spec) - SUPPORTED_KEYS)
    if unsupported:
        raise RenderError(
            f"{files[0]}: unsupported keys {unsupported} (supported: {sorted(SUPPORTED_KEYS)})"
        )

    resources = {}  # resource id -> document; dicts keep insertion order
    for entry in spec.get("resources") or []:
        if (
            not isinstance(entry, str)
            or "://" in entry
            or entry.startswith(("git@", "github.com/"))
        ):
            raise RenderError(f"{files[0]}: only local resources are supported, got {entry!r}")
        path = directory / entry
        if path.is_dir():
            docs = render(path)
        elif path.is_file():
            if directory.resolve() not in path.resolve().parents:
                raise RenderError(
                    f"{files[0]}: file {entry!r} is outside {directory} (kustomize refuses it too)"
                )
            docs = load_documents(path)
        else:
            raise RenderError(f"{files[0]}: resource {entry!r} not found")
        for doc in docs:
            rid = resource_id(doc)
            if rid in resources:
                raise RenderError(f"{path}: duplicate resource {describe(rid)}")
            resources[rid] = doc

    for doc in generate_config_maps(directory, files[0], spec):
        resources[resource_id(doc)] = doc

    for entry in spec.get("patches") or []:
        if not isinstance(entry, dict) or set(entry) != {"path"}:
            raise RenderError(
                f"{files[0]}: only `- path: <file>` patches are supported, got {entry!r}"
            )
        path = directory / entry["path"]
        if not path.is_file():
            raise RenderError(f"{files[0]}: patch {entry['path']!r} not found")
        docs = load_documents(path)
        if len(docs) != 1:
            raise RenderError(f"{path}: a patch file must hold exactly one document")
        rid = resource_id(docs[0])
        if rid not in resources:
            raise RenderError(f"{path}: patch target {describe(rid)} not found")
        merge(resources[rid], docs[0], str(path))

    return list(resources.values())


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} KUSTOMIZATION_DIR", file=sys.stderr)
        return 2
    try:
        docs = render(argv[1])
    except RenderError as exc:
        print(f"render_kustomize: {exc}", file=sys.stderr)
        return 1
    yaml.safe_dump_all(docs, sys.stdout, sort_keys=False, default_flow_style=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
