"""What every scenario shares: the prepared campaign, the measured run loop, paths, settling, scale.

Runs are interleaved with their baselines (baseline, product, baseline, …) so
that whatever else the machine is doing weighs on both alike; each ratio is
taken per pair and then its median reported. Between runs the Celery queue
is left to drain, so one run's emails do not eat the next run's CPU.
"""

import os
import secrets
import time

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import get_commands
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from campaigns.models import Campaign, Organisation
from campaigns.services import add_default_milestones
from signatures.fold import fold_counts, reconcile_counts
from signatures.models import Signature

from .. import loadgen
from ..baselines import CACHED_VALUE_KEY, CREATE_TABLE_SQL
from ..config import Config
from ..cpu import CpuSampler, CpuUsage, parent_pid
from ..report import Row
from ..seeding import insert_signatures
from ..stack import Stack

BENCH_SLUG = "bench-petition"
BENCH_BODY = """Biometric mass surveillance treats everyone who passes a camera as a suspect.

We call on the European Union to **ban biometric mass surveillance** in publicly accessible spaces:

- no real-time or after-the-fact face recognition of people in public spaces;
- no emotion recognition or biometric categorisation by police, employers or schools.

A European Citizens' Initiative with one million verified signatures obliges the Commission to respond."""
COUNT_API_CANDIDATES = ("/api/campaigns/{slug}/", "/en/api/campaigns/{slug}/")


