"""CPU per request of the sign POST, the confirm step and the count API, each beside its bare baseline, and per confirmation email drained, in one process.

    DATABASE_URL=postgres://… REDIS_URL=redis://…/N python -m bench.inprocess [--profile confirm] [--requests 300]

No web server, no load generator, no worker: Django's test client makes the requests.

On a machine shared with other work, wall-clock throughput moves by 2x between
identical runs while this process's own CPU time (time.process_time) moves by
a few percent: that is the figure to compare a change by. It runs the
benchmark's settings (DEBUG off, bench.settings, the same middleware, cache and
database as the web server would), recreates the database named in DATABASE_URL
(refused unless its name ends in "_bench"; dropped again at the end) and flushes the Redis database of
REDIS_URL. The sign POST publishes its Celery message to that Redis database
as in production; no worker runs, so the messages are flushed at the end.
Then the confirmation emails those signatures are owed are drained by
signatures.outbox.drain, as the worker would, to an SMTP sink in a process of
its own (bench.smtp_sink), so the CPU counted is the drain's alone.
--profile prints the top of a cProfile (CPU time, not waiting) of the chosen request, or of the drain.
One confirm is what a signer does with the emailed link: GET the button page,
then POST the button, on pending signatures inserted beforehand (one each).
bench.instructions runs the same requests and counts their instructions instead.
"""

import argparse
import cProfile
import os
import pstats
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import django
import psycopg2
import redis

from bench.stack import free_port

WARM_UP = 30


