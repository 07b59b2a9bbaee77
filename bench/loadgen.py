"""A small asyncio load generator that behaves like browsers behind a TLS proxy.

Every flow is a fresh visitor: it loads the page, takes the CSRF cookie and
the form's hidden token when the page has one, posts with the headers a
browser sends (Origin, Sec-Fetch-Site), and follows the redirect. Requests
carry what the production proxy adds (X-Forwarded-Proto: https, and an
X-Forwarded-For address from the IPv6 documentation range, in a /64 of the
visitor's own since limits count IPv6 clients by /64), so Secure cookies, the
origin checks and per-address rate limits behave as in production.

Only 127.0.0.1 is ever targeted, and every loop stops at its deadline and at
its maximum count, whichever comes first.
"""

import asyncio
import itertools
import json
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp
from django_otp.oath import totp

from .stats import percentile

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The element carrying the bare attribute data-count (not data-count-for) holds the figure.
COUNT_IN_PAGE = re.compile(r"<[^>]*\sdata-count(?:\s[^>]*)?>([^<]+)<")
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5)
USER_AGENT = "petition-bench/1 (loopback load generator)"
MAX_OPS_PER_RUN = 1_000_000

_visitor_numbers = itertools.count(1)


class FlowError(Exception):
    """A flow did not end as a person would expect; the message says where and how."""


class PoolExhausted(Exception):
    """No more prepared work (e.g. confirmation links) for this run."""


