"""csv_import: bench/import_bench.py imports a partner's CSV of the large scale into a fresh campaign, then again."""

import json
import os
import subprocess
import sys
from pathlib import Path

from ..report import Row, cpu_summary, unavailable, verdict
from .common import Bench
from .targets import IMPORT_RSS_TARGET_MB, IMPORT_TIME_TARGET_S

IMPORT_SCRIPT = Path(__file__).resolve().parent.parent / "import_bench.py"


def run(bench: Bench) -> None:
    rows = bench.config.large_rows
    scenario = f"import {rows:,} CSV rows"
    target = f"≤ {IMPORT_TIME_TARGET_S:.0f} s, ≤ {IMPORT_RSS_TARGET_MB:.0f} MB, the same file again adds nothing"
    bench.log(f"scenario: {scenario} (bench/import_bench.py)")
    start = bench.sampler.snapshot()
    children_before = os.times()
    completed = subprocess.run(
        [sys.executable, str(IMPORT_SCRIPT), "--rows", str(rows), "--json"],
        cwd=IMPORT_SCRIPT.parent.parent,
        env=bench.stack.product_environment(),
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    usage = bench.sampler.usage(start, bench.sampler.snapshot())
    children_after = os.times()
    usage.core_seconds["import"] = (children_after.children_user + children_after.children_system) - (
        children_before.children_user + children_before.children_system
    )
    try:
        outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        tail = (completed.stderr or completed.stdout or "no output").strip().splitlines()[-1][:200]
        bench.rows.append(unavailable(scenario, f"bench/import_bench.py failed ({completed.returncode}): {tail}", target))
        return
    time_ok = outcome["seconds"] <= IMPORT_TIME_TARGET_S
    rss_ok = outcome["peak_rss_mb"] <= IMPORT_RSS_TARGET_MB
    again_ok = outcome["again_imported"] == 0
    why = []
    if not time_ok:
        why.append(f"{outcome['seconds']:.0f} s is {outcome['seconds'] - IMPORT_TIME_TARGET_S:.0f} s over")
    if not rss_ok:
        why.append(f"{outcome['peak_rss_mb']:.0f} MB is {outcome['peak_rss_mb'] - IMPORT_RSS_TARGET_MB:.0f} MB over")
    if not again_ok:
        why.append(f"the second run added {outcome['again_imported']}")
    bench.rows.append(
        Row(
            scenario=f"import {outcome['rows']:,} CSV rows ({outcome['file_mb']:.0f} MB)",
            figure=f"{outcome['seconds']:.1f} s, peak RSS {outcome['peak_rss_mb']:.0f} MB; "
            f"{outcome['imported']:,} imported, {outcome['invalid']:,} invalid, "
            f"{outcome['duplicate_in_file']:,} duplicates in the file",
            baseline=f"the same file again: {outcome['again_seconds']:.1f} s, {outcome['again_imported']} added",
            target=target,
            verdict=verdict(time_ok and rss_ok and again_ok, "; ".join(why)),
            limited_by=usage.limiter(),
            cpu=cpu_summary(usage),
            details=outcome,
        )
    )