def environment(email_port: int) -> None:
    database_url = os.environ["DATABASE_URL"]
    if not urlsplit(database_url).path.rstrip("/").endswith("_bench"):
        raise SystemExit("bench.inprocess recreates its database: give DATABASE_URL a name ending in _bench")
    os.environ.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "IP_HASH_KEY": secrets.token_urlsafe(50),
            "EMAIL_LINK_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SITE_URL": "https://testserver",
            "SECURE_SSL_REDIRECT": "0",
            "TRUSTED_PROXIES": "127.0.0.1,::1",
            "CONN_MAX_AGE": "60",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(email_port),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "bench.settings",
        }
    )
    drop_database(database_url)
    name = urlsplit(database_url).path.lstrip("/")
    administer(database_url, f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


def administer(database_url: str, statement: str) -> None:
    """Run a statement on the server of database_url, connected to its postgres database."""
    admin = psycopg2.connect(urlsplit(database_url)._replace(path="/postgres").geturl(), connect_timeout=5)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(statement)
    finally:
        admin.close()


def drop_database(database_url: str) -> None:
    name = urlsplit(database_url).path.lstrip("/")
    administer(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(label: str, request, count: int, profile: bool, sort: str = "cumulative") -> list[float]:
    for number in range(WARM_UP):
        request(number)
    profiler = cProfile.Profile(time.process_time) if profile else None
    costs = []
    for number in range(WARM_UP, WARM_UP + count):
        if profiler:
            profiler.enable()
        began = time.process_time()
        request(number)
        costs.append((time.process_time() - began) * 1000)
        if profiler:
            profiler.disable()
    print(
        f"{label}: median {statistics.median(costs):.2f} ms CPU per request, "
        f"mean {statistics.fmean(costs):.2f} ms over {count} requests"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats(sort).print_stats(45)
    return costs


def start_sink(port: int, out: Path) -> subprocess.Popen:
    sink = subprocess.Popen([sys.executable, "-m", "bench.smtp_sink", "--port", str(port), "--out", str(out)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return sink
        except OSError:
            time.sleep(0.1)
    sink.terminate()
    raise SystemExit("the SMTP sink did not start")


def measure_drain(drain, owed: int, sink_file: Path, profile: bool, sort: str = "cumulative") -> None:
    """Drain every owed email in one go, as a worker's drain task would; CPU per email sent."""
    profiler = cProfile.Profile(time.process_time) if profile else None
    if profiler:
        profiler.enable()
    began = time.process_time()
    sent = drain(seconds=3600)
    cost = (time.process_time() - began) * 1000
    if profiler:
        profiler.disable()
    delivered = len(sink_file.read_text().splitlines())
    if sent != owed or delivered != owed:
        raise SystemExit(f"drain sent {sent} and the sink received {delivered} of {owed} owed emails")
    print(f"drain: {cost / sent:.2f} ms CPU per confirmation email, {sent} emails in {cost:.0f} ms")
    if profiler:
        pstats.Stats(profiler).sort_stats(sort).print_stats(45)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", choices=(*REQUEST_LABELS, "drain"), default=None)
    parser.add_argument("--sort", choices=("cumulative", "tottime"), default="cumulative", help="order of the profile")
    options = parser.parse_args()

    def measure_request(label: str, request: Callable[[int], None], count: int) -> float:
        return statistics.median(measure(label, request, count, options.profile == label, options.sort))

    def measure_emails(drain: Callable[..., int], owed: int, sink_file: Path) -> None:
        measure_drain(drain, owed, sink_file, options.profile == "drain", options.sort)

    medians = run(options.requests, measure_request, measure_emails)
    print(
        f"cost ratios (bare / product): sign POST {medians['bare-sign'] / medians['sign']:.2f}x, confirm {medians['bare-link'] / medians['confirm']:.2f}x, "
        f"count {medians['cached'] / medians['count']:.2f}x"
    )


# The requests run() measures, in this order: each product request, then its bare baseline.
REQUEST_LABELS = ("page", "sign", "thanks", "bare-sign", "confirm", "bare-link", "count", "cached")


def run(count: int, measure_request: Callable, measure_emails: Callable) -> dict:
    """Set up the database and Django, then hand each request of REQUEST_LABELS and the drain to the measuring functions.

    measure_request(label, request, count) runs request(number) for numbers
    from WARM_UP on and returns its figure; measure_emails(drain, owed,
    sink_file) drains the owed confirmation emails. Returns each label's figure.
    """
    email_port = free_port()
    sink_file = Path(tempfile.mkdtemp(prefix="bench-inprocess-")) / "smtp-sink.tsv"
    sink = start_sink(email_port, sink_file)
    environment(email_port)
    django.setup()
    # Django is set up only now, with the environment above.
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone, translation

    from bench.baselines import CACHED_VALUE_KEY, CREATE_TABLE_SQL
    from bench.seeding import insert_signatures
    from campaigns.models import Campaign, Organisation
    from campaigns.services import add_default_milestones
    from signatures.links import confirm_path
    from signatures.models import Signature
    from signatures.outbox import drain

    call_command("migrate", verbosity=0)
    # Pages render static links through whitenoise's manifest, as under the web server.
    call_command("collectstatic", interactive=False, verbosity=0)
    lead = Organisation.objects.create(name="Bench coalition", slug="bench-coalition", website="https://example.org/")
    campaign = Campaign.objects.create(
        slug="bench-petition",
        title="Ban biometric mass surveillance",
        summary="Europeans asking the EU to ban biometric mass surveillance in public spaces.",
        body="We call on the European Union to **ban biometric mass surveillance**.",
        status=Campaign.Status.OPEN,
        opens_at=timezone.now() - timezone.timedelta(days=1),
        lead_organisation=lead,
    )
    add_default_milestones(campaign)
    campaign.partners.add(
        Organisation.objects.create(name="Bench partner", slug="bench-partner", website="https://example.net/")
    )
    cache.set(CACHED_VALUE_KEY, 123_456, None)
    with translation.override("en"):
        page_path = reverse("signatures:petition", kwargs={"slug": campaign.slug})
        sign_path = reverse("signatures:sign", kwargs={"slug": campaign.slug})
        thanks_path = reverse("signatures:thanks", kwargs={"slug": campaign.slug})
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https", HTTP_ACCEPT_LANGUAGE="en")
    tag = secrets.token_hex(3)
    pending = insert_signatures(campaign.pk, WARM_UP + count, status="pending", tag=tag, returning=True)
    confirm_paths = [confirm_path(Signature(pk=pk, link_salt=salt, language="en")) for pk, salt in pending]

    def page(number: int) -> None:
        if client.get(page_path).status_code != 200:
            raise SystemExit("petition page did not answer 200")

    def thanks(number: int) -> None:
        if client.get(thanks_path).status_code != 200:
            raise SystemExit("thank-you page did not answer 200")

    def sign(number: int) -> None:
        # Browsers (and the load generator) post the form urlencoded, not as multipart.
        response = client.post(
            sign_path,
            urlencode(
                {
                    "first_name": "Bench",
                    "last_name": "Signer",
                    "email": f"bench-{tag}-{number}@example.org",
                    "country": "FR",
                    "postcode": "75005",
                    "accept_privacy": "on",
                    "website": "",
                }
            ),
            content_type="application/x-www-form-urlencoded",
            HTTP_ORIGIN="https://testserver",
            HTTP_X_FORWARDED_FOR=f"2001:db8:{number >> 16:x}:{number & 0xFFFF:x}::1",
        )
        if response.status_code != 302:
            raise SystemExit(f"sign POST answered {response.status_code}")

    def confirm(number: int) -> None:
        path = confirm_paths[number]
        if client.get(path).status_code != 200:
            raise SystemExit("confirm link GET did not answer 200")
        # What a browser sends with the button's form: same-origin fetch metadata, urlencoded and empty.
        response = client.post(
            path,
            "",
            content_type="application/x-www-form-urlencoded",
            HTTP_ORIGIN="https://testserver",
            HTTP_SEC_FETCH_SITE="same-origin",
        )
        if response.status_code != 200 or b'data-progress' not in response.content:
            raise SystemExit(f"confirm POST answered {response.status_code}")

    def count_api(number: int) -> None:
        if client.get(f"/api/campaigns/{campaign.slug}/").status_code != 200:
            raise SystemExit("count API did not answer 200")

    def cached(number: int) -> None:
        client.get("/__bench__/cached/")

    def bare_sign(number: int) -> None:
        # make bench's bare sign POST: one INSERT, then a redirect (the test client skips its CSRF check).
        response = client.post(
            "/__bench__/insert/",
            urlencode({"email": f"bare-{tag}-{number}@example.org"}),
            content_type="application/x-www-form-urlencoded",
        )
        if response.status_code != 302:
            raise SystemExit(f"bare insert answered {response.status_code}")

    def bare_link(number: int) -> None:
        # make bench's baseline of the confirm step: a button page, then its POST doing one INSERT.
        path = f"/__bench__/link/?t={number}"
        client.get(path)
        if client.post(path, "", content_type="application/x-www-form-urlencoded").status_code != 200:
            raise SystemExit("bare link POST did not answer 200")

    requests = {
        "page": page,
        "sign": sign,
        "thanks": thanks,
        "bare-sign": bare_sign,
        "confirm": confirm,
        "bare-link": bare_link,
        "count": count_api,
        "cached": cached,
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute(CREATE_TABLE_SQL)
        figures = {label: measure_request(label, requests[label], count) for label in REQUEST_LABELS}
        confirmed = Signature.objects.filter(pk__in=[pk for pk, _ in pending], status=Signature.Status.CONFIRMED)
        if confirmed.count() != len(pending):
            raise SystemExit("not every confirm POST confirmed its signature")
        owed = Signature.objects.with_email_due().count()
        measure_emails(drain, owed, sink_file)
        return figures
    finally:
        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
        sink.terminate()
        sink.wait(timeout=10)
        connections.close_all()
        drop_database(os.environ["DATABASE_URL"])


if __name__ == "__main__":
    main()
