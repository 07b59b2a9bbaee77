"""`make bench`: start the production configuration on loopback, drive it, print the table.

    python -m bench.run            # full run, about 20 minutes on 2 cores
    BENCH_QUICK=1 python -m bench.run   # seconds-long scenarios on tiny data (the smoke test)

Everything it starts is stopped again, also on Ctrl-C or failure. Results go
to stdout and to bench/results/<time>/ (table.md, results.json, service logs).
"""

import logging
import os
import signal
import sys
import time
import traceback
from pathlib import Path

import django
from django.db import connections

from .config import Config
from .report import Row, machine_description, render, write_json
from .stack import Stack

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def setup_django(env: dict) -> None:
    """The harness reads and seeds the same database as the servers, with the same settings."""
    for key in ("DEBUG", "SECRET_KEY", "IP_HASH_KEY", "EMAIL_LINK_KEY", "ALLOWED_HOSTS", "SITE_URL", "SECURE_SSL_REDIRECT", "TRUSTED_PROXIES",
                "DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "EMAIL_PORT", "DJANGO_SETTINGS_MODULE"):  # fmt: skip
        os.environ[key] = env[key]
    os.environ["CONN_MAX_AGE"] = "0"
    django.setup()
    # The seeder writes rows already flagged as counted and lets reconcile set
    # the totals, which reconcile rightly reports as corrections, and crosses
    # milestones: expected here, and not what the harness's output is for.
    logging.getLogger("campaigns").setLevel(logging.ERROR)


def stop_cleanly_on_signals() -> None:
    """Ctrl-C, TERM and HUP all unwind through the finally that stops the stack."""

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def main() -> int:
    config = Config.from_env()
    run_dir = RESULTS_DIR / time.strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    stop_cleanly_on_signals()
    log(config.describe())
    stack = Stack(
        database_url=config.database_url,
        redis_url=config.redis_url,
        workers=config.workers,
        worker_concurrency=config.worker_concurrency,
        run_dir=run_dir,
    )
    rows: list[Row] = []
    notes: list[str] = []
    failed = False
    began = time.monotonic()
    try:
        stack.start(log=log)
        setup_django(stack.env)
        # The scenarios import the models, which needs django.setup() with the
        # stack's settings: the one import that cannot move to the top.
        from .scenarios import SCENARIOS, Bench

        bench = Bench(config, stack, log=log)
        rows, notes = bench.rows, bench.notes
        bench.prepare()
        for name, run_scenario in SCENARIOS.items():
            if name in config.scenarios:
                run_scenario(bench)
    except KeyboardInterrupt:
        failed = True
        notes.append("interrupted: the table holds what was measured before the interruption")
        log("interrupted; stopping everything the benchmark started")
    except Exception as exc:
        failed = True
        notes.append(f"the run failed: {type(exc).__name__}: {exc} (logs in {run_dir})")
        traceback.print_exc()
    finally:
        try:
            connections.close_all()
        except Exception:
            pass
        stack.tear_down(keep_database=config.keep_database)
        log("stopped every service the benchmark started")
    notes.append(f"the whole run took {time.monotonic() - began:.0f} s; service logs in {run_dir}")
    machine = machine_description()
    text = render(rows, config.describe(), machine, notes)
    (run_dir / "table.md").write_text(text)
    write_json(run_dir / "results.json", rows, config, machine, notes)
    print()
    print(text, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
