"""The fault suite's short run, as CI makes it: the allocation killed outright, the broker
stopped, PostgreSQL restarted, each under bookings and an invitation fan-out; every invariant
holds after each, and each row says it caught up."""

import subprocess
import sys

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.faults]


@pytest.mark.timeout(600)
def test_the_short_fault_run_keeps_every_invariant() -> None:
    # In a temporary directory of its own, not pytest's: as root, PostgreSQL runs as another
    # user, and every pytest session on the machine makes pytest-of-root unreadable to others.
    run = subprocess.run(
        [sys.executable, "-m", "kulturbro_cli", "faults", "--short"],
        capture_output=True,
        text=True,
        timeout=580,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    table = [line for line in run.stdout.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 3, report  # the heading, its rule, one row per fault
    assert "never" not in run.stdout, report
