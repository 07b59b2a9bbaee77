"""reads: the count API and the petition page, against a bare view returning one cached value."""

from .. import loadgen
from ..cpu import CpuUsage
from ..report import Row, cost_summary, cpu_summary, unavailable, verdict
from ..stats import Figure, ratios
from .common import Bench
from .targets import READ_TARGET, shortfall


def run(bench: Bench) -> None:
    bench.log("scenario: count API and petition page against a bare cached-value view")
    existing = bench.signature_rows()
    runs = read_runs(bench, bench.config.duration)
    if bench.count_api:
        bench.rows.append(read_row(runs, "count API", f"count API {bench.count_api}"))
    else:
        bench.rows.append(unavailable("count API", "/api/campaigns/<slug>/ (issue 3) has not landed", "≥ 0.8x"))
    bench.rows.append(read_row(runs, "petition page", "petition page (GET)"))
    bench.small_figures["reads"] = (existing, runs)


def read_runs(bench: Bench, duration: float) -> dict:
    paths = bench.paths()
    targets = {"petition page": loadgen.fetch(paths["page"], "petition page")}
    if bench.count_api:
        targets["count API"] = loadgen.fetch(bench.count_api, "count API")
    baseline = loadgen.fetch("/__bench__/cached/", "bare cached value")
    bench.warm_up(baseline, *targets.values())
    runs = {
        "baseline": [],
        **{name: [] for name in targets},
        "cpu": {name: CpuUsage() for name in targets},
        "baseline_cpu": CpuUsage(),
    }
    for _ in range(bench.config.repeats):
        base_result, base_usage = bench.loop("baseline cached", baseline, duration)
        runs["baseline"].append(base_result)
        runs["baseline_cpu"].add(base_usage)
        for name, operation in targets.items():
            result, usage = bench.loop(name, operation, duration)
            runs[name].append(result)
            runs["cpu"][name].add(usage)
    return runs


def read_row(runs: dict, name: str, scenario: str) -> Row:
    rates = Figure([r.rate for r in runs[name]])
    errors = sum(r.errors for r in runs[name])
    ratio = ratios([r.rate for r in runs[name]], [r.rate for r in runs["baseline"]])
    met = ratio.available and ratio.median >= READ_TARGET and errors == 0
    p50 = Figure([r.latency_ms(0.5) for r in runs[name]])
    return Row(
        scenario=scenario,
        figure=f"{rates.text()} requests/s; p50 {p50.text('{:.0f}', ' ms')}; {errors} errors",
        baseline=f"bare view returning a cached value: {Figure([r.rate for r in runs['baseline']]).text()} /s",
        ratio=ratio.text("{:.2f}", "x"),
        target=f"≥ {READ_TARGET:g}x",
        verdict=verdict(met, shortfall(ratio.median, READ_TARGET) if ratio.available and not met else ""),
        limited_by=runs["cpu"][name].limiter(),
        cpu=cpu_summary(runs["cpu"][name]),
        cost=cost_summary(runs["cpu"][name], runs[name], runs["baseline_cpu"], runs["baseline"]),
        details={
            "runs": [r.summary() for r in runs[name]],
            "baseline_runs": [r.summary() for r in runs["baseline"]],
        },
    )
