"""Real-browser tests: Debian's Chromium through Playwright, against a live server.

The flow tests also run a real Celery worker on the Redis broker and a local
SMTP server, both started once per test module (see `signing_stack`).
"""

import os
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from threading import Lock

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun
from django.db import connections
from playwright.sync_api import Browser

from tests import realstack
from tests.browser.screenshots import SCREENSHOT_DIR, WIDTHS, saved
from tests.realstack import CollectingHandler

# Playwright's sync API keeps an event loop in the main thread, which Django
# would otherwise take for async code and refuse database access from.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Without these Chromium keeps trying to reach Google's servers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
]
WAIT_SECONDS = 30


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if "signing_stack" in item.fixturenames:
                item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install it (apt-get install chromium); browser tests must run")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci` in the repository root")
    return AXE.read_text()


class Mailbox(CollectingHandler):
    """The SMTP server's handler: keeps every message, and lets a test wait for its own."""

    def clear(self):
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [message for message in self.messages if address in message["To"]]

    def wait_for(self, address: str, count: int = 1) -> list[EmailMessage]:
        """The messages to this address once there are `count` of them."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            received = self.to(address)
            if len(received) >= count:
                return received
            time.sleep(0.1)
        raise AssertionError(f"{len(self.to(address))} of {count} emails arrived for {address}")


@pytest.fixture(scope="module")
def smtp_server():
    with realstack.smtp_server(Mailbox()) as (controller, _):
        yield controller


class TaskTracker:
    """Counts tasks the worker is running, so a test ends only once it is idle."""

    def __init__(self):
        self.running = 0
        self.lock = Lock()

    def started(self, **kwargs):
        with self.lock:
            self.running += 1

    def finished(self, **kwargs):
        # The worker thread's connection must not outlive the test database.
        connections.close_all()
        with self.lock:
            self.running -= 1


@pytest.fixture(scope="module")
def celery_worker(django_db_setup):
    from petition.celery import app

    tracker = TaskTracker()
    task_prerun.connect(tracker.started, weak=False)
    task_postrun.connect(tracker.finished, weak=False)
    app.control.purge()
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING"):
            yield tracker
    finally:
        task_prerun.disconnect(tracker.started)
        task_postrun.disconnect(tracker.finished)


def wait_until_idle(app, tracker: TaskTracker) -> None:
    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        deadline = time.monotonic() + WAIT_SECONDS
        quiet_checks = 0
        while time.monotonic() < deadline and quiet_checks < 3:
            busy = tracker.running or client.llen("celery")
            quiet_checks = 0 if busy else quiet_checks + 1
            time.sleep(0.1)


@dataclass
class SigningStack:
    url: str
    mailbox: Mailbox


@pytest.fixture
def signing_stack(live_server, settings, smtp_server, celery_worker, eager_celery) -> SigningStack:
    """The live server with a real worker on the broker and a real SMTP server."""
    settings.SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.hostname
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    eager_celery.conf.task_always_eager = False
    smtp_server.handler.clear()
    yield SigningStack(url=live_server.url, mailbox=smtp_server.handler)
    wait_until_idle(eager_celery, celery_worker)


@pytest.fixture
def site(live_server, settings) -> str:
    """The live server alone: tasks run eagerly and emails land in django.core.mail.outbox."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture(params=list(WIDTHS.values()), ids=list(WIDTHS))
def sized_page(request, browser: Browser):
    """A page at a desktop width and again at a phone's, each in a context of its own."""
    width = request.param
    phone = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": 740 if phone else 900},
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files (the campaign picture) go to this test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pytest_terminal_summary(terminalreporter):
    if saved:
        terminalreporter.write_line(f"Screenshots: {len(saved)} in {SCREENSHOT_DIR}")
