"""Benchmark sending an update to N consenting signers against plain smtplib over one connection.

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/updates_bench.py \
        [--recipients 1000000] [--workers 2] [--baseline 20000] [--json]

Seeds a campaign "updates-bench" with N confirmed signatures that consented
to its lead organisation (once; reused while the count matches) and starts a
local SMTP sink that counts every recipient. The baseline sends --baseline
pre-rendered messages with smtplib over one connection; the product writes the
recipients (INSERT ... SELECT), then --workers processes run
signatures.updates.sending.run (what the send_update task runs) until the
update is done. Reports both rates, their ratio, the time to write the
recipients, every worker's peak RSS and its RSS over the run (flat or not),
and what the sink received (every recipient once, nobody twice).
"""

import argparse
import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petition.settings")

SLUG = "updates-bench"
TARGET_PER_SECOND = 1_000_000 / 3600
BODY = """Hello {first_name},

We handed **{petition}** to the Commission this morning, with every signature you helped collect.

- Watch the hand-over: [the recording](https://example.org/handover)
- What happens next: the Commission has three months to answer.

Thank you for standing with us."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The sink ----------------------------------------------------------------------


class CountingHandler:
    def __init__(self):
        self.counts: dict[str, int] = {}
        self.messages = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        for rcpt in envelope.rcpt_tos:
            self.counts[rcpt] = self.counts.get(rcpt, 0) + 1
        return "250 OK"


def run_sink(port: int, out: str) -> None:
    """A child process: accept everything on loopback; at SIGTERM write what arrived."""
    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    controller.start()
    print("ready", flush=True)
    stop.wait(timeout=6 * 3600)
    controller.stop()
    duplicates = sum(1 for n in handler.counts.values() if n > 1)
    Path(out).write_text(
        json.dumps({"messages": handler.messages, "recipients": len(handler.counts), "duplicates": duplicates})
    )


def start_sink(port: int, out: str) -> subprocess.Popen:
    sink = subprocess.Popen([sys.executable, __file__, "--sink", str(port), out], stdout=subprocess.PIPE, text=True)
    if sink.stdout.readline().strip() != "ready":
        raise SystemExit("the SMTP sink did not start")
    return sink


def stop_sink(sink: subprocess.Popen, out: str) -> dict:
    sink.send_signal(signal.SIGTERM)
    sink.wait(timeout=60)
    return json.loads(Path(out).read_text())


# Data --------------------------------------------------------------------------


def setup_django():
    import django

    django.setup()


def seed(recipients: int) -> int:
    """The bench campaign with exactly N consenting confirmed signers; returns the update's id."""
    from django.db import connection, transaction

    from bench.seeding import insert_signatures
    from campaigns.models import Campaign, Organisation, Update, UpdateText
    from signatures.models import Consent, Signature

    organisation, _ = Organisation.objects.get_or_create(slug="updates-bench-lead", defaults={"name": "Bench lead"})
    campaign, _ = Campaign.objects.get_or_create(
        slug=SLUG,
        defaults={"title": "Ban biometric mass surveillance", "status": Campaign.Status.OPEN, "lead_organisation": organisation},
    )
    if Signature.objects.filter(campaign=campaign).count() != recipients:
        print(f"seeding {recipients:,} consenting signers...", file=sys.stderr, flush=True)
        with transaction.atomic():
            Update.objects.filter(campaign=campaign).delete()
            Consent.objects.filter(signature__campaign=campaign).delete()
            Signature.objects.filter(campaign=campaign).delete()
        insert_signatures(campaign.pk, recipients, status=Signature.Status.CONFIRMED, tag=f"upd{os.getpid()}")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO signatures_consent (signature_id, organisation_id, text_shown, given_at) "
                "SELECT id, %s, 'Bench lead may email me.', now() FROM signatures_signature WHERE campaign_id = %s",
                [organisation.pk, campaign.pk],
            )
            cursor.execute("ANALYZE signatures_consent")
    Update.objects.filter(campaign=campaign).delete()
    update = Update.objects.create(campaign=campaign, organisation=organisation, sender_name="Bench lead")
    UpdateText.objects.create(update=update, language="en", subject="News about {petition}", body=BODY)
    return update.pk


# The baseline ------------------------------------------------------------------


def baseline(port: int, count: int) -> dict:
    """Plain smtplib, one connection, messages rendered before the clock starts."""
    messages = []
    for i in range(count):
        message = EmailMessage()
        message["From"] = "Bench lead <petition@localhost>"
        message["To"] = f"baseline-{i}@example.org"
        message["Subject"] = "News about Ban biometric mass surveillance"
        message["List-Unsubscribe"] = f"<http://127.0.0.1/s/unsubscribe/{i}/token/1/>"
        message.set_content(BODY.replace("{first_name}", "Seed").replace("{petition}", "Ban biometric mass surveillance"))
        messages.append((f"baseline-{i}@example.org", message.as_bytes()))
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for to, raw in messages:
            smtp.sendmail("petition@localhost", [to], raw)
    seconds = time.perf_counter() - start
    return {"messages": count, "seconds": round(seconds, 2), "per_second": round(count / seconds, 1)}


