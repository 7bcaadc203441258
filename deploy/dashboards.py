#!/usr/bin/env python3
"""Kulturbro's Grafana dashboards as code: one overview and one per service, written as
Grafana dashboard JSON into deploy/observability/grafana/dashboards/ (provisioned at start).

    python3 deploy/dashboards.py --write     # after changing this file
    python3 deploy/dashboards.py             # exits 1 if the committed JSON is not what it makes

Queries use only the metrics the services export (deploy/check_dashboards.py checks that).
"""

import json
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "observability" / "grafana" / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
SERVICES = (
    "gateway",
    "directory",
    "catalog",
    "booking",
    "allocation",
    "transport",
    "notify",
    "stats",
    "web",
)
WINDOW = "5m"
DECISIONS = "SeatsAllocated|BookingWaitlisted|BookingRejected"


def panel(title, exprs, unit="short", legend="{{service}}", kind="timeseries"):
    """A panel and its queries; its id and place on the grid are given by `dashboard`."""
    exprs = [exprs] if isinstance(exprs, str) else exprs
    targets = []
    for n, expr in enumerate(exprs):
        query, shown = expr if isinstance(expr, tuple) else (expr, legend)
        targets.append(
            {"refId": chr(ord("A") + n), "expr": query, "legendFormat": shown}
            | {"datasource": DATASOURCE}
        )
    return {
        "type": kind,
        "title": title,
        "datasource": DATASOURCE,
        "targets": targets,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
    }


