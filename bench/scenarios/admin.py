"""admin: staff load the signature changelist, search an email and filter, one request at a time."""

from signatures.models import Signature

from .. import loadgen
from ..report import Row, cpu_summary, verdict
from ..stats import Figure
from .common import Bench
from .targets import ADMIN_TARGET_MS


def run(bench: Bench) -> None:
    bench.ensure_large()
    rows = bench.signature_rows()
    bench.log(f"scenario: admin at {rows:,} signatures")
    paths = bench.paths()
    sample = (
        Signature.objects.filter(campaign=bench.campaign).exclude(email="").order_by("pk").values_list("email", flat=True)
    )
    email = sample[rows // 2] if rows > 1 else sample.first()
    changelist = paths["admin_changelist"]
    pages = {
        "changelist": (changelist, 'id="result_list"'),
        "email search": (f"{changelist}?q={email}", email),
        "filter (confirmed, this campaign)": (
            f"{changelist}?status__exact=confirmed&campaign__id__exact={bench.campaign.pk}",
            'id="result_list"',
        ),
    }
    start = bench.sampler.snapshot()
    outcome = loadgen.run(
        loadgen.admin_timings(
            bench.stack.base_url,
            paths["admin_login"],
            paths["admin_two_factor"],
            "bench-admin",
            bench.admin_password,
            bench.admin_totp_key,
            pages,
            bench.config.admin_repeats,
        )
    )
    usage = bench.sampler.usage(start, bench.sampler.snapshot())
    figures = {name: Figure(values) for name, values in outcome["timings_ms"].items()}
    failures = outcome["failures"]
    met = all(f.available and f.median < ADMIN_TARGET_MS for f in figures.values()) and not failures
    slow = [f"{name} {f.median:.0f} ms" for name, f in figures.items() if f.available and f.median >= ADMIN_TARGET_MS]
    bench.rows.append(
        Row(
            scenario=f"admin at {rows:,} signatures",
            figure="; ".join(f"{name} {f.text('{:.0f}', ' ms')}" for name, f in figures.items())
            + (f"; failures {failures}" if failures else ""),
            baseline="— (server time: one request at a time on loopback)",
            target="< 300 ms each",
            verdict=verdict(met, ", ".join(slow) or (str(failures) if failures else "")),
            limited_by=usage.limiter(),
            cpu=cpu_summary(usage),
            details={"timings_ms": outcome["timings_ms"], "failures": failures},
        )
    )
