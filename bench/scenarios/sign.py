"""sign: a visitor loads the petition page, posts the form and lands on the thank-you page."""

from .. import loadgen
from ..cpu import CpuUsage
from ..report import Row, cost_summary, cpu_summary, verdict
from ..stats import Figure, ratios
from .common import Bench
from .targets import SIGN_TARGET, shortfall


def run(bench: Bench) -> None:
    bench.log("scenario: sign (GET form + POST) against a bare INSERT view")
    existing = bench.signature_rows()
    runs = sign_runs(bench, bench.config.duration, "sign")
    bench.rows.append(sign_row(runs, f"sign (GET form + POST), {existing:,} existing"))
    bench.small_figures["sign"] = (existing, runs)


def sign_runs(bench: Bench, duration: float, label: str) -> dict:
    paths = bench.paths()
    product = loadgen.sign_flow(paths["page"], paths["sign"], f"{label}{bench.run_tag}")
    baseline = loadgen.baseline_sign_flow()
    bench.warm_up(baseline, product)
    bench.settle("sign warm-up")
    runs = {"product": [], "baseline": [], "cpu": CpuUsage(), "baseline_cpu": CpuUsage(), "drain_s": []}
    for _ in range(bench.config.repeats):
        base_result, base_usage = bench.loop("baseline sign", baseline, duration)
        runs["baseline_cpu"].add(base_usage)
        result, usage = bench.loop("sign", product, duration)
        runs["baseline"].append(base_result)
        runs["product"].append(result)
        runs["cpu"].add(usage)
        runs["drain_s"].append(bench.settle(f"{label} sign run"))
    return runs


def sign_row(runs: dict, scenario: str) -> Row:
    rates = Figure([r.rate for r in runs["product"]])
    p50 = Figure([r.latency_ms(0.5) for r in runs["product"]])
    p99 = Figure([r.latency_ms(0.99) for r in runs["product"]])
    errors = sum(r.errors for r in runs["product"])
    base = Figure([r.rate for r in runs["baseline"]])
    ratio = ratios([r.rate for r in runs["product"]], [r.rate for r in runs["baseline"]])
    met = ratio.available and ratio.median >= SIGN_TARGET and errors == 0
    why = []
    if ratio.available and ratio.median < SIGN_TARGET:
        why.append(shortfall(ratio.median, SIGN_TARGET))
    if errors:
        why.append(f"{errors} errors")
    kinds = {}
    for result in runs["product"]:
        for kind, n in result.error_kinds.items():
            kinds[kind] = kinds.get(kind, 0) + n
    return Row(
        scenario=scenario,
        figure=f"{rates.text()} signatures/s; p50 {p50.text('{:.0f}', ' ms')}, p99 {p99.text('{:.0f}', ' ms')}; "
        f"{errors} errors",
        baseline=f"bare view, same 3 requests, one INSERT: {base.text()} /s",
        ratio=ratio.text("{:.2f}", "x"),
        target=f"≥ {SIGN_TARGET:g}x, 0 errors",
        verdict=verdict(met, "; ".join(why)),
        limited_by=runs["cpu"].limiter(),
        cpu=cpu_summary(runs["cpu"]),
        cost=cost_summary(runs["cpu"], runs["product"], runs["baseline_cpu"], runs["baseline"]),
        details={
            "product_runs": [r.summary() for r in runs["product"]],
            "baseline_runs": [r.summary() for r in runs["baseline"]],
            "error_kinds": kinds,
            "queue_drain_seconds_after_each_run": runs["drain_s"],
        },
    )
