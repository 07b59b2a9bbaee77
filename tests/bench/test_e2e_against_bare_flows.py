"""The end-to-end CPU judged against the bare flows measured beside it, so that the machine's speed that hour drops out."""

import pytest

from bench.cpu import CpuUsage
from bench.loadgen import EndToEndResult, RunResult
from bench.scenarios.e2e import bare_flows_row

pytestmark = pytest.mark.unit

SECONDS = 30.0


def end_to_end(confirmed: int, stack_ms: float) -> tuple[EndToEndResult, CpuUsage]:
    result = EndToEndResult(seconds=SECONDS, signed=confirmed, confirmed=confirmed, confirmed_whole_run=confirmed)
    usage = CpuUsage(
        seconds=SECONDS,
        # Split over roles of the stack; the load generator is not part of it.
        core_seconds={
            "web (granian)": 0.6 * stack_ms / 1000.0 * confirmed,
            "postgres": 0.3 * stack_ms / 1000.0 * confirmed,
            "smtp sink": 0.1 * stack_ms / 1000.0 * confirmed,
            "load generator": 9.0,
        },
        machine_busy=90.0,
        machine_total=100.0,
    )
    return result, usage


def bare(completed: int, server_ms: float, errors: int = 0) -> tuple[RunResult, CpuUsage]:
    result = RunResult(name="bare", seconds=7.5, completed=completed, errors=errors)
    usage = CpuUsage(
        seconds=7.5,
        core_seconds={
            "web (granian)": 0.7 * server_ms / 1000.0 * completed,
            "postgres": 0.3 * server_ms / 1000.0 * completed,
            "load generator": 2.0,
        },
        machine_busy=90.0,
        machine_total=100.0,
    )
    return result, usage


def row_for(pairs: list[tuple[float, float, float]], bare_errors: int = 0):
    """pairs: (whole stack ms per signature, bare sign flow ms, bare link ms), one per run."""
    runs = [end_to_end(5_000, stack_ms) for stack_ms, _, _ in pairs]
    bare_runs = {
        "sign": [bare(3_000, sign_ms, bare_errors) for _, sign_ms, _ in pairs],
        "link": [bare(4_000, link_ms) for _, _, link_ms in pairs],
    }
    return bare_flows_row([r for r, _ in runs], [u for _, u in runs], bare_runs)


def test_a_slow_hour_that_misses_ten_ms_still_meets_four_times_the_bare_flows():
    # The machine at half speed: 17 ms a signature while the bare flows cost 3.1 + 1.7 ms.
    row = row_for([(17.0, 3.1, 1.7), (17.4, 3.2, 1.7), (16.8, 3.0, 1.6)])
    assert row.verdict == "met"
    assert row.ratio == "0.28x [0.27–0.28]"
    # 17.0 ms at 4.8 / 2.5 = 1.92 times the reference's slowness.
    assert row.details["at_reference_ms"][0] == pytest.approx(17.0 / (4.8 / 2.5))
    assert row.details["at_reference_per_hour"][0] == pytest.approx(600_000 * 4.8 / 2.5)
    assert "bare sign flow 3.10 ms [3.00–3.20]" in row.baseline


def test_missed_when_the_stack_costs_more_than_four_bare_flows():
    row = row_for([(12.0, 1.6, 1.0), (12.5, 1.7, 1.0), (11.8, 1.6, 0.9)])
    assert row.verdict.startswith("MISSED: 0.22x is")


def test_errors_in_the_bare_flows_are_no_baseline_to_be_judged_by():
    row = row_for([(8.0, 1.6, 1.0)], bare_errors=2)
    assert row.verdict == "MISSED: 2 errors in the bare flows"
