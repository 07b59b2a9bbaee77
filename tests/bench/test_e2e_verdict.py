"""The end-to-end row is met only when issue 15's rate, CPU per signature and error targets all are."""

from types import SimpleNamespace

import pytest

from bench.cpu import CpuUsage
from bench.loadgen import EndToEndResult
from bench.scenarios.e2e import throughput_row

pytestmark = pytest.mark.unit

SECONDS = 30.0


def row_for(per_hour: int, stack_ms_per_signature: float, errors: int = 0):
    confirmed = round(per_hour * SECONDS / 3600)
    result = EndToEndResult(
        seconds=SECONDS, signed=confirmed, confirmed=confirmed, confirmed_whole_run=confirmed, sign_errors=errors
    )
    # The web server's share of the stack's CPU, and a load generator that is not part of the stack.
    web_seconds = stack_ms_per_signature / 1000.0 * confirmed
    cpu = CpuUsage(
        seconds=SECONDS,
        core_seconds={"web (granian)": web_seconds, "load generator": 5.0},
        machine_busy=90.0,
        machine_total=100.0,
    )
    bench = SimpleNamespace(notes=[], config=SimpleNamespace(e2e_duration=SECONDS))
    return throughput_row(bench, [result], cpu)


def test_met_at_the_rate_within_the_cpu_and_without_errors():
    row = row_for(per_hour=540_000, stack_ms_per_signature=9.6)
    assert row.verdict == "met"
    assert row.cost["product_ms_per_op"] == pytest.approx(9.6, abs=0.01)
    assert "1,000,000/h needs about 3 cores" in row.limited_by


def test_missed_over_ten_ms_a_signature_even_at_the_rate():
    row = row_for(per_hour=640_000, stack_ms_per_signature=10.4)
    assert row.verdict == "MISSED: 10.4 ms CPU per signature is over 10 ms"


def test_missed_under_the_rate_and_with_errors():
    row = row_for(per_hour=450_000, stack_ms_per_signature=9.0, errors=3)
    assert row.verdict == "MISSED: 450,000/h is 10% under 500,000/h; 3 errors"
