"""PostgreSQL's ceiling for the sign/confirm path: pgbench with the path's own statements.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/petition_pgbench python -m bench.pgbench_path \\
        [--rows 1000000] [--clients 1,2,4,8,16] [--seconds 20] [--scripts writes,path]

Recreates the database (its name must end in _pgbench), migrates it, seeds
--rows confirmed signatures (so the indexes have a real size), then runs two
scripts at each client count: bench/pgbench_writes.sql (the sign INSERT and the
confirm UPDATE, which every signature costs the primary however email is sent)
and bench/pgbench_path.sql (those plus the worker's outbox statements and the
reads by primary key). For each it prints signatures per second, the latency,
the CPU the database's backends spent per signature (read from /proc while it
runs) and the WAL written per signature. pgbench runs on the same cores, so
the throughput is a floor for a dedicated database server; the CPU and WAL per
signature are what carry over to one.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2

HERE = Path(__file__).resolve().parent
SCRIPTS = {"writes": HERE / "pgbench_writes.sql", "path": HERE / "pgbench_path.sql"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def pgbench_binary() -> str:
    found = shutil.which("pgbench") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))), None)
    if not found:
        raise SystemExit("pgbench not found (it ships with PostgreSQL: /usr/lib/postgresql/*/bin/pgbench)")
    return str(found)


def recreate(database_url: str) -> None:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name.endswith("_pgbench"):
        raise SystemExit("bench.pgbench_path recreates its database: give DATABASE_URL a name ending in _pgbench")
    admin = psycopg2.connect(parts._replace(path="/postgres").geturl(), connect_timeout=5)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "petition.settings"}
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=HERE.parent, env=env, check=True
    )


def seed(connection, rows: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaigns_campaign (slug, title, summary, body, language, goal, status, opens_at, image, "
            "image_alt, staff_emails, eci_thresholds, embed_on_any_site, retention_days, signature_count, paper_count, created_at, "
            "updated_at) VALUES ('pgbench', 'pgbench', '', '', 'en', 1000000, 'open', now(), '', '', '', false, false, "
            "365, 0, 0, now(), now()) RETURNING id"
        )
        campaign = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO signatures_signature (campaign_id, first_name, last_name, email, email_canonical, country,
                postcode, language, status, contact_consent, utm_source, utm_campaign, ip_hash, link_salt, legacy_token_hash, email_attempts, source,
                sheet_reference, created_at,
                confirmed_at, rejection_reason, email_due, emails_sent, is_counted)
            SELECT %s, 'Ada', 'Lovelace', 'seed' || i || '@example.org', 'seed' || i || '@example.org', 'DE', '10115',
                'en', 'confirmed', false, '', '', md5(i::text) || md5((i + 1)::text), md5(i::text), '', 0, 'online', '',
                now(), now(), '', '', 1, true
            FROM generate_series(1, %s) AS i
            """,
            [campaign, rows],
        )
        cursor.execute("VACUUM ANALYZE signatures_signature")
    return campaign


class BackendCpu:
    """CPU seconds spent by this database's pgbench backends, sampled from /proc while pgbench runs."""

    def __init__(self, connection):
        self.connection = connection
        self.seen: dict[int, float] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stopping.is_set():
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pgbench'"
                )
                pids = [row[0] for row in cursor.fetchall()]
            for pid in pids:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                self.seen[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            self.stopping.wait(0.2)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


def wal_lsn(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
        return int(cursor.fetchone()[0])


def run_pgbench(database_url: str, script: Path, campaign: int, clients: int, seconds: int, connection) -> dict:
    command = [
        pgbench_binary(), "-n", "-M", "prepared", "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1)),
        "-T", str(seconds), "-D", f"campaign={campaign}", "-f", str(script), database_url,
    ]  # fmt: skip
    before = wal_lsn(connection)
    with BackendCpu(connection) as cpu:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    wal = wal_lsn(connection) - before
    done = int(re.search(r"number of transactions actually processed: (\d+)", output).group(1))
    return {
        "clients": clients,
        "tps": float(re.search(r"tps = ([\d.]+)", output).group(1)),
        "latency_ms": float(re.search(r"latency average = ([\d.]+) ms", output).group(1)),
        "cpu_ms": 1000 * cpu.seconds / done if done else 0.0,
        "wal_bytes": wal / done if done else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", default="1,2,4,8,16")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--scripts", default=",".join(SCRIPTS), help=f"which of {', '.join(SCRIPTS)} to run")
    options = parser.parse_args()
    chosen = [name.strip() for name in options.scripts.split(",") if name.strip()]
    unknown = set(chosen) - set(SCRIPTS)
    if unknown:
        raise SystemExit(f"--scripts: unknown {', '.join(sorted(unknown))}; choose from {', '.join(SCRIPTS)}")
    database_url = os.environ["DATABASE_URL"]
    recreate(database_url)
    connection = psycopg2.connect(database_url, connect_timeout=5)
    connection.autocommit = True
    began = time.monotonic()
    campaign = seed(connection, options.rows)
    print(f"seeded {options.rows:,} signatures in {time.monotonic() - began:.0f} s")
    print("| script | clients | signatures/s | latency | backend CPU per signature | WAL per signature |")
    print("|---|---|---|---|---|---|")
    for name in chosen:
        script = SCRIPTS[name]
        for clients in (int(c) for c in options.clients.split(",")):
            r = run_pgbench(database_url, script, campaign, clients, options.seconds, connection)
            print(
                f"| {name} | {clients} | {r['tps']:,.0f} | {r['latency_ms']:.1f} ms | {r['cpu_ms']:.2f} ms | "
                f"{r['wal_bytes'] / 1024:.1f} KiB |",
                flush=True,
            )
    connection.close()


if __name__ == "__main__":
    main()
