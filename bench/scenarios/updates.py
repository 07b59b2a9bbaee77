"""updates: bench/updates_bench.py sends an update to N consenting signers; plain smtplib is the baseline.

While it runs, the petition page and the admin's login page are fetched once
a second: their latency says whether signers and staff still get answers.
"""

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from ..report import Row, cpu_summary, unavailable, verdict
from .common import Bench
from .targets import UPDATES_PER_SECOND_TARGET

UPDATES_SCRIPT = Path(__file__).resolve().parent.parent / "updates_bench.py"


def probe(url: str, stop: threading.Event, latencies: list, failures: list) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
            latencies.append(time.perf_counter() - started)
        except (urllib.error.URLError, OSError) as exc:
            failures.append(type(exc).__name__)
        stop.wait(1.0)


def percentile_ms(values: list, fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 1)


def run(bench: Bench) -> None:
    recipients = bench.config.update_recipients
    scenario = f"updates to {recipients:,} recipients"
    target = f"≥ {UPDATES_PER_SECOND_TARGET:.0f}/s (1M within the hour), worker RSS flat"
    bench.log(f"scenario: {scenario} against plain smtplib over one connection (bench/updates_bench.py)")
    paths = bench.paths()
    probes = {name: ([], []) for name in ("page", "admin_login")}
    stop = threading.Event()
    threads = [
        threading.Thread(target=probe, args=(bench.stack.base_url + paths[name], stop, *probes[name]), daemon=True)
        for name in probes
    ]
    for thread in threads:
        thread.start()
    start = bench.sampler.snapshot()
    try:
        completed = subprocess.run(
            [sys.executable, str(UPDATES_SCRIPT), "--recipients", str(recipients), "--workers",
             str(bench.config.update_workers), "--baseline", str(bench.config.update_baseline), "--json"],
            cwd=UPDATES_SCRIPT.parent.parent, env=bench.stack.product_environment(), capture_output=True, text=True,
            timeout=6 * 3600, check=False,
        )  # fmt: skip
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    usage = bench.sampler.usage(start, bench.sampler.snapshot())
    try:
        outcome = json.loads(completed.stdout.strip().splitlines()[-1])
        ours, base = outcome["product"], outcome["baseline_smtplib"]
    except (IndexError, KeyError, ValueError):
        tail = (completed.stderr or completed.stdout or "no output").strip().splitlines()[-1][:200]
        bench.rows.append(unavailable(scenario, f"bench/updates_bench.py failed ({completed.returncode}): {tail}", target))
        return
    responsiveness = {
        name: {
            "median_ms": percentile_ms(latencies, 0.5),
            "p95_ms": percentile_ms(latencies, 0.95),
            "requests": len(latencies),
            "failures": len(failures),
        }
        for name, (latencies, failures) in probes.items()
    }
    outcome["responsiveness"] = responsiveness
    peak = max(ours["worker_peak_rss_mb"])
    over_the_run = ours["worker_rss_mb_over_the_run"]
    flat = bool(over_the_run) and max(over_the_run["50%"]) <= 1.1 * max(over_the_run["10%"])
    rate_ok = ours["per_second"] >= UPDATES_PER_SECOND_TARGET
    why = []
    if not rate_ok:
        why.append(f"{ours['per_second']:.0f}/s is {100 * (1 - ours['per_second'] / UPDATES_PER_SECOND_TARGET):.0f}% under")
    if not flat:
        why.append("worker RSS grew")
    if not outcome["exactly_once"]:
        why.append("the sink did not get every recipient exactly once")
    page = responsiveness["page"]
    bench.rows.append(
        Row(
            scenario=scenario,
            figure=f"{ours['per_second']:.0f}/s ({ours['send_seconds']:.0f} s, recipients written in "
            f"{ours['write_recipients_seconds']:.1f} s), {ours['workers']} workers, peak RSS {peak:.0f} MB each; "
            f"petition page p95 {page['p95_ms']} ms meanwhile",
            baseline=f"smtplib, one connection, pre-rendered: {base['per_second']:.0f}/s",
            ratio=f"{outcome['rate_ratio']:.2f}x rate",
            target=target,
            verdict=verdict(rate_ok and flat and outcome["exactly_once"], "; ".join(why)),
            limited_by=usage.limiter(),
            cpu=cpu_summary(usage),
            details=outcome,
        )
    )