def dashboard(uid, title, panels, tags=()):
    width, height = 12, 8
    for n, p in enumerate(panels):
        p["id"] = n + 1
        p["gridPos"] = {"h": height, "w": width, "x": (n % 2) * width, "y": (n // 2) * height}
    return {
        "uid": uid,
        "title": title,
        "tags": ["kulturbro", *tags],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "annotations": {"list": []},
        "templating": {"list": []},
        "panels": panels,
    }


def http_rate(selector=""):
    return f"rate(kulturbro_http_request_seconds_count{selector}[{WINDOW}])"


def overview():
    errors = '{status=~"5.."}'
    return dashboard(
        "kulturbro-overview",
        "Kulturbro overview",
        [
            panel("Requests per service", f"sum by (service) ({http_rate()})", "reqps"),
            panel(
                "HTTP errors (5xx share) per service",
                f"sum by (service) ({http_rate(errors)}) / sum by (service) ({http_rate()})",
                "percentunit",
            ),
            panel(
                "HTTP latency p99 per service",
                "histogram_quantile(0.99, sum by (service, le) "
                f"(rate(kulturbro_http_request_seconds_bucket[{WINDOW}])))",
                "s",
            ),
            panel(
                "Event handler failures per service",
                f"sum by (service) (rate(kulturbro_handler_errors_total[{WINDOW}]))",
                "ops",
            ),
            panel(
                "Consumer lag per service",
                [
                    ("sum by (service) (kulturbro_consumer_lag)", "{{service}} waiting"),
                    (
                        "max by (service) (kulturbro_consumer_oldest_seconds)",
                        "{{service}} oldest s",
                    ),
                ],
            ),
            panel(
                "Outbox backlog per service",
                [
                    ("max by (service) (kulturbro_outbox_backlog)", "{{service}} waiting"),
                    ("max by (service) (kulturbro_outbox_oldest_seconds)", "{{service}} oldest s"),
                ],
            ),
            panel(
                "Dead letters (last hour)",
                "sum by (service, topic) (increase(kulturbro_dead_letters_total[1h]))",
                legend="{{service}} {{topic}}",
            ),
            panel(
                "Bookings decided",
                "sum by (event_type) (rate(kulturbro_handler_seconds_count"
                f'{{service="booking", event_type=~"{DECISIONS}", outcome="ok"}}[{WINDOW}]))',
                "ops",
                legend="{{event_type}}",
            ),
            panel(
                "Mails sent and failed",
                f"sum by (outcome) (rate(kulturbro_mails_total[{WINDOW}]))",
                "ops",
                legend="{{outcome}}",
            ),
            panel(
                "Draws run, and how overdue the next is",
                [
                    ("sum(increase(kulturbro_draws_total[1h]))", "draws in the last hour"),
                    ("max(kulturbro_draw_overdue_seconds)", "oldest undrawn window, s"),
                ],
            ),
            panel("Pods up per service", 'sum by (app) (up{job="kulturbro"})', legend="{{app}}"),
        ],
    )


def for_service(name):
    own = f'{{service="{name}"}}'
    panels = [
        panel(
            "Requests by route",
            f"sum by (route) (rate(kulturbro_http_request_seconds_count{own}[{WINDOW}]))",
            "reqps",
            legend="{{route}}",
        ),
        panel(
            "Responses by status",
            f"sum by (status) (rate(kulturbro_http_request_seconds_count{own}[{WINDOW}]))",
            "reqps",
            legend="{{status}}",
        ),
        panel(
            "HTTP latency p50 and p99",
            [
                (
                    f"histogram_quantile({q}, sum by (le) "
                    f"(rate(kulturbro_http_request_seconds_bucket{own}[{WINDOW}])))",
                    f"p{round(q * 100)}",
                )
                for q in (0.5, 0.99)
            ],
            "s",
        ),
        panel(
            "Event handler latency p99",
            "histogram_quantile(0.99, sum by (event_type, le) "
            f"(rate(kulturbro_handler_seconds_bucket{own}[{WINDOW}])))",
            "s",
            legend="{{event_type}}",
        ),
        panel(
            "Event handler failures",
            f"sum by (event_type) (rate(kulturbro_handler_errors_total{own}[{WINDOW}]))",
            "ops",
            legend="{{event_type}}",
        ),
        panel(
            "Consumer lag by topic",
            [
                (f"sum by (topic) (kulturbro_consumer_lag{own})", "{{topic}} waiting"),
                (f"max by (topic) (kulturbro_consumer_oldest_seconds{own})", "{{topic}} oldest s"),
            ],
        ),
        panel(
            "Outbox",
            [
                (f"max(kulturbro_outbox_backlog{own})", "waiting"),
                (f"max(kulturbro_outbox_oldest_seconds{own})", "oldest, s"),
                (f"sum(rate(kulturbro_outbox_published_total{own}[{WINDOW}]))", "published/s"),
            ],
        ),
        panel(
            "Dead letters (last hour)",
            f"sum by (topic) (increase(kulturbro_dead_letters_total{own}[1h]))",
            legend="{{topic}}",
        ),
        panel("Pods up", f'sum(up{{job="kulturbro", app="{name}"}})', legend="up"),
    ]
    panels += OWN_PANELS.get(name, [])
    return dashboard(f"kulturbro-{name}", f"Kulturbro {name}", panels, tags=[name])


OWN_PANELS = {
    "booking": [
        panel(
            "Decisions recorded",
            "sum by (event_type) (rate(kulturbro_handler_seconds_count"
            f'{{service="booking", event_type=~"{DECISIONS}", outcome="ok"}}[{WINDOW}]))',
            "ops",
            legend="{{event_type}}",
        )
    ],
    "allocation": [
        panel(
            "Draws run, and how overdue the next is",
            [
                ("sum(increase(kulturbro_draws_total[1h]))", "draws in the last hour"),
                ("max(kulturbro_draw_overdue_seconds)", "oldest undrawn window, s"),
            ],
        )
    ],
    "notify": [
        panel(
            "Mails by outcome",
            f"sum by (outcome) (rate(kulturbro_mails_total[{WINDOW}]))",
            "ops",
            legend="{{outcome}}",
        )
    ],
    "stats": [
        panel(
            "Projection lag p99 (fact to statistics)",
            "histogram_quantile(0.99, sum by (le) "
            f"(rate(kulturbro_stats_projection_lag_seconds_bucket[{WINDOW}])))",
            "s",
            legend="p99",
        )
    ],
}


def dashboards():
    made = {"overview.json": overview()}
    made |= {f"{name}.json": for_service(name) for name in SERVICES}
    return {name: json.dumps(board, indent=2) + "\n" for name, board in made.items()}


def main(argv):
    made = dashboards()
    if argv[1:] == ["--write"]:
        FOLDER.mkdir(parents=True, exist_ok=True)
        for stale in set(p.name for p in FOLDER.glob("*.json")) - set(made):
            (FOLDER / stale).unlink()
        for name, text in made.items():
            (FOLDER / name).write_text(text)
        return 0
    committed = {p.name: p.read_text() for p in FOLDER.glob("*.json")}
    if committed != made:
        print(
            "FAIL  deploy/observability/grafana/dashboards: not what deploy/dashboards.py "
            "makes; run python3 deploy/dashboards.py --write"
        )
        return 1
    print(
        f"ok    deploy/observability/grafana/dashboards: {len(made)} made by deploy/dashboards.py"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
