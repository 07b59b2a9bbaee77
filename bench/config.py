"""Durations, sizes and targets of a benchmark run, from environment variables.

The defaults keep a full run near 20 minutes on 2 cores; BENCH_QUICK=1 makes
every scenario seconds-long on tiny data, for the smoke test.
"""

import os
from dataclasses import dataclass

ALL_SCENARIOS = ("sign", "confirm", "reads", "e2e", "growth", "admin", "export", "updates", "csv_import")


def _env(name: str, default, quick_default, quick: bool, kind=float):
    value = os.environ.get(name, "")
    if value.strip():
        return kind(value)
    return quick_default if quick else default


@dataclass(frozen=True)
class Config:
    quick: bool
    duration: float
    repeats: int
    warmup: float
    concurrency: int
    workers: int
    worker_concurrency: int
    small_rows: int
    large_rows: int
    confirm_pool: int
    e2e_duration: float
    growth_duration: float
    probe_gap: float
    probe_timeout: float
    admin_repeats: int
    export_repeats: int
    update_recipients: int
    update_workers: int
    update_baseline: int
    drain_seconds: float
    database_url: str
    redis_url: str
    scenarios: tuple[str, ...]
    keep_database: bool

    @classmethod
    def from_env(cls) -> "Config":
        quick = os.environ.get("BENCH_QUICK", "").strip().lower() in ("1", "true", "yes", "on")
        cores = os.cpu_count() or 1
        # What the image runs on two cores (Dockerfile, docker-compose.yml: 3).
        workers = _env("BENCH_WORKERS", cores + 1, 2, quick, int)
        wanted = os.environ.get("BENCH_SCENARIOS", "").strip()
        scenarios = tuple(s.strip() for s in wanted.split(",") if s.strip()) if wanted else ALL_SCENARIOS
        unknown = set(scenarios) - set(ALL_SCENARIOS)
        if unknown:
            raise SystemExit(f"BENCH_SCENARIOS: unknown {', '.join(sorted(unknown))}; choose from {', '.join(ALL_SCENARIOS)}")
        return cls(
            quick=quick,
            duration=_env("BENCH_DURATION", 15.0, 1.5, quick),
            repeats=_env("BENCH_REPEATS", 3, 2, quick, int),
            warmup=_env("BENCH_WARMUP", 3.0, 0.5, quick),
            # The offered load, apart from how many workers serve it: ten visitors on two cores.
            concurrency=_env("BENCH_CONCURRENCY", 5 * cores, 4, quick, int),
            workers=workers,
            worker_concurrency=_env("BENCH_CELERY_CONCURRENCY", cores, 1, quick, int),
            small_rows=_env("BENCH_SMALL_ROWS", 10_000, 200, quick, int),
            large_rows=_env("BENCH_LARGE_ROWS", 1_000_000, 2_000, quick, int),
            confirm_pool=_env("BENCH_CONFIRM_POOL", 30_000, 1_500, quick, int),
            e2e_duration=_env("BENCH_E2E_DURATION", 30.0, 3.0, quick),
            growth_duration=_env("BENCH_GROWTH_DURATION", 10.0, 1.0, quick),
            probe_gap=_env("BENCH_PROBE_GAP", 1.0, 0.3, quick),
            probe_timeout=_env("BENCH_PROBE_TIMEOUT", 30.0, 10.0, quick),
            admin_repeats=_env("BENCH_ADMIN_REPEATS", 7, 2, quick, int),
            export_repeats=_env("BENCH_EXPORT_REPEATS", 3, 1, quick, int),
            update_recipients=_env("BENCH_UPDATE_RECIPIENTS", 1_000_000, 300, quick, int),
            update_workers=_env("BENCH_UPDATE_WORKERS", 2, 2, quick, int),
            update_baseline=_env("BENCH_UPDATE_BASELINE", 20_000, 300, quick, int),
            drain_seconds=_env("BENCH_DRAIN_SECONDS", 180.0, 30.0, quick),
            database_url=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/petition_benchrun"),
            redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
            scenarios=scenarios,
            keep_database=os.environ.get("BENCH_KEEP_DB", "") == "1",
        )

    def describe(self) -> str:
        mode = "quick" if self.quick else "full"
        return (
            f"{mode} mode: {self.repeats} runs of {self.duration:g} s per figure (+{self.warmup:g} s warm-up), "
            f"{self.concurrency} concurrent visitors, granian {self.workers} workers of one thread each, "
            f"celery concurrency {self.worker_concurrency}, end to end {self.e2e_duration:g} s, "
            f"scale {self.small_rows:,} -> {self.large_rows:,} signatures"
        )
