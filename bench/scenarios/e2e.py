"""e2e: signers sign, the worker emails, the sink receives, clickers confirm; and how fresh the count stays."""

from signatures.fold import fold_counts
from signatures.models import Signature

from .. import loadgen
from ..cpu import CpuUsage
from ..report import SERVER_GROUPS, Row, cpu_summary, verdict
from ..stats import Figure
from .common import Bench
from .targets import (
    E2E_BARE_RATIO_TARGET,
    E2E_CPU_TARGET_MS,
    E2E_REFERENCE_BARE_MS,
    E2E_TARGET_PER_HOUR,
    FRESHNESS_TARGET_S,
    SIZING_PER_HOUR,
    shortfall,
)

# Everything a signature costs on the server side, from page to counted.
STACK_GROUPS = ("web (granian)", "celery worker", "celery beat", "postgres", "redis (shared)", "smtp sink")


def run(bench: Bench) -> None:
    bench.log("scenario: end to end (sign, email, click) with count freshness at peak load")
    paths = bench.paths()
    count_path = bench.count_api or paths["page"]
    results, cpu, usages = [], CpuUsage(), []
    bare_flows = {"sign": loadgen.baseline_sign_flow(), "link": loadgen.baseline_link_flow()}
    bare_runs: dict[str, list] = {name: [] for name in bare_flows}
    bench.warm_up(*bare_flows.values())
    for repeat in range(bench.config.repeats):
        bench.settle("before end to end")
        # Beside each run, what the machine spends on the bare flows this minute.
        for name, operation in bare_flows.items():
            bare_runs[name].append(bench.loop(f"baseline {name}", operation, bench.config.duration / 2))
        fold_counts(bench.campaign.pk)
        base_count = bench.confirmed_rows()
        result, usage = bench.measure(
            loadgen.end_to_end(
                bench.stack.base_url,
                page_path=paths["page"],
                sign_path=paths["sign"],
                count_path=count_path,
                sink_file=str(bench.stack.sink_file),
                email_tag=f"e2e{repeat}{bench.run_tag}",
                base_count=base_count,
                signers=bench.config.concurrency,
                # As many clickers as signers: every signer also confirms, and with
                # fewer the run signed 1.7 for each it confirmed, charging the extra
                # signatures' CPU to the confirmed ones.
                clickers=bench.config.concurrency,
                warmup=bench.config.warmup,
                duration=bench.config.e2e_duration,
                probe_gap=bench.config.probe_gap,
                probe_timeout=bench.config.probe_timeout,
            )
        )
        results.append(result)
        usages.append(usage)
        cpu.add(usage)
    bench.settle("end to end")
    bench.rows.append(throughput_row(bench, results, cpu))
    bench.rows.append(bare_flows_row(results, usages, bare_runs))
    bench.rows.append(email_latency_row(bench, results, cpu))
    bench.rows.append(freshness_row(bench, results, cpu))


