"""The in-process measurements (bench.inprocess, and bench.instructions under valgrind) run through and report every request.

Figures are never asserted, only that each request and the drain were
measured and the ratios printed: what they measure is the product's real
sign, confirm and count paths against PostgreSQL, Redis and an SMTP sink.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench.inprocess import REQUEST_LABELS
from bench.instructions import read_dumps, report

from .databases import database_exists

BASE_DIR = Path(__file__).resolve().parents[2]


def tool_environment() -> dict:
    parts = urlsplit(os.environ["DATABASE_URL"])
    database_url = urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_inprocess_bench"))
    return {**os.environ, "DATABASE_URL": database_url}


def run_tool(module: str, requests: int) -> str:
    environment = tool_environment()
    completed = subprocess.run(
        [sys.executable, "-m", module, "--requests", str(requests)],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert not database_exists(environment["DATABASE_URL"]), "the tool left its database behind"
    return completed.stdout


@pytest.mark.slow
def test_inprocess_measures_each_request_its_baseline_and_the_drain():
    output = run_tool("bench.inprocess", 5)
    for label in REQUEST_LABELS:
        assert re.search(rf"^{label}: median \d+\.\d+ ms CPU per request", output, re.M), output
    assert re.search(r"^drain: \d+\.\d+ ms CPU per confirmation email, 35 emails", output, re.M), output
    assert "cost ratios (bare / product): sign POST" in output


@pytest.mark.slow
def test_instructions_counts_each_request_and_the_drain_under_callgrind():
    output = run_tool("bench.instructions", 2)
    for label in REQUEST_LABELS:
        assert re.search(rf"^{label}: \d+\.\d+ M instructions per request$", output, re.M), output
    assert re.search(r"^drain: \d+\.\d+ M instructions per email$", output, re.M), output
    assert re.search(r"^sign POST: bare / product \d\.\d+x$", output, re.M), output


@pytest.mark.unit
def test_counts_are_read_per_request_from_the_dumps_named_by_label(tmp_path):
    # Written in this order: the tenth dump sorts before the second by name alone.
    dumps = ((10, "sign x100", 620_000_000), (11, "bare-sign x100", 146_000_000), (9, "drain x40", 68_000_000))
    for pid_part, label, total in dumps:
        (tmp_path / f"callgrind.out.99.{pid_part}").write_text(
            f"# callgrind format\ndesc: Trigger: Client Request: {label}\n\nevents: Ir\nsummary: {total}\n\n\ntotals: {total}\n"
        )
    # The dump written when the program ends carries no label: not a figure.
    (tmp_path / "callgrind.out.99").write_text("desc: Trigger: Program termination\nsummary: 256182250\n")
    per_request = read_dumps(tmp_path)
    assert per_request == {"drain": 1_700_000, "sign": 6_200_000, "bare-sign": 1_460_000}
    assert report(per_request).splitlines() == [
        "drain: 1.700 M instructions per email",
        "sign: 6.200 M instructions per request",
        "bare-sign: 1.460 M instructions per request",
        "sign POST: bare / product 0.235x",
    ]
