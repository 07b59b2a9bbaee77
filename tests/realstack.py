"""Real services for end-to-end tests: an SMTP server and a Celery worker on loopback, and the environment of a production process."""

import contextlib
import email
import email.policy
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings as django_settings

PROJECT = Path(__file__).resolve().parents[1]


class CollectingHandler:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


def production_environment(host: str, **settings: str) -> dict:
    """This process's environment as a production process would have it: DEBUG off, fresh secrets, one site; settings add or override."""
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        IP_HASH_KEY=secrets.token_urlsafe(50),
        EMAIL_LINK_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=host,
        SITE_URL=f"https://{host}",
        TRUSTED_PROXIES="127.0.0.1/32",
        **settings,
    )
    return env


def database_url() -> str:
    """The URL of the database this test run uses, for the processes a test starts."""
    db = django_settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_process(settings: dict, log_path: Path, *options: str) -> subprocess.Popen:
    """A Celery worker of the product in a process of its own, on this run's database; settings add to its environment."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "petition.settings",
        "DATABASE_URL": database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        **settings,
    }
    command = [sys.executable, "-m", "celery", "-A", "petition", "worker", *options]
    command += ["--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel=INFO"]
    with open(log_path, "wb") as log:
        return subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)


def kill_what_is_left(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGKILL whatever is left of the process group of a process started with start_new_session, once it has exited.

    granian's main process, told to stop while some of its workers are still
    starting, exits without them: left running, they keep the port (granian
    binds it with SO_REUSEPORT) and answer the requests of the next server
    started on it, with the settings and files of the old one.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def smtp_server(handler=None):
    handler = handler or CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def smtp_port(controller) -> int:
    return controller.port


@contextlib.contextmanager
def celery_worker():
    """A real worker thread consuming from the broker in settings (Redis in the suite)."""
    from celery.contrib.testing.worker import start_worker

    from petition.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=20):
            yield app
    finally:
        app.conf.task_always_eager = True


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, message: str = "condition"):
    """Poll until predicate() is truthy and return it; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


def text_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