def throughput_row(bench: Bench, results: list, cpu: CpuUsage) -> Row:
    per_hour = Figure([r.per_hour() for r in results])
    signed = Figure([r.signed / r.seconds * 3600 for r in results])
    delivered = Figure([float(r.delivered) for r in results])
    errors = sum(r.sign_errors + r.confirm_errors for r in results)
    whole = sum(r.confirmed_whole_run for r in results)
    stack_seconds = sum(cpu.core_seconds.get(name, 0.0) for name in STACK_GROUPS)
    cost = {}
    limited_by = cpu.limiter()
    why = []
    if per_hour.available and per_hour.median < E2E_TARGET_PER_HOUR:
        why.append(shortfall(per_hour.median, E2E_TARGET_PER_HOUR, "/h"))
    if errors:
        why.append(f"{errors} errors")
    per_signature_ms = None
    if whole:
        per_signature_ms = 1000.0 * stack_seconds / whole
        if per_signature_ms > E2E_CPU_TARGET_MS:
            why.append(f"{per_signature_ms:.1f} ms CPU per signature is over {E2E_CPU_TARGET_MS:g} ms")
        cores_needed = per_signature_ms / 1000.0 * SIZING_PER_HOUR / 3600.0
        by_role = {name: round(1000.0 * cpu.core_seconds.get(name, 0.0) / whole, 2) for name in STACK_GROUPS}
        cost = {
            "product_ms_per_op": round(per_signature_ms, 2),
            "sizing_per_hour": SIZING_PER_HOUR,
            "cores_at_sizing_rate": round(cores_needed, 1),
            # What docs/SCALING.md sizes the roles by.
            "ms_per_op_by_role": by_role,
        }
        bench.notes.append(
            "end to end, CPU per signed+confirmed signature by role: "
            + ", ".join(f"{name} {ms:.1f} ms" for name, ms in by_role.items())
        )
        limited_by += (
            f"; the whole stack spends {per_signature_ms:.1f} ms CPU per signed+confirmed signature, "
            f"so {SIZING_PER_HOUR:,}/h needs about {cores_needed:.0f} cores"
        )
    met = per_hour.available and per_signature_ms is not None and not why
    return Row(
        scenario="end to end (sign → email → click)",
        figure=f"{per_hour.text('{:,.0f}')} signed+confirmed/h; signed {signed.text('{:,.0f}')} /h; "
        f"{delivered.text('{:.0f}')} emails delivered per {bench.config.e2e_duration:g} s run; {errors} errors",
        target=f"≥ {E2E_TARGET_PER_HOUR:,}/h, ≤ {E2E_CPU_TARGET_MS:g} ms CPU per signature, 0 errors",
        verdict=verdict(met, "; ".join(why)),
        limited_by=limited_by,
        cpu=cpu_summary(cpu),
        cost=cost,
        details={"runs": [r.summary() for r in results]},
    )


def stack_ms_per_signature(result, usage: CpuUsage) -> float | None:
    if not result.confirmed_whole_run:
        return None
    return 1000.0 * sum(usage.core_seconds.get(name, 0.0) for name in STACK_GROUPS) / result.confirmed_whole_run


def bare_ms_per_op(run: tuple) -> float | None:
    """Server CPU (web and PostgreSQL, as every bare baseline is judged) per completed bare flow."""
    result, usage = run
    if not result.completed:
        return None
    return 1000.0 * sum(usage.core_seconds.get(name, 0.0) for name in SERVER_GROUPS) / result.completed


def bare_flows_row(results: list, usages: list[CpuUsage], bare_runs: dict[str, list]) -> Row:
    """The whole stack's CPU per signature against the bare flows measured beside it: the machine's speed taken out.

    Issue 15 set its 10 ms when the bare sign flow and the bare link cost
    1.7 and 0.8 ms of server CPU on this kind of machine. The same code has
    spent 8 ms a signature in one hour and 17 ms in another
    (docs/BENCHMARKS.md), and the bare flows moved with it; their ratio,
    taken per pair of runs as every other ratio here, did not. The figures
    "at the reference speed" are the run's, scaled by how much slower or
    quicker than 2.5 ms the bare flows ran.
    """
    pairs = []
    for index, (result, usage) in enumerate(zip(results, usages, strict=True)):
        product = stack_ms_per_signature(result, usage)
        bare = [bare_ms_per_op(runs[index]) for runs in bare_runs.values()]
        if product and all(bare):
            pairs.append((product, bare, result.per_hour()))
    errors = sum(r.errors for runs in bare_runs.values() for r, _ in runs)
    if not pairs:
        return Row(scenario=BARE_FLOWS_SCENARIO, figure="n/a: no run confirmed a signature", verdict="—")
    ratio = Figure([sum(bare) / product for product, bare, _ in pairs])
    product = Figure([product for product, _, _ in pairs])
    bare_each = {name: Figure([bare[i] for _, bare, _ in pairs]) for i, name in enumerate(bare_runs)}
    speed = [sum(bare) / E2E_REFERENCE_BARE_MS for _, bare, _ in pairs]
    at_reference_ms = Figure([p / s for (p, _, _), s in zip(pairs, speed, strict=True)])
    at_reference_per_hour = Figure([h * s for (_, _, h), s in zip(pairs, speed, strict=True)])
    why = [shortfall(ratio.median, E2E_BARE_RATIO_TARGET)] if ratio.median < E2E_BARE_RATIO_TARGET else []
    if errors:
        why.append(f"{errors} errors in the bare flows")
    return Row(
        scenario=BARE_FLOWS_SCENARIO,
        figure=f"whole stack {product.text('{:.1f}', ' ms')} per signed+confirmed signature; "
        f"at issue 15's reference speed {at_reference_ms.text('{:.1f}', ' ms')} and "
        f"{at_reference_per_hour.text('{:,.0f}')} /h",
        baseline=f"bare sign flow {bare_each['sign'].text('{:.2f}', ' ms')} + bare link "
        f"{bare_each['link'].text('{:.2f}', ' ms')} of server CPU per op (reference {E2E_REFERENCE_BARE_MS:g} ms)",
        ratio=ratio.text("{:.2f}", "x"),
        target=f"≥ {E2E_BARE_RATIO_TARGET:g}x (issue 15's {E2E_CPU_TARGET_MS:g} ms against its bare flows' "
        f"{E2E_REFERENCE_BARE_MS:g} ms)",
        verdict=verdict(not why, "; ".join(why)),
        details={
            "whole_stack_ms": product.values,
            "bare_ms": {name: figure.values for name, figure in bare_each.items()},
            "at_reference_ms": at_reference_ms.values,
            "at_reference_per_hour": at_reference_per_hour.values,
        },
    )