# The product -------------------------------------------------------------------


def child_worker(update_id: int) -> None:
    """One worker process: what the send_update task runs, timed, with its own peak RSS."""
    setup_django()
    from signatures.updates import sending

    start = time.perf_counter()
    sent = sending.run(update_id)
    print(json.dumps({
        "sent": sent, "seconds": time.perf_counter() - start, "peak_rss_mb": own_peak_rss_mb(),
    }))  # fmt: skip


def own_peak_rss_mb() -> float:
    """VmHWM: ru_maxrss would be the parent's size at the fork when that was larger (Linux keeps it across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def product(update_id: int, workers: int, port: int) -> dict:
    from campaigns.models import Update
    from signatures.updates.starting import begin_sending

    Update.objects.filter(pk=update_id).update(status=Update.Status.SCHEDULED, send_at=time_now())
    start = time.perf_counter()
    begin_sending(update_id)
    materialise_seconds = time.perf_counter() - start
    env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)}
    start = time.perf_counter()
    children = [
        subprocess.Popen([sys.executable, __file__, "--child-worker", str(update_id)], stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(workers)
    ]
    samples: list[tuple[float, list[float]]] = []
    while any(child.poll() is None for child in children):
        samples.append((time.perf_counter() - start, [rss_mb(child.pid) or 0.0 for child in children]))
        time.sleep(2)
    seconds = time.perf_counter() - start
    reports = []
    for child in children:
        output = child.stdout.read().strip().splitlines()
        if child.returncode != 0 or not output:
            raise SystemExit(f"a worker failed ({child.returncode})")
        reports.append(json.loads(output[-1]))
    update = Update.objects.get(pk=update_id)
    # RSS over the run, per worker: a tenth of the way in, half-way, and at the end.
    marks = {}
    if samples:
        for name, fraction in (("10%", 0.1), ("50%", 0.5), ("end", 1.0)):
            index = min(len(samples) - 1, int(fraction * (len(samples) - 1)))
            marks[name] = [round(value, 1) for value in samples[index][1]]
    return {
        "status": update.status,
        "recipients": update.recipient_count,
        "sent": update.sent_count,
        "skipped": update.skipped_count,
        "failed": update.failed_count,
        "write_recipients_seconds": round(materialise_seconds, 2),
        "send_seconds": round(seconds, 2),
        "per_second": round(update.sent_count / seconds, 1),
        "workers": workers,
        "worker_peak_rss_mb": [round(report["peak_rss_mb"], 1) for report in reports],
        "worker_rss_mb_over_the_run": marks,
    }


def time_now():
    from django.utils import timezone

    return timezone.now()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", type=int, default=20_000, help="messages smtplib sends for the baseline")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sink", nargs=2, metavar=("PORT", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--child-worker", type=int, metavar="UPDATE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        run_sink(int(args.sink[0]), args.sink[1])
        return 0
    if args.child_worker:
        child_worker(args.child_worker)
        return 0
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL database (it gets a campaign 'updates-bench')")
    # The cap is part of the path measured, set far above the rate so that it counts without holding back.
    os.environ.setdefault("UPDATE_SEND_PER_MINUTE", "10000000")
    setup_django()
    update_id = seed(args.recipients)
    with tempfile.TemporaryDirectory(prefix="updates-bench-") as scratch:
        port = free_port()
        sink = start_sink(port, os.path.join(scratch, "baseline.json"))
        base = baseline(port, args.baseline)
        base["sink"] = stop_sink(sink, os.path.join(scratch, "baseline.json"))
        port = free_port()
        sink = start_sink(port, os.path.join(scratch, "product.json"))
        try:
            ours = product(update_id, args.workers, port)
        finally:
            ours["sink"] = stop_sink(sink, os.path.join(scratch, "product.json")) if "ours" in dir() else None
    ratio = round(ours["per_second"] / base["per_second"], 3)
    hour_projection = ours["write_recipients_seconds"] + 1_000_000 / ours["per_second"]
    sink = ours["sink"]
    result = {
        "recipients": args.recipients,
        "baseline_smtplib": base,
        "product": ours,
        "rate_ratio": ratio,
        "projected_seconds_for_1m": round(hour_projection),
        "target_per_second": round(TARGET_PER_SECOND, 1),
        "exactly_once": sink["recipients"] == args.recipients and sink["duplicates"] == 0
        and sink["messages"] == args.recipients,
        "ok": ours["per_second"] >= TARGET_PER_SECOND,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
