"""A Redis with a password, and over TLS, serves the cache, the rate limits and the Celery broker alike."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import redis

from tests.realstack import free_port, wait_for

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parents[2]
PASSWORD = "p@ss word/with:odd chars"

# Through the project's own code, one process per configuration (settings load once).
EXERCISE = """
from django.core.cache import cache
from django.test import RequestFactory
from petition.celery import app
from petition.health import check_broker, check_cache, run_check
from petition.ratelimits import seconds_until_allowed

cache.set("probe", {"ok": True})
request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.9")
limits = [seconds_until_allowed(request, "probe", ["2/m"]) > 0 for _ in range(3)]
try:
    app.send_task("signatures.tasks.drain_outbox")
    sent = "sent"
except Exception as exc:
    sent = type(exc).__name__
print("RESULT", cache.get("probe"), limits, run_check("cache", check_cache), run_check("broker", check_broker), sent)
"""


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> Path:
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it."""
    folder = tmp_path_factory.mktemp("redis-tls")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1",
            "-subj", "/CN=test CA", cwd=folder)  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1", cwd=folder)  # fmt: skip
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.crt", "-days", "1", "-extfile", "san.ext", cwd=folder)  # fmt: skip
    return folder


def start_redis(*args: str, tls: bool = False):
    port = free_port()
    listen = ["--port", "0", "--tls-port", str(port)] if tls else ["--port", str(port)]
    process = subprocess.Popen(
        ["redis-server", *listen, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, port


def stop(process) -> None:
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def password_redis():
    process, port = start_redis("--requirepass", PASSWORD)
    wait_for(lambda: _pings(password_client(port)), timeout=10, interval=0.05, message="redis-server with a password")
    yield port
    stop(process)


@pytest.fixture
def tls_redis(certificates):
    process, port = start_redis(
        "--tls-cert-file", str(certificates / "server.crt"),
        "--tls-key-file", str(certificates / "server.key"),
        "--tls-ca-cert-file", str(certificates / "ca.crt"),
        "--tls-auth-clients", "no",
        "--requirepass", PASSWORD,
        tls=True,
    )  # fmt: skip
    wait_for(lambda: _pings(tls_client(port, certificates)), timeout=10, interval=0.05, message="redis-server over TLS")
    yield port
    stop(process)


def password_client(port: int, db: int = 0) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=port, db=db, password=PASSWORD, socket_timeout=2)


def tls_client(port: int, certificates: Path, db: int = 0) -> redis.Redis:
    return redis.Redis(
        host="127.0.0.1", port=port, db=db, password=PASSWORD, ssl=True, ssl_ca_certs=str(certificates / "ca.crt"),
        socket_timeout=2,
    )  # fmt: skip


def _pings(client) -> bool:
    try:
        return client.ping()
    except (redis.RedisError, OSError):
        return False


def exercise(redis_url: str) -> tuple[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"DEBUG": "1", "REDIS_URL": redis_url, "REDIS_RETRY_AFTER": "0"})
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", EXERCISE],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    return (lines[-1] if lines else ""), result.stdout + result.stderr


WORKING = "RESULT {'ok': True} [False, False, True] ok ok sent"


def test_a_password_in_redis_url_serves_cache_limits_and_broker(password_redis):
    port = password_redis

    outcome, output = exercise(f"redis://:{quote(PASSWORD, safe='')}@127.0.0.1:{port}/4")

    assert outcome == WORKING, output
    assert password_client(port, db=4).llen("celery") == 1
    assert PASSWORD not in output


def test_a_wrong_password_is_refused_and_reported_without_it(password_redis):
    port = password_redis

    outcome, output = exercise(f"redis://:wrong-password@127.0.0.1:{port}/4")

    assert outcome == "RESULT None [False, False, False] unavailable error: OperationalError OperationalError", output
    assert "wrong-password" not in outcome


def test_tls_with_the_servers_ca_serves_cache_limits_and_broker(tls_redis, certificates):
    port = tls_redis

    url = f"rediss://:{quote(PASSWORD, safe='')}@127.0.0.1:{port}/5?ssl_ca_certs={certificates / 'ca.crt'}"
    outcome, output = exercise(url)

    assert outcome == WORKING, output
    assert tls_client(port, certificates, db=5).llen("celery") == 1


def test_tls_verifies_the_servers_certificate_by_default(tls_redis, certificates):
    port = tls_redis

    # No CA given: the throwaway CA is not trusted, so nothing may be sent to this server.
    outcome, output = exercise(f"rediss://:{quote(PASSWORD, safe='')}@127.0.0.1:{port}/6")

    assert outcome == "RESULT None [False, False, False] unavailable error: OperationalError OperationalError", output
    assert tls_client(port, certificates, db=6).llen("celery") == 0
