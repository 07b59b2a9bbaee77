"""export: bench/export_bench.py exports the large scale and psql \\copy copies the same columns."""

import json
import os
import subprocess
import sys
from pathlib import Path

from ..report import Row, cpu_summary, unavailable, verdict
from .common import Bench
from .targets import EXPORT_RSS_TARGET_MB, EXPORT_TIME_TARGET

EXPORT_SCRIPT = Path(__file__).resolve().parent.parent / "export_bench.py"


def run(bench: Bench) -> None:
    scenario = f"export {bench.config.large_rows:,} rows"
    target = "≤ 2x psql \\copy time, ≤ 150 MB"
    if not EXPORT_SCRIPT.exists():
        bench.rows.append(unavailable(scenario, "bench/export_bench.py (issue 5) has not landed", target))
        return
    bench.log(f"scenario: {scenario} against psql \\copy (bench/export_bench.py)")
    start = bench.sampler.snapshot()
    children_before = os.times()
    completed = subprocess.run(
        [
            sys.executable,
            str(EXPORT_SCRIPT),
            "--rows",
            str(bench.config.large_rows),
            "--repeat",
            str(bench.config.export_repeats),
            "--json",
        ],
        cwd=EXPORT_SCRIPT.parent.parent,
        env=bench.stack.product_environment(),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    usage = bench.sampler.usage(start, bench.sampler.snapshot())
    children_after = os.times()
    # The export and psql run as children of the script the harness waits for.
    usage.core_seconds["export + psql"] = (children_after.children_user + children_after.children_system) - (
        children_before.children_user + children_before.children_system
    )
    try:
        outcome = json.loads(completed.stdout.strip().splitlines()[-1])
        export, psql = outcome["export"], outcome["psql_copy"]
    except (IndexError, KeyError, ValueError):
        tail = (completed.stderr or completed.stdout or "no output").strip().splitlines()[-1][:200]
        bench.rows.append(unavailable(scenario, f"bench/export_bench.py failed ({completed.returncode}): {tail}", target))
        return
    median_ratio = export["median_seconds"] / psql["median_seconds"] if psql["median_seconds"] else None
    time_ok = median_ratio is not None and median_ratio <= EXPORT_TIME_TARGET
    rss_ok = export["peak_rss_mb"] <= EXPORT_RSS_TARGET_MB
    why = []
    if not time_ok and median_ratio is not None:
        why.append(f"{median_ratio:.2f}x is {100 * (median_ratio / EXPORT_TIME_TARGET - 1):.0f}% over 2x")
    if not rss_ok:
        why.append(f"{export['peak_rss_mb']:.0f} MB is {export['peak_rss_mb'] - EXPORT_RSS_TARGET_MB:.0f} MB over")
    bench.rows.append(
        Row(
            scenario=f"export {outcome['rows']:,} rows ({outcome['purpose']})",
            figure=f"{export['median_seconds']:.2f} s median (best {export['best_seconds']:.2f} s) of "
            f"{outcome['repeat']}; peak RSS {export['peak_rss_mb']:.0f} MB",
            baseline=f"psql \\copy of the same columns: {psql['median_seconds']:.2f} s median "
            f"(best {psql['best_seconds']:.2f} s), {psql['peak_rss_mb']:.0f} MB",
            ratio="n/a" if median_ratio is None else f"{median_ratio:.2f}x time (best/best {outcome['time_ratio']:.2f}x)",
            target=target,
            verdict=verdict(time_ok and rss_ok, "; ".join(why)),
            limited_by=usage.limiter(),
            cpu=cpu_summary(usage),
            details=outcome,
        )
    )