def require_loopback(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1":
        raise ValueError(f"the load generator only targets http://127.0.0.1, not {base_url!r}")
    return base_url.rstrip("/")


def visitor_address(number: int) -> str:
    return f"2001:db8:{(number >> 16) & 0xFFFF:x}:{number & 0xFFFF:x}::1"


class Visitor:
    """One browser: its own cookies and address, talking to one site over a shared connection pool."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, number: int | None = None):
        self.session = session
        self.base_url = base_url
        self.number = number if number is not None else next(_visitor_numbers)
        self.cookies: dict[str, str] = {}
        self.visited = False

    def headers(self, extra: dict | None = None) -> dict:
        headers = {
            "User-Agent": USER_AGENT,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": visitor_address(self.number),
            "Accept-Language": "en",
            # The first page is typed or followed from elsewhere; everything after is the site's own.
            "Sec-Fetch-Site": "same-origin" if self.visited else "none",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        headers.update(extra or {})
        return headers

    async def request(self, method: str, path: str, step: str, expect: tuple[int, ...], data=None):
        try:
            async with self.session.request(
                method,
                self.base_url + path,
                headers=self.headers({"Origin": "https://" + urlsplit(self.base_url).netloc} if method == "POST" else None),
                data=data,
                allow_redirects=False,
            ) as response:
                body = await response.read()
                self.visited = True
                for name, morsel in response.cookies.items():
                    self.cookies[name] = morsel.value
                if response.status not in expect:
                    raise FlowError(f"{step}: HTTP {response.status}")
                return response.status, response.headers, body
        except FlowError:
            raise
        except TimeoutError:
            raise FlowError(f"{step}: timeout") from None
        except aiohttp.ClientError as exc:
            raise FlowError(f"{step}: {type(exc).__name__}") from None

    async def get(self, path: str, step: str, expect: tuple[int, ...] = (200,)):
        return await self.request("GET", path, step, expect)

    async def post(self, path: str, data: dict, step: str, expect: tuple[int, ...] = (302,)):
        return await self.request("POST", path, step, expect, data=data)

    async def load_form(self, path: str, step: str, *, token_required: bool = True) -> dict:
        """Load a page with a form; the CSRF field to post back, when the page has one."""
        _, _, body = await self.get(path, step)
        text = body.decode("utf-8", "replace")
        if "<form" not in text:
            raise FlowError(f"{step}: no form in the page")
        match = CSRF_INPUT.search(text)
        if match and "csrftoken" in self.cookies:
            return {"csrfmiddlewaretoken": match.group(1)}
        if token_required:
            raise FlowError(f"{step}: no CSRF token in the page")
        return {}

    async def follow(self, headers, step: str):
        location = headers.get("Location", "")
        if not location:
            raise FlowError(f"{step}: redirect without Location")
        parts = urlsplit(location)
        return await self.get(parts.path + (f"?{parts.query}" if parts.query else ""), step)


@dataclass
class RunResult:
    name: str
    seconds: float = 0.0
    completed: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    error_kinds: Counter = field(default_factory=Counter)
    extra: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds > 0 else 0.0

    def latency_ms(self, fraction: float) -> float | None:
        value = percentile(self.latencies, fraction)
        return None if value is None else value * 1000.0

    def summary(self) -> dict:
        return {
            "name": self.name,
            "seconds": round(self.seconds, 3),
            "completed": self.completed,
            "errors": self.errors,
            "rate_per_s": round(self.rate, 2),
            "p50_ms": self.latency_ms(0.5),
            "p99_ms": self.latency_ms(0.99),
            "error_kinds": dict(self.error_kinds.most_common(5)),
            **self.extra,
        }


Operation = Callable[[aiohttp.ClientSession, str], Awaitable[None]]


def new_session(concurrency: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=max(1, concurrency) + 4, ttl_dns_cache=None)
    return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(), timeout=REQUEST_TIMEOUT)


async def closed_loop(
    name: str, base_url: str, operation: Operation, *, concurrency: int, duration: float, max_ops: int = MAX_OPS_PER_RUN
) -> RunResult:
    """`concurrency` visitors repeat `operation` back to back until the deadline or max_ops."""
    base_url = require_loopback(base_url)
    result = RunResult(name)
    started = itertools.count()
    async with new_session(concurrency) as session:
        begin = time.monotonic()
        deadline = begin + duration

        async def worker():
            while time.monotonic() < deadline and next(started) < max_ops:
                op_begin = time.monotonic()
                try:
                    await operation(session, base_url)
                except PoolExhausted:
                    return
                except FlowError as exc:
                    result.errors += 1
                    result.error_kinds[str(exc)] += 1
                    continue
                result.completed += 1
                result.latencies.append(time.monotonic() - op_begin)

        await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
        result.seconds = time.monotonic() - begin
    return result


def run(coroutine):
    return asyncio.run(coroutine)


# Flows ---------------------------------------------------------------------


def signer_details(number: int, email_tag: str) -> dict:
    return {
        "first_name": "Bench",
        "last_name": "Signer",
        "email": f"bench-{email_tag}-{number}@example.org",
        "country": "FR",
        "postcode": "75005",
        "accept_privacy": "on",
        "website": "",
    }


def sign_flow(page_path: str, sign_path: str, email_tag: str) -> Operation:
    """A new visitor loads the petition, signs it, and lands on the thank-you page."""

    async def operation(session, base_url):
        visitor = Visitor(session, base_url)
        # The petition page may carry no per-visitor token (it is shared-cacheable;
        # the sign view checks the browser's origin headers instead).
        token = await visitor.load_form(page_path, "petition page", token_required=False)
        form = {**token, **signer_details(visitor.number, email_tag)}
        _, headers, _ = await visitor.post(sign_path, form, "sign POST")
        await visitor.follow(headers, "thank-you page")

    return operation


def baseline_sign_flow() -> Operation:
    """The same three requests against bare views: form with token, one INSERT, done page."""

    async def operation(session, base_url):
        visitor = Visitor(session, base_url)
        token = await visitor.load_form("/__bench__/form/", "bare form")
        form = {**token, "email": f"bare-{visitor.number}@example.org"}
        _, headers, _ = await visitor.post("/__bench__/insert/", form, "bare insert")
        await visitor.follow(headers, "bare done")

    return operation


def click_links(paths: deque, step: str = "confirm link") -> Operation:
    """Each visitor opens the next prepared link (a confirmation) and presses its button once."""

    async def operation(session, base_url):
        try:
            path = paths.popleft()
        except IndexError:
            raise PoolExhausted from None
        visitor = Visitor(session, base_url)
        await visitor.get(path, step)
        await visitor.post(path, {}, f"{step} button", expect=(200,))

    return operation


def baseline_link_flow() -> Operation:
    """The same two requests against a bare view: the link's page, then its button doing one INSERT."""

    async def operation(session, base_url):
        visitor = Visitor(session, base_url)
        path = f"/__bench__/link/?t={visitor.number}"
        await visitor.get(path, "bare link")
        await visitor.post(path, {}, "bare link button", expect=(200,))

    return operation


def fetch(path: str, step: str) -> Operation:
    async def operation(session, base_url):
        await Visitor(session, base_url).get(path, step)

    return operation


# Reading the count -----------------------------------------------------------


def count_from_response(body: bytes, content_type: str) -> int | None:
    """The confirmed-signature count in the count API's JSON or the petition page's HTML."""
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        data = json.loads(text)
        for key in ("signature_count", "count", "signatures", "confirmed"):
            value = data.get(key) if isinstance(data, dict) else None
            if isinstance(value, int):
                return value
            if isinstance(value, dict) and isinstance(value.get("count"), int):
                return value["count"]
        return None
    match = COUNT_IN_PAGE.search(text)
    if not match:
        return None
    digits = re.sub(r"\D", "", match.group(1))
    return int(digits) if digits else None


async def read_count(visitor: Visitor, path: str) -> int:
    _, headers, body = await visitor.get(path, "count read")
    count = count_from_response(body, headers.get("Content-Type", ""))
    if count is None:
        raise FlowError("count read: no count in the response")
    return count


# End to end --------------------------------------------------------------------


@dataclass
class EndToEndResult:
    seconds: float = 0.0
    signed: int = 0
    sign_errors: int = 0
    confirmed: int = 0
    # Including the warm-up: what the CPU measured over the whole run paid for.
    confirmed_whole_run: int = 0
    confirm_errors: int = 0
    delivered: int = 0
    # Signature id -> when its confirmation email reached the sink (within the measured window).
    arrivals: dict[int, float] = field(default_factory=dict)
    freshness: list[float] = field(default_factory=list)
    freshness_timeouts: int = 0
    error_kinds: Counter = field(default_factory=Counter)
    probe_errors: Counter = field(default_factory=Counter)

    def per_hour(self) -> float:
        return self.confirmed / self.seconds * 3600 if self.seconds > 0 else 0.0

    def summary(self) -> dict:
        return {
            "seconds": round(self.seconds, 3),
            "signed": self.signed,
            "sign_errors": self.sign_errors,
            "confirmed": self.confirmed,
            "confirm_errors": self.confirm_errors,
            "delivered": self.delivered,
            "signed_confirmed_per_hour": round(self.per_hour()),
            "freshness_s": [round(v, 3) for v in self.freshness],
            "freshness_timeouts": self.freshness_timeouts,
            "error_kinds": dict(self.error_kinds.most_common(5)),
            "probe_errors": dict(self.probe_errors.most_common(5)),
        }


CONFIRM_ID = re.compile(r"/s/confirm/(\d+)/")


class SinkReader:
    """Follows the SMTP sink's file: one line per delivered message, with its confirmation path."""

    def __init__(self, path: str):
        self.file = open(path, encoding="utf-8")  # noqa: SIM115 - closed by close()
        self.partial = ""

    def skip_to_end(self) -> int:
        return sum(1 for _ in self.read_new())

    def read_new(self) -> list[tuple[float, str]]:
        data = self.partial + self.file.read()
        lines = data.split("\n")
        self.partial = lines.pop()
        entries = []
        for line in lines:
            stamp, _, path = line.partition("\t")
            if stamp:
                entries.append((float(stamp), path))
        return entries

    def close(self):
        self.file.close()


async def end_to_end(
    base_url: str,
    *,
    page_path: str,
    sign_path: str,
    count_path: str,
    sink_file: str,
    email_tag: str,
    base_count: int,
    signers: int,
    clickers: int,
    warmup: float,
    duration: float,
    probe_gap: float,
    probe_timeout: float,
) -> EndToEndResult:
    """Sign, receive the email at the sink, click its link, and watch the public count catch up.

    Everything runs for warmup + duration; only the last `duration` seconds are
    counted. A freshness probe notes how many confirmations had completed, then
    polls the count until it shows them all: that wait is the count's staleness.
    """
    base_url = require_loopback(base_url)
    result = EndToEndResult()
    reader = SinkReader(sink_file)
    reader.skip_to_end()
    links: asyncio.Queue[str] = asyncio.Queue()
    confirmed_total = 0
    sign_op = sign_flow(page_path, sign_path, email_tag)
    begin = time.monotonic()
    measure_from = begin + warmup
    deadline = measure_from + duration
    wall_from = time.time() + warmup
    wall_until = wall_from + duration
    counters = {"ops": 0}

    def measuring() -> bool:
        return time.monotonic() >= measure_from

    async with new_session(signers + clickers + 1) as session:

        async def signer():
            while time.monotonic() < deadline and counters["ops"] < MAX_OPS_PER_RUN:
                counters["ops"] += 1
                try:
                    await sign_op(session, base_url)
                except FlowError as exc:
                    if measuring():
                        result.sign_errors += 1
                        result.error_kinds[str(exc)] += 1
                    continue
                if measuring() and time.monotonic() < deadline:
                    result.signed += 1

        async def tail_sink():
            while time.monotonic() < deadline:
                for stamp, path in reader.read_new():
                    if wall_from <= stamp < wall_until:
                        result.delivered += 1
                        signature_id = CONFIRM_ID.search(path)
                        if signature_id:
                            result.arrivals.setdefault(int(signature_id.group(1)), stamp)
                    if path != "-":
                        links.put_nowait(path)
                await asyncio.sleep(0.05)

        async def clicker():
            nonlocal confirmed_total
            while time.monotonic() < deadline:
                try:
                    path = await asyncio.wait_for(links.get(), timeout=max(0.01, min(0.5, deadline - time.monotonic())))
                except TimeoutError:
                    continue
                try:
                    visitor = Visitor(session, base_url)
                    await visitor.get(path, "confirm link")
                    await visitor.post(path, {}, "confirm link button", expect=(200,))
                except FlowError as exc:
                    if measuring():
                        result.confirm_errors += 1
                        result.error_kinds[str(exc)] += 1
                    continue
                confirmed_total += 1
                if measuring() and time.monotonic() < deadline:
                    result.confirmed += 1

        async def prober():
            visitor = Visitor(session, base_url)
            await asyncio.sleep(max(0.0, measure_from - time.monotonic()))
            while time.monotonic() < deadline:
                expected = base_count + confirmed_total
                asked_at = time.monotonic()
                give_up = asked_at + probe_timeout
                seen = False
                while time.monotonic() < give_up:
                    try:
                        if await read_count(visitor, count_path) >= expected:
                            seen = True
                            break
                    except FlowError as exc:
                        result.probe_errors[str(exc)] += 1
                    await asyncio.sleep(0.1)
                if seen:
                    result.freshness.append(time.monotonic() - asked_at)
                else:
                    result.freshness_timeouts += 1
                await asyncio.sleep(probe_gap)

        await asyncio.gather(
            *(signer() for _ in range(signers)), *(clicker() for _ in range(clickers)), tail_sink(), prober()
        )
    result.seconds = duration
    result.confirmed_whole_run = confirmed_total
    reader.close()
    return result


# Admin ---------------------------------------------------------------------------


async def admin_timings(
    base_url: str, login_path: str, two_factor_path: str, username: str, password: str, totp_key: str, pages: dict,
    repeats: int,
) -> dict:  # fmt: skip
    """Log in like a member of staff (password, then the authenticator app's code), then time each page `repeats` times."""
    base_url = require_loopback(base_url)
    timings = {name: [] for name in pages}
    failures = Counter()
    async with new_session(1) as session:
        visitor = Visitor(session, base_url)
        token = await visitor.load_form(login_path, "admin login page")
        await visitor.post(login_path, {**token, "username": username, "password": password}, "admin login")
        if "sessionid" not in visitor.cookies:
            raise FlowError("admin login: no session")
        token = await visitor.load_form(two_factor_path, "admin two-factor page")
        code = f"{totp(bytes.fromhex(totp_key)):06d}"
        await visitor.post(two_factor_path, {**token, "code": code}, "admin two-factor code")
        for _ in range(repeats):
            for name, (path, must_contain) in pages.items():
                began = time.monotonic()
                try:
                    _, _, body = await visitor.get(path, f"admin {name}")
                except FlowError as exc:
                    failures[str(exc)] += 1
                    continue
                elapsed = time.monotonic() - began
                if must_contain and must_contain.encode() not in body:
                    failures[f"admin {name}: expected content missing"] += 1
                    continue
                timings[name].append(elapsed * 1000.0)
    return {"timings_ms": timings, "failures": dict(failures)}
