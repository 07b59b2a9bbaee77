"""The production configuration on loopback, started and stopped by the benchmark.

A dedicated PostgreSQL database (created fresh, dropped afterwards), its own
Redis database (flushed before and after), a local SMTP sink, granian with
workers from the core count, a Celery worker and Celery beat: each child runs
in its own process group, so stopping it stops its children too, and nothing
the harness did not start is ever signalled.
"""

import ctypes
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import redis

from .cpu import process_group_pids

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN_DIR = Path(PYTHON).parent


PR_SET_PDEATHSIG = 1


def die_with_the_harness() -> None:
    """In the child before exec: be sent SIGTERM if the harness itself is killed outright."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


class StackError(RuntimeError):
    """A service of the benchmark's stack did not start or answer."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def redis_db(url: str) -> int:
    path = urlsplit(url).path.lstrip("/")
    return int(path) if path else 0


class Stack:
    def __init__(self, *, database_url: str, redis_url: str, workers: int, worker_concurrency: int, run_dir: Path):
        if "bench" not in database_name(database_url):
            raise StackError(
                f"refusing to use database {database_name(database_url)!r}: the benchmark drops and recreates it, "
                "so its name must contain 'bench'"
            )
        if redis_db(redis_url) == 0:
            raise StackError("refusing to flush Redis database 0: give the benchmark its own, e.g. redis://…/7")
        if urlsplit(database_url).hostname not in ("127.0.0.1", "localhost") or urlsplit(redis_url).hostname not in (
            "127.0.0.1",
            "localhost",
        ):
            raise StackError("the benchmark runs its stack on loopback only")
        self.database_url = database_url
        self.redis_url = redis_url
        self.workers = workers
        self.worker_concurrency = worker_concurrency
        self.run_dir = run_dir
        self.web_port = free_port()
        self.smtp_port = free_port()
        self.base_url = f"http://127.0.0.1:{self.web_port}"
        self.sink_file = run_dir / "smtp-sink.tsv"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = self.server_environment()

    # Environment -------------------------------------------------------------

    def server_environment(self) -> dict:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_"))}
        env.update(
            {
                "DEBUG": "0",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "IP_HASH_KEY": secrets.token_urlsafe(50),
                "EMAIL_LINK_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SITE_URL": self.base_url,
                "SECURE_SSL_REDIRECT": "0",
                # Behind one TLS-terminating proxy, as in production; the load
                # generator, on loopback, sends what that proxy would.
                "TRUSTED_PROXIES": "127.0.0.1,::1",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(self.smtp_port),
                "DEFAULT_FROM_EMAIL": "petition@example.org",
                "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def product_environment(self) -> dict:
        """The worker and beat run the product's settings untouched."""
        return {**self.env, "DJANGO_SETTINGS_MODULE": "petition.settings"}

    # Data stores ---------------------------------------------------------------

    def admin_connection(self):
        parts = urlsplit(self.database_url)
        maintenance = urlunsplit(parts._replace(path="/postgres"))
        connection = psycopg2.connect(maintenance, connect_timeout=5)
        connection.autocommit = True
        return connection

    def recreate_database(self) -> None:
        name = database_name(self.database_url)
        connection = self.admin_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()

    def drop_database(self) -> None:
        name = database_name(self.database_url)
        connection = self.admin_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            connection.close()

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url, socket_timeout=5, socket_connect_timeout=5)

    def flush_redis(self) -> None:
        self.redis().flushdb()

    def queue_depth(self) -> int:
        """Celery messages waiting or being worked on (acks_late keeps them 'unacked')."""
        client = self.redis()
        return int(client.llen("celery")) + int(client.hlen("unacked"))

    def manage(self, *args: str, timeout: float = 600) -> None:
        log = self.run_dir / "manage.log"
        with open(log, "a") as out:
            completed = subprocess.run(
                [PYTHON, "manage.py", *args],
                cwd=BASE_DIR,
                env=self.product_environment(),
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        if completed.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} failed (see {log})")

    # Processes -----------------------------------------------------------------

    def spawn(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = open(self.run_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it until stopped
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_the_harness,
        )
        log.close()
        self.processes[name] = process
        return process

    def start(self, log=print) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        log("creating the benchmark database and clearing its Redis database")
        self.recreate_database()
        self.flush_redis()
        log("migrating and collecting static files")
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.sink_file.touch()
        self.spawn(
            "smtp-sink",
            [PYTHON, "-m", "bench.smtp_sink", "--port", str(self.smtp_port), "--out", str(self.sink_file)],
            self.env,
        )
        self.wait_for_port(self.smtp_port, "SMTP sink")
        self.spawn(
            "web",
            [
                str(BIN_DIR / "granian"),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.web_port),
                "--workers",
                str(self.workers),
                "--blocking-threads",
                "1",
                "--no-ws",
                "--respawn-failed-workers",
                "--workers-kill-timeout",
                "10",
                "petition.wsgi:application",
            ],
            self.env,
        )
        self.spawn(
            "celery-worker",
            [
                str(BIN_DIR / "celery"),
                "-A",
                "petition",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(self.worker_concurrency),
                "--hostname",
                f"bench-{self.web_port}@%h",
            ],
            self.product_environment(),
        )
        self.spawn(
            "celery-beat",
            [
                str(BIN_DIR / "celery"),
                "-A",
                "petition",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(self.run_dir / "celerybeat-schedule"),
            ],
            self.product_environment(),
        )
        self.wait_for_http("/__bench__/cached/", "granian")
        self.wait_for_log("celery-worker", b" ready.", "Celery worker")
        log(f"stack up: granian {self.workers} workers on {self.base_url}, celery worker x{self.worker_concurrency}")

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise StackError(f"{name} exited with {process.returncode} (see {self.run_dir / (name + '.log')})")

    def wait_for_port(self, port: int, what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise StackError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")

    def wait_for_http(self, path: str, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise StackError(f"{what} did not answer {path} within {timeout:.0f} s")

    def wait_for_log(self, name: str, marker: bytes, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        path = self.run_dir / f"{name}.log"
        while time.monotonic() < deadline:
            self.check_alive()
            if marker in path.read_bytes():
                return
            time.sleep(0.3)
        raise StackError(f"{what} was not ready within {timeout:.0f} s (see {path})")

    def wait_for_quiet(self, timeout: float) -> float | None:
        """Wait until Celery has nothing queued or in flight; seconds waited, or None on timeout."""
        began = time.monotonic()
        deadline = began + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            if self.queue_depth() == 0:
                return time.monotonic() - began
            time.sleep(0.5)
        return None

    def group_pids(self, name: str) -> set[int]:
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return set()
        return process_group_pids(process.pid)

    def stop(self) -> None:
        """Stop every process the harness started: TERM to each group, then KILL what lingers."""
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for process in self.processes.values():
            # The group may outlive its leader (e.g. pool children): make sure it is gone.
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if process.poll() is None:
                process.wait(timeout=5)
        self.processes.clear()

    def tear_down(self, keep_database: bool = False) -> None:
        self.stop()
        try:
            self.flush_redis()
        except redis.RedisError:
            pass
        if not keep_database:
            try:
                self.drop_database()
            except psycopg2.Error:
                pass
