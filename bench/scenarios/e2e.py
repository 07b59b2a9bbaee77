"""e2e: signers sign, the worker emails, the sink receives, clickers confirm; and how fresh the count stays."""

from signatures.fold import fold_counts
from signatures.models import Signature

from .. import loadgen
from ..cpu import CpuUsage
from ..report import Row, cpu_summary, verdict
from ..stats import Figure
from .common import Bench
from .targets import E2E_CPU_TARGET_MS, E2E_TARGET_PER_HOUR, FRESHNESS_TARGET_S, SIZING_PER_HOUR, shortfall

# Everything a signature costs on the server side, from page to counted.
STACK_GROUPS = ("web (granian)", "celery worker", "celery beat", "postgres", "redis (shared)", "smtp sink")


def run(bench: Bench) -> None:
    bench.log("scenario: end to end (sign, email, click) with count freshness at peak load")
    paths = bench.paths()
    count_path = bench.count_api or paths["page"]
    results, cpu = [], CpuUsage()
    for repeat in range(bench.config.repeats):
        bench.settle("before end to end")
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
        cpu.add(usage)
    bench.settle("end to end")
    bench.rows.append(throughput_row(bench, results, cpu))
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
