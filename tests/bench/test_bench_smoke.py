"""`make bench` in its seconds-long mode, so the harness cannot rot unnoticed.

It starts the whole production configuration (granian, Celery worker and
beat, an SMTP sink) on loopback against its own database, runs every
scenario briefly and prints the table. Figures are never asserted: only that
it completes, prints every row, and leaves nothing running behind it.
"""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from .databases import database_exists

pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parents[2]


def bench_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_benchsmoke"))


def test_it_runs_every_scenario_in_quick_mode_prints_the_table_and_stops_what_it_started():
    database_url = bench_database_url()
    env = {
        **os.environ,
        "BENCH_QUICK": "1",
        "BENCH_DATABASE_URL": database_url,
        "BENCH_REDIS_URL": os.environ["REDIS_URL"],
    }
    completed = subprocess.run(
        [sys.executable, "-m", "bench.run"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = completed.stdout
    assert completed.returncode == 0, output[-3000:] + completed.stderr[-3000:]
    assert "| scenario | figure (median [min–max] of runs) | baseline in the same run | ratio | target | verdict |" in output
    for scenario in (
        "| sign (GET form + POST)",
        "| count API",
        "| petition page (GET)",
        "| confirm (click the emailed link)",
        "| end to end (sign → email → click)",
        "| end to end against the bare flows beside it",
        "| email latency (signed → confirmation in the sink)",
        "| count freshness at peak load",
        "| sign path at ",
        "| count path (",
        "| admin at ",
        "| export ",
    ):
        assert scenario in output, f"missing row {scenario!r}:\n{output[-3000:]}"
    assert "the run failed" not in output
    assert "stopped every service the benchmark started" in output

    port = int(re.search(r"stack up: granian \d+ workers on http://127\.0\.0\.1:(\d+)", output).group(1))
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    assert not database_exists(database_url)
