"""confirm: a visitor follows the link from the confirmation email (prepared pending signatures)."""

from collections import deque

from django.urls import reverse
from django.utils import translation

from signatures.links import CONFIRM, token_for
from signatures.models import Signature

from .. import loadgen
from ..cpu import CpuUsage
from ..report import Row, cost_summary, cpu_summary, verdict
from ..seeding import insert_signatures
from ..stats import Figure, ratios
from .common import Bench
from .targets import CONFIRM_TARGET, shortfall


def run(bench: Bench) -> None:
    bench.log(f"scenario: confirm, preparing {bench.config.confirm_pool:,} pending signatures with known links")
    pool = insert_signatures(
        bench.campaign.pk, bench.config.confirm_pool, status="pending", tag=f"pool{bench.run_tag}", returning=True
    )
    links = deque(confirm_path(pk, token_for(Signature(pk=pk, link_salt=salt), CONFIRM)) for pk, salt in pool)
    product = loadgen.click_links(links)
    baseline = loadgen.baseline_link_flow()
    bench.warm_up(baseline, product)
    bench.settle("confirm warm-up")
    product_runs, baseline_runs, cpu, baseline_cpu = [], [], CpuUsage(), CpuUsage()
    for _ in range(bench.config.repeats):
        base_result, base_usage = bench.loop("baseline link", baseline, bench.config.duration)
        baseline_cpu.add(base_usage)
        result, usage = bench.loop("confirm", product, bench.config.duration)
        baseline_runs.append(base_result)
        product_runs.append(result)
        cpu.add(usage)
        bench.settle("confirm run")
    if not links:
        bench.notes.append(
            f"confirm: the {bench.config.confirm_pool:,} prepared links ran out; runs were shorter "
            "(rates are per actual second); raise BENCH_CONFIRM_POOL"
        )
    rates = Figure([r.rate for r in product_runs])
    p50 = Figure([r.latency_ms(0.5) for r in product_runs])
    p99 = Figure([r.latency_ms(0.99) for r in product_runs])
    errors = sum(r.errors for r in product_runs)
    ratio = ratios([r.rate for r in product_runs], [r.rate for r in baseline_runs])
    met = ratio.available and ratio.median >= CONFIRM_TARGET and errors == 0
    why = [shortfall(ratio.median, CONFIRM_TARGET)] if ratio.available and ratio.median < CONFIRM_TARGET else []
    if errors:
        why.append(f"{errors} errors")
    bench.rows.append(
        Row(
            scenario="confirm (click the emailed link)",
            figure=f"{rates.text()} confirmations/s; p50 {p50.text('{:.0f}', ' ms')}, "
            f"p99 {p99.text('{:.0f}', ' ms')}; {errors} errors",
            baseline=f"bare view, a button page and a POST doing one INSERT: {Figure([r.rate for r in baseline_runs]).text()} /s",
            ratio=ratio.text("{:.2f}", "x"),
            target=f"≥ {CONFIRM_TARGET:g}x, 0 errors",
            verdict=verdict(met, "; ".join(why)),
            limited_by=cpu.limiter(),
            cpu=cpu_summary(cpu),
            cost=cost_summary(cpu, product_runs, baseline_cpu, baseline_runs),
            details={
                "product_runs": [r.summary() for r in product_runs],
                "baseline_runs": [r.summary() for r in baseline_runs],
            },
        )
    )


def confirm_path(pk: int, token: str) -> str:
    with translation.override("en"):
        return reverse("signatures:confirm", kwargs={"pk": pk, "token": token})
