"""deploy/check_dashboards.py passes the committed dashboards and alert rules, and fails a
dashboard that breaks Grafana's JSON model or queries a metric no service exports."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OBSERVABILITY = ROOT / "deploy" / "observability"
DATASOURCES = OBSERVABILITY / "grafana" / "provisioning" / "datasources" / "datasources.yml"
ALERTS = OBSERVABILITY / "prometheus" / "alerts.yml"
_spec = importlib.util.spec_from_file_location(
    "check_dashboards", ROOT / "deploy" / "check_dashboards.py"
)
assert _spec and _spec.loader
checker = importlib.util.module_from_spec(_spec)
sys.modules["check_dashboards"] = checker
_spec.loader.exec_module(checker)

BOARDS = sorted((OBSERVABILITY / "grafana" / "dashboards").glob("*.json"))


def run(*boards: Path) -> int:
    return int(checker.main(["check", str(DATASOURCES), str(ALERTS), *map(str, boards)]))


def test_the_committed_dashboards_and_alert_rules_pass() -> None:
    assert len(BOARDS) == 10
    assert run(*BOARDS) == 0


def test_the_metrics_the_services_export_are_found_in_their_source() -> None:
    exported = checker.exported_metrics()
    assert {
        "kulturbro_http_request_seconds_bucket",
        "kulturbro_dead_letters_total",
        "kulturbro_mails_total",
        "kulturbro_draws_total",
        "kulturbro_draw_overdue_seconds",
        "kulturbro_stats_projection_lag_seconds_count",
        "up",
    } <= exported
    assert "kulturbro_dead_letters" not in exported


def test_a_promql_expression_names_its_metrics_only() -> None:
    expr = (
        "histogram_quantile(0.99, sum by (service, le) (rate(kulturbro_http_request_seconds_bucket"
        '{status=~"5..", route="/by"}[5m] offset 10m))) / on(service) group_left up > bool 1e3'
    )
    assert checker.metric_names(expr) == {"kulturbro_http_request_seconds_bucket", "up"}


def _broken(tmp_path: Path, breaks) -> Path:
    board = json.loads((OBSERVABILITY / "grafana" / "dashboards" / "notify.json").read_text())
    breaks(board)
    path = tmp_path / "notify.json"
    path.write_text(json.dumps(board))
    return path


@pytest.mark.parametrize(
    ("breaks", "says"),
    [
        (
            lambda b: b["panels"][0]["targets"][0].update(expr="rate(mails_sent_total[5m])"),
            "no service exports mails_sent_total",
        ),
        (lambda b: b["panels"][1].update(id=b["panels"][0]["id"]), "needs an id of its own"),
        (lambda b: b["panels"][0].update(datasource={"uid": "nowhere"}), "datasource must be"),
        (lambda b: b["panels"][0].update(targets=[]), "needs targets"),
        (lambda b: b["panels"][0]["gridPos"].update(x=20), "x + w <= 24"),
        (lambda b: b.pop("uid"), "needs uid"),
    ],
)
def test_a_broken_dashboard_fails(tmp_path: Path, capsys, breaks, says: str) -> None:
    assert run(_broken(tmp_path, breaks)) == 1
    assert says in capsys.readouterr().out


def test_two_dashboards_with_one_uid_fail(tmp_path: Path, capsys) -> None:
    twin = tmp_path / "twin.json"
    twin.write_text((OBSERVABILITY / "grafana" / "dashboards" / "notify.json").read_text())
    assert run(OBSERVABILITY / "grafana" / "dashboards" / "notify.json", twin) == 1
    assert "uid kulturbro-notify is notify.json's too" in capsys.readouterr().out
