"""The fault suite's short run, as CI makes it: the allocation killed outright, the broker and
Redis stopped, PostgreSQL restarted, each under bookings and an invitation fan-out; every
invariant holds after each, and each row says it caught up."""

import subprocess
import sys

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.faults]


@pytest.mark.timeout(600)
def test_the_short_fault_run_keeps_every_invariant(tmp_path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "kulturbro_cli", "faults", "--short", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=580,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    table = [line for line in run.stdout.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 4, report  # the heading, its rule, one row per fault
    assert "never" not in run.stdout, report
