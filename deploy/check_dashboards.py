#!/usr/bin/env python3
"""Offline checks of the Grafana dashboards and Prometheus alert rules (deploy/validate.sh).

    python3 deploy/check_dashboards.py DATASOURCES.yml ALERTS.yml DASHBOARD.json...

Each dashboard must follow Grafana's dashboard JSON model as far as provisioning needs it: uid,
title, schemaVersion, time and panels; each panel a unique id, a type, a title and a gridPos
inside the 24 columns; each query panel a provisioned datasource and targets with unique refIds
and an expression. Every PromQL expression, in the dashboards and in the alert rules, may name
only the metrics the services export: prometheus_client metrics declared in libs/ and services/
(found by reading the source) and Prometheus's own `up`.
"""

import ast
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PANEL_TYPES = {"timeseries", "stat", "gauge", "bargauge", "table", "text", "row"}
WITHOUT_QUERIES = {"text", "row"}
FROM_PROMETHEUS = {"up"}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "group_left", "group_right"}
UID = re.compile(r"[A-Za-z0-9_-]{1,40}")
EXPOSED = {
    "Counter": ("_total",),
    "Gauge": ("",),
    "Histogram": ("_bucket", "_count", "_sum"),
    "Summary": ("", "_count", "_sum"),
}


def exported_metrics(root: Path = ROOT) -> set[str]:
    """The series names the services' prometheus_client metrics expose."""
    names = set(FROM_PROMETHEUS)
    for path in [*root.glob("libs/*/*/**/*.py"), *root.glob("services/*/*/**/*.py")]:
        if "/tests/" in path.as_posix():
            continue
        text = path.read_text()
        if "prometheus_client" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            kind = getattr(getattr(node, "func", None), "id", None)
            args = getattr(node, "args", None)
            if kind in EXPOSED and args and isinstance(args[0], ast.Constant):
                base = str(args[0].value).removesuffix("_total")
                names |= {base + suffix for suffix in EXPOSED[kind]}
    return names


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not its functions, labels or keywords)."""
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w.$])[A-Za-z_:][\w:]*", text):
        if text[match.end() :].lstrip().startswith("(") or match.group() in KEYWORDS:
            continue
        names.add(match.group())
    return names


def unknown_metrics(where: str, expr: str, exported: set[str]) -> list[str]:
    if not expr.strip():
        return [f"{where}: empty expression"]
    unknown = sorted(metric_names(expr) - exported)
    return [f"{where}: no service exports {', '.join(unknown)}"] if unknown else []


def check_dashboard(path: Path, datasources: set[str], exported: set[str]) -> list[str]:
    try:
        board = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        return [f"{path.name}: not JSON: {error}"]
    problems = []
    for key, kind in (("uid", str), ("title", str), ("schemaVersion", int), ("panels", list)):
        if not isinstance(board.get(key), kind):
            problems.append(f"{path.name}: needs {key} ({kind.__name__})")
    if problems:
        return problems
    if not UID.fullmatch(board["uid"]):
        problems.append(f"{path.name}: uid must be 1-40 letters, digits, - or _")
    if not {"from", "to"} <= set(board.get("time") or {}):
        problems.append(f"{path.name}: needs time.from and time.to")
    ids: set[object] = set()
    for n, panel in enumerate(board["panels"]):
        where = f"{path.name} panel {panel.get('id', n)} ({panel.get('title', '?')})"
        if not isinstance(panel.get("id"), int) or panel["id"] in ids:
            problems.append(f"{where}: needs an id of its own (an integer)")
        ids.add(panel.get("id"))
        if panel.get("type") not in PANEL_TYPES:
            problems.append(f"{where}: type must be one of {sorted(PANEL_TYPES)}")
        if not panel.get("title"):
            problems.append(f"{where}: needs a title")
        grid = panel.get("gridPos") or {}
        if not all(isinstance(grid.get(k), int) for k in "hwxy") or grid["x"] + grid["w"] > 24:
            problems.append(f"{where}: gridPos needs integers h, w, x, y with x + w <= 24")
        if panel.get("type") in WITHOUT_QUERIES:
            continue
        if (panel.get("datasource") or {}).get("uid") not in datasources:
            problems.append(f"{where}: datasource must be a provisioned one {sorted(datasources)}")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{where}: needs targets")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs) or not all(refs):
            problems.append(f"{where}: every target needs a refId of its own")
        for target in targets:
            problems += unknown_metrics(
                f"{where} target {target.get('refId')}", str(target.get("expr", "")), exported
            )
    return problems


def check_alerts(path: Path, exported: set[str]) -> list[str]:
    rules = yaml.safe_load(path.read_text()) or {}
    return [
        problem
        for group in rules.get("groups") or []
        for rule in group.get("rules") or []
        for problem in unknown_metrics(
            f"{path.name} {rule.get('alert') or rule.get('record')}", str(rule["expr"]), exported
        )
    ]


def provisioned_datasources(path: Path) -> set[str]:
    return {d["uid"] for d in (yaml.safe_load(path.read_text()) or {}).get("datasources") or []}


def main(argv: list[str]) -> int:
    if len(argv) < 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    exported = exported_metrics()
    datasources = provisioned_datasources(Path(argv[1]))
    problems = check_alerts(Path(argv[2]), exported)
    boards = [Path(p) for p in argv[3:]]
    uids: dict[str, str] = {}
    for board in boards:
        problems += check_dashboard(board, datasources, exported)
        try:
            uid = str(json.loads(board.read_text()).get("uid"))
        except json.JSONDecodeError:
            continue
        if uid in uids:
            problems.append(f"{board.name}: uid {uid} is {uids[uid]}'s too")
        uids.setdefault(uid, board.name)
    if problems:
        print("\n".join("      " + p for p in problems))
        print(f"FAIL  dashboards and alert rules: {len(problems)} problem(s)")
        return 1
    print(
        f"ok    {len(boards)} dashboards (Grafana JSON model) and the alert rules name only "
        f"the {len(exported)} series the services export"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