BARE_FLOWS_SCENARIO = "end to end against the bare flows beside it"


def email_latency_row(bench: Bench, results: list, cpu: CpuUsage) -> Row:
    """From the moment a signature's row was written to its confirmation arriving at the sink, and the worker's CPU per email."""
    p50s, p99s, worst = [], [], 0.0
    for result in results:
        arrivals = result.arrivals
        created = dict(Signature.objects.filter(pk__in=list(arrivals)).values_list("pk", "created_at"))
        waits = sorted(arrivals[pk] - created[pk].timestamp() for pk in created)
        if waits:
            p50s.append(1000 * waits[len(waits) // 2])
            p99s.append(1000 * waits[min(len(waits) - 1, int(len(waits) * 0.99))])
            worst = max(worst, waits[-1])
    p50, p99 = Figure(p50s), Figure(p99s)
    delivered = sum(r.delivered for r in results)
    worker_seconds = cpu.core_seconds.get("celery worker", 0.0)
    per_email = f"{1000 * worker_seconds / delivered:.1f} ms" if delivered else "n/a"
    return Row(
        scenario="email latency (signed → confirmation in the sink)",
        figure=f"p50 {p50.text('{:.0f}', ' ms')}, p99 {p99.text('{:.0f}', ' ms')}, worst {worst:.1f} s; "
        f"worker CPU {per_email} per email ({delivered} emails)",
        target="within seconds",
        verdict=verdict(bool(p99s) and max(p99s) < 30_000, f"p99 {max(p99s, default=0):.0f} ms" if p99s else ""),
        limited_by=cpu.limiter(),
        cpu=cpu_summary(cpu),
        cost={"worker_ms_per_email": round(1000 * worker_seconds / delivered, 2)} if delivered else {},
        details={"p50_ms": p50s, "p99_ms": p99s, "worst_s": round(worst, 2), "emails": delivered},
    )


def freshness_row(bench: Bench, results: list, cpu: CpuUsage) -> Row:
    medians = Figure([Figure(r.freshness).median for r in results if r.freshness])
    worst = max((max(r.freshness) for r in results if r.freshness), default=None)
    timeouts = sum(r.freshness_timeouts for r in results)
    probes = sum(len(r.freshness) for r in results) + timeouts
    source = "count API" if bench.count_api else "petition page (count API not landed)"
    if timeouts:
        worst_text = f"> {bench.config.probe_timeout:g} s ({timeouts} of {probes} probes never saw it)"
        met = False
    else:
        worst_text = "n/a" if worst is None else f"{worst:.2f} s"
        met = worst is not None and worst <= FRESHNESS_TARGET_S
    return Row(
        scenario="count freshness at peak load",
        figure=f"median {medians.text('{:.2f}', ' s')}, worst {worst_text}; {probes} probes via {source}",
        target="≤ 5 s",
        verdict=verdict(
            met if probes else None,
            f"worst {worst_text}, {FRESHNESS_TARGET_S:g} s allowed" if probes and not met else "",
        ),
        limited_by=cpu.limiter(),
        cpu=cpu_summary(cpu),
        details={"freshness_s": [r.freshness for r in results], "timeouts": timeouts},
    )