class Bench:
    """One run's state, handed to every scenario: rows and notes collect what they measured."""

    def __init__(self, config: Config, stack: Stack, log=print):
        self.config = config
        self.stack = stack
        self.log = log
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.run_tag = secrets.token_hex(3)
        self.sampler = CpuSampler(
            {
                "web (granian)": lambda: stack.group_pids("web"),
                "celery worker": lambda: stack.group_pids("celery-worker"),
                "celery beat": lambda: stack.group_pids("celery-beat"),
                "postgres": self.postgres_backend_pids,
                "redis (shared)": self.redis_pid,
                "smtp sink": lambda: stack.group_pids("smtp-sink"),
                "load generator": lambda: {os.getpid()},
            },
            # Backends that come and go between two snapshots are counted when the postmaster reaps them
            # (and so are its other children that exit meanwhile: autovacuum workers, parallel workers).
            reapers={"postgres": self.postmaster_pid},
        )
        self._postmaster_pid: int | None = None
        self._redis_pid: int | None = None
        # Figures at the small scale, kept by sign and reads for growth to compare against.
        self.small_figures: dict = {}

    # Plumbing -------------------------------------------------------------------

    def postgres_backend_pids(self) -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            return {row[0] for row in cursor.fetchall()}

    def postmaster_pid(self) -> int | None:
        """The parent of this connection's backend: PostgreSQL runs on this machine."""
        if self._postmaster_pid is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self._postmaster_pid = parent_pid(cursor.fetchone()[0])
        return self._postmaster_pid

    def redis_pid(self) -> set[int]:
        if self._redis_pid is None:
            self._redis_pid = int(self.stack.redis().info("server")["process_id"])
        return {self._redis_pid}

    def measure(self, coroutine) -> tuple[object, CpuUsage]:
        self.stack.check_alive()
        start = self.sampler.snapshot()
        result = loadgen.run(coroutine)
        end = self.sampler.snapshot()
        return result, self.sampler.usage(start, end)

    def loop(self, name: str, operation, duration: float, concurrency: int | None = None):
        return self.measure(
            loadgen.closed_loop(
                name,
                self.stack.base_url,
                operation,
                concurrency=concurrency or self.config.concurrency,
                duration=duration,
            )
        )

    def warm_up(self, *operations) -> None:
        for operation in operations:
            loadgen.run(
                loadgen.closed_loop(
                    "warm-up", self.stack.base_url, operation, concurrency=self.config.concurrency, duration=self.config.warmup
                )
            )

    def settle(self, what: str) -> float | None:
        waited = self.stack.wait_for_quiet(self.config.drain_seconds)
        if waited is None:
            self.notes.append(f"after {what}: the Celery queue had not drained within {self.config.drain_seconds:g} s")
        return waited

    def paths(self) -> dict:
        with translation.override("en"):
            return {
                "page": reverse("signatures:petition", kwargs={"slug": BENCH_SLUG}),
                "sign": reverse("signatures:sign", kwargs={"slug": BENCH_SLUG}),
                "admin_login": reverse("admin:login"),
                "admin_two_factor": reverse("admin:two_factor"),
                "admin_changelist": reverse("admin:signatures_signature_changelist"),
            }

    def signature_rows(self) -> int:
        return Signature.objects.filter(campaign=self.campaign).count()

    def confirmed_rows(self) -> int:
        return Signature.objects.filter(campaign=self.campaign, status=Signature.Status.CONFIRMED).count()

    # Preparation -------------------------------------------------------------------

    def prepare(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(CREATE_TABLE_SQL)
        lead = Organisation.objects.create(name="Bench coalition", slug="bench-coalition", website="https://example.org/")
        partner = Organisation.objects.create(name="Bench partner", slug="bench-partner", website="https://example.net/")
        self.campaign = Campaign.objects.create(
            slug=BENCH_SLUG,
            title="Ban biometric mass surveillance",
            summary="Europeans asking the EU to ban biometric mass surveillance in public spaces.",
            body=BENCH_BODY,
            status=Campaign.Status.OPEN,
            opens_at=timezone.now() - timezone.timedelta(days=1),
            lead_organisation=lead,
        )
        self.campaign.partners.add(partner)
        add_default_milestones(self.campaign)
        self.admin_password = secrets.token_urlsafe(18)
        admin = get_user_model().objects.create_superuser("bench-admin", "bench-admin@example.org", self.admin_password)
        # Superusers give a TOTP code after the password: the load generator computes it from this key.
        self.admin_totp_key = TOTPDevice.objects.create(user=admin, name="bench", confirmed=True).key
        cache.set(CACHED_VALUE_KEY, 123_456, None)
        self.log(f"seeding {self.config.small_rows:,} confirmed signatures")
        insert_signatures(self.campaign.pk, self.config.small_rows, status="confirmed", tag=f"small{self.run_tag}")
        reconcile_counts(self.campaign.pk)
        self.count_api = self.find_count_api()
        if self.count_api is None:
            self.notes.append(
                "the count API (/api/campaigns/<slug>/, issue 3) did not answer with a count: "
                "count freshness is read from the petition page instead"
            )

    def find_count_api(self) -> str | None:
        async def probe():
            async with loadgen.new_session(1) as session:
                visitor = loadgen.Visitor(session, self.stack.base_url)
                for template in COUNT_API_CANDIDATES:
                    path = template.format(slug=BENCH_SLUG)
                    try:
                        await loadgen.read_count(visitor, path)
                        return path
                    except (loadgen.FlowError, ValueError):
                        continue
            return None

        return loadgen.run(probe())

    def ensure_large(self) -> None:
        """Bring the campaign to the large scale (once) for the growth and admin scenarios."""
        existing = self.signature_rows()
        missing = self.config.large_rows - existing
        if missing <= 0:
            return
        began = time.monotonic()
        if "seed_signatures" in get_commands():
            self.log(f"seeding {missing:,} signatures with manage.py seed_signatures")
            # The million arrives within the last day, as on the day a petition goes viral.
            # Spread over months, the pending among them would have been reminded
            # (after a day) or deleted (after a month) along the way; seeded as
            # never reminded, the first reminder sweep would owe them all at once
            # and the benchmark would measure that one-off backlog instead.
            self.stack.manage("seed_signatures", BENCH_SLUG, "--count", str(missing), "--days", "1", timeout=1800)
            how = "manage.py seed_signatures --days 1"
        else:
            self.log(f"seeding {missing:,} signatures (seed_signatures has not landed: the bench seeder)")
            confirmed = int(missing * 0.85)
            insert_signatures(self.campaign.pk, confirmed, status="confirmed", tag=f"large{self.run_tag}")
            insert_signatures(self.campaign.pk, missing - confirmed, status="pending", tag=f"largep{self.run_tag}")
            how = "the bench seeder (seed_signatures, issue 4, had not landed)"
        self.settle("seeding")
        fold_counts(self.campaign.pk)
        reconcile_counts(self.campaign.pk)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Signature._meta.db_table)}")
        took = time.monotonic() - began
        self.notes.append(f"scale: {missing:,} signatures added by {how} in {took:.0f} s")
