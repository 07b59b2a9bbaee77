"""growth: the sign path, the count read and the fold at the small scale and again at the large one."""

import time

from django.db import transaction

from campaigns.counting import lock_campaign_counts
from signatures.fold import fold_counts

from ..report import Row, cost_summary, cpu_summary, verdict
from ..seeding import insert_signatures
from ..stats import Figure, ratios
from .common import Bench
from .reads import read_runs
from .sign import sign_runs
from .targets import FOLD_GROWTH_LIMIT, GROWTH_LIMIT


def run(bench: Bench) -> None:
    fold_rows = 50 if bench.config.quick else 1000
    small_rows = bench.signature_rows()
    small_fold = Figure([fold_cost_ms(bench, fold_rows) for _ in range(3)])
    if "sign" not in bench.small_figures:
        bench.small_figures["sign"] = (small_rows, sign_runs(bench, bench.config.growth_duration, "small"))
    if "reads" not in bench.small_figures:
        bench.small_figures["reads"] = (small_rows, read_runs(bench, bench.config.growth_duration))
    bench.ensure_large()
    large_rows = bench.signature_rows()
    bench.log(f"scenario: growth, sign and count paths at {large_rows:,} signatures")
    large_fold = Figure([fold_cost_ms(bench, fold_rows) for _ in range(3)])
    large_sign = sign_runs(bench, bench.config.growth_duration, "large")
    large_reads = read_runs(bench, bench.config.growth_duration)
    small_sign_rows, small_sign = bench.small_figures["sign"]
    bench.rows.append(
        growth_row(
            "sign path",
            (small_sign_rows, small_sign["product"], small_sign["baseline"], small_sign["cpu"]),
            (large_rows, large_sign["product"], large_sign["baseline"], large_sign["cpu"]),
        )
    )
    small_read_rows, small_reads = bench.small_figures["reads"]
    name = "count API" if bench.count_api else "petition page"
    bench.rows.append(
        growth_row(
            f"count path ({name} read)",
            (small_read_rows, small_reads[name], small_reads["baseline"], small_reads["cpu"][name]),
            (large_rows, large_reads[name], large_reads["baseline"], large_reads["cpu"][name]),
        )
    )
    growth = large_fold.median / small_fold.median if small_fold.median else None
    bench.rows.append(
        Row(
            scenario=f"count path (fold {fold_rows} confirmations) at {large_rows:,} vs {small_rows:,}",
            figure=f"{large_fold.text('{:.0f}', ' ms')} vs {small_fold.text('{:.0f}', ' ms')}",
            baseline="the same fold at the small scale",
            ratio="n/a" if growth is None else f"{growth:.2f}x time",
            target="no growth (≤ 1.5x time)",
            verdict=verdict(growth is not None and growth <= FOLD_GROWTH_LIMIT, f"{growth:.2f}x slower" if growth else ""),
            details={"small_ms": small_fold.as_dict(), "large_ms": large_fold.as_dict()},
        )
    )


def fold_cost_ms(bench: Bench, rows: int) -> float:
    """Time to fold `rows` fresh confirmations into the counts, holding the fold lock so beat cannot."""
    with transaction.atomic():
        lock_campaign_counts(bench.campaign.pk)
        insert_signatures(
            bench.campaign.pk, rows, status="confirmed", counted=False, tag=f"fold{bench.run_tag}{time.monotonic_ns()}"
        )
        began = time.perf_counter()
        folded = fold_counts(bench.campaign.pk)
        elapsed = (time.perf_counter() - began) * 1000.0
    if folded < rows:
        bench.notes.append(f"fold timing: expected to fold {rows} rows, folded {folded}")
    return elapsed


def growth_row(what: str, small: tuple, large: tuple) -> Row:
    """Compare one path at two scales: (rows, runs, baseline runs, cpu usage) each.

    The verdict rests on server CPU per operation, which other work on the
    machine hardly moves; throughput against each scale's own baseline is
    shown beside it.
    """
    small_rows, small_runs, small_base, small_cpu = small
    large_rows, large_runs, large_base, large_cpu = large
    small_ratio = ratios([r.rate for r in small_runs], [r.rate for r in small_base])
    large_ratio = ratios([r.rate for r in large_runs], [r.rate for r in large_base])
    kept = large_ratio.median / small_ratio.median if small_ratio.available and large_ratio.available else None
    small_cost = cost_summary(small_cpu, small_runs, small_cpu, small_runs)["product_ms_per_op"]
    large_cost = cost_summary(large_cpu, large_runs, large_cpu, large_runs)["product_ms_per_op"]
    growth = large_cost / small_cost if small_cost and large_cost else None
    small_p50 = Figure([r.latency_ms(0.5) for r in small_runs])
    large_p50 = Figure([r.latency_ms(0.5) for r in large_runs])
    digits = "{:.2f}" if min(small_cost or 0, large_cost or 0) < 2 else "{:.1f}"
    cost_text = (
        "n/a"
        if growth is None
        else f"{digits.format(large_cost)} vs {digits.format(small_cost)} ms server CPU per op"
    )
    return Row(
        scenario=f"{what} at {large_rows:,} vs {small_rows:,} signatures",
        figure=f"{cost_text}; {Figure([r.rate for r in large_runs]).text()} /s vs "
        f"{Figure([r.rate for r in small_runs]).text()} /s; p50 {large_p50.text('{:.0f}', ' ms')} vs "
        f"{small_p50.text('{:.0f}', ' ms')}",
        baseline=f"own baseline at each scale: {large_ratio.text('{:.2f}', 'x')} at large, "
        f"{small_ratio.text('{:.2f}', 'x')} at small",
        ratio=("n/a" if growth is None else f"{growth:.2f}x CPU per op")
        + ("" if kept is None else f"; {kept:.2f}x relative throughput"),
        target=f"no growth (≤ {GROWTH_LIMIT:g}x CPU per op)",
        verdict=verdict(
            None if growth is None else growth <= GROWTH_LIMIT,
            f"{growth:.2f}x the CPU per op" if growth else "",
        ),
        limited_by=large_cpu.limiter(),
        cpu=cpu_summary(large_cpu),
        cost={"product_ms_per_op": large_cost, "small_scale_ms_per_op": small_cost},
        details={
            "large_runs": [r.summary() for r in large_runs],
            "large_baseline_runs": [r.summary() for r in large_base],
        },
    )
