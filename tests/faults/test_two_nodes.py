"""Two web servers and two workers, started as separate nodes against one PostgreSQL and one Redis, keep every guarantee.

Each node is what a second machine would run: granian on its own port and a
Celery worker of its own, with the production settings and the same secrets,
behind one name (petition.example.org) as a load balancer would present them.
Signers are spread over both web servers; the emails go to one real SMTP
server; the confirmation links are followed through the other node.
"""

import email
import email.policy
import html.parser
import http.cookies
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode, urljoin

import django_ratelimit.core
import pytest
from django.urls import reverse
from django.utils import translation
from django_ratelimit.core import _get_window

from campaigns.models import Campaign
from petition.ratelimits import ip_hash, parse_address
from signatures.models import Signature
from tests.factories import make_campaign, sign_data
from tests.realstack import database_url, free_port, kill_what_is_left, production_environment, text_body, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PROJECT = Path(__file__).resolve().parents[2]
HOST = "petition.example.org"
SIGNERS = 10  # besides the ten the rate-limit check signs
BURST = 10
LINK = re.compile(rf"https://{re.escape(HOST)}(/\S*confirm\S*)")  # the link a signer follows to confirm


@pytest.fixture(scope="module")
def node_environment():
    """What both nodes share, as two machines of one deployment would: settings, secrets, stores."""
    env = production_environment(
        HOST,
        DJANGO_SETTINGS_MODULE="petition.settings",
        SECURE_SSL_REDIRECT="0",
        DEFAULT_FROM_EMAIL="petition@example.org",
        SIGN_RATE_BURST=f"{BURST}/m",
        SIGN_RATE_SUSTAINED="1000/h",
        CELERY_TASK_ALWAYS_EAGER="0",
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr
    return env


@contextmanager
def process(command: list[str], env: dict, log: Path):
    with open(log, "wb") as out:
        child = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        kill_what_is_left(child)


def status_of(port: int, path: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": HOST, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


@pytest.fixture
def nodes(node_environment, redis_server, point_at_redis, smtp, tmp_path):
    """Two nodes (granian + Celery worker each) on the test's Redis, database and SMTP server; yields the web ports."""
    point_at_redis(redis_server.url)
    env = {
        **node_environment,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_server.url,
        "EMAIL_HOST": smtp.host,
        "EMAIL_PORT": str(smtp.port),
    }
    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        for number, port in enumerate(ports, start=1):
            stack.enter_context(
                process(
                    [str(Path(sys.executable).parent / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
                     "--port", str(port), "--workers", "2", "--blocking-threads", "1", "--no-ws",
                     "petition.wsgi:application"],
                    env, tmp_path / f"web{number}.log",
                )
            )  # fmt: skip
            stack.enter_context(
                process(
                    [sys.executable, "-m", "celery", "-A", "petition", "worker", "--pool=solo", "--hostname",
                     f"node{number}@%h", "--without-heartbeat", "--without-mingle", "--without-gossip",
                     "--loglevel=WARNING"],
                    env, tmp_path / f"worker{number}.log",
                )
            )  # fmt: skip
        for port in ports:
            wait_for(lambda port=port: status_of(port, "/healthz") == 200, timeout=90, message=f"node on {port}")
        yield ports


class FormParser(html.parser.HTMLParser):
    """The first POST form of a page: its action and its hidden fields."""

    def __init__(self):
        super().__init__()
        self.action, self.fields, self.inside = None, {}, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None and (attrs.get("method") or "").lower() == "post":
            self.action, self.inside = attrs.get("action") or "", True
        elif tag == "input" and self.inside and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


class Visitor:
    """One browser behind the load balancer: its own address and cookies, whichever node answers."""

    def __init__(self, address: str):
        self.address = address
        self.cookies = http.cookies.SimpleCookie()

    def request(self, port: int, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={morsel.value}" for name, morsel in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers.update({"Origin": f"https://{HOST}", "Content-Type": "application/x-www-form-urlencoded"})
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers)
        opener = urllib.request.build_opener(NoRedirects)
        try:
            with opener.open(request, timeout=30) as response:
                status, reply_headers, text = response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            status, reply_headers, text = error.code, error.headers, error.read().decode()
        for cookie in reply_headers.get_all("Set-Cookie") or []:
            self.cookies.load(cookie)
        return status, reply_headers, text

    def confirm(self, port: int, path: str) -> None:
        """Follow the emailed link; where it opens a page with a button, press it."""
        status, _, page = self.request(port, path)
        assert status == 200, (status, path)
        form = FormParser()
        form.feed(page)
        if form.action is not None:
            status, _, _ = self.request(port, urljoin(path, form.action) if form.action else path, form.fields)
            assert status in (200, 302, 303), status


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_path(campaign: Campaign) -> str:
    with translation.override("en"):
        return reverse("signatures:sign", kwargs={"slug": campaign.slug})


def seconds_left_in_burst_window(address: str, hash_key: str, settings, monkeypatch) -> float:
    """django-ratelimit counts in fixed windows offset per client: how long this one still runs on the nodes' clock.

    A window is named by the whole second it ends at and counts through that
    second. The nodes count by the real clock, not by the one tests/conftest.py
    holds still at the test's start (seconds before, while the nodes started).
    """
    monkeypatch.setattr(django_ratelimit.core, "time", time)
    settings.IP_HASH_KEY = hash_key
    return _get_window(ip_hash(parse_address(address)), 60) + 1 - time.time()


def test_two_nodes_share_rate_limits_send_each_email_once_and_count_exactly(
    nodes, node_environment, redis_server, smtp, settings, monkeypatch
):
    first, second = nodes
    campaign = make_campaign()
    path = sign_path(campaign)

    # One address signs BURST times, alternating nodes; the next attempt is refused by the other node.
    crowded = "198.51.100.77"
    left = seconds_left_in_burst_window(crowded, node_environment["IP_HASH_KEY"], settings, monkeypatch)
    if left < 30:
        time.sleep(left + 1)  # start in a fresh minute window, so all eleven attempts fall in one
    visitor = Visitor(crowded)
    statuses = [visitor.request((first, second)[n % 2], path, sign_data())[0] for n in range(BURST)]
    status, headers, page = visitor.request(first if BURST % 2 == 0 else second, path, sign_data())
    assert statuses == [302] * BURST
    assert status == 429 and int(headers["Retry-After"]) >= 1

    # Signers from their own addresses, spread over both nodes.
    for number in range(SIGNERS):
        signer = Visitor(f"203.0.113.{number + 1}")
        assert signer.request((first, second)[number % 2], path, sign_data())[0] == 302
    expected = BURST + SIGNERS
    assert Signature.objects.filter(campaign=campaign).count() == expected

    # Every signer gets exactly one confirmation email, whichever node's worker sent it.
    wait_for(lambda: len(smtp.messages) >= expected, timeout=120, message=f"{expected} emails")
    recipients = Counter(smtp.recipients())
    assert len(recipients) == expected and set(recipients.values()) == {1}

    # Each link is followed through the node that did not send it the form.
    bodies = [
        text_body(email.message_from_bytes(envelope.content, policy=email.policy.default)) for envelope in smtp.messages
    ]
    links = [LINK.search(body) for body in bodies]
    assert all(links), "every email carries its confirmation link"
    for number, link in enumerate(links):
        Visitor(f"192.0.2.{number + 1}").confirm((second, first)[number % 2], link.group(1))

    def counted() -> bool:
        campaign.refresh_from_db()
        return campaign.signature_count == expected

    wait_for(counted, timeout=60, message=f"the count to reach {expected}")
    api = f"/api/campaigns/{campaign.slug}/"
    for port in (first, second):
        wait_for(
            lambda port=port: f'"signature_count":{expected},' in Visitor("192.0.2.200").request(port, api)[2],
            timeout=30, message=f"node {port}'s count API to say {expected}",
        )  # fmt: skip
    assert Signature.objects.filter(campaign=campaign, status=Signature.Status.CONFIRMED).count() == expected

    # Once both workers are idle, still one email per signer: nothing was sent twice.
    wait_for(lambda: redis_server.queued_and_unacked() == (0, 0), timeout=60, message="both workers idle")
    assert set(Counter(smtp.recipients()).values()) == {1} and len(smtp.recipients()) == expected
