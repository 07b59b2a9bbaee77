"""The image's web server, started with the Dockerfile's own command: slow clients, dead workers, the process environment.

Granian replaced gunicorn's sync workers for three reasons tested here: it
keeps answering while clients dribble half a request (five such connections
stopped a three-worker gunicorn for its 30-second timeout), it starts a
worker again when one dies, and petition.wsgi keeps the process environment
(secrets included), which granian copies into every request, out of
request.META.
"""

import contextlib
import json
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

import pytest

from tests.realstack import free_port, kill_what_is_left, production_environment, wait_for

from .dockerfiles import dockerfile_instructions, exec_form
from .environment import ROOT

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
HOST = "petition.example.org"
CANARY = "PETITION_TEST_CANARY"

PROBE_APP = """
import json

from petition import wsgi


def application(environ, start_response):
    from_server = sorted(environ)
    seen_by_django = []

    def record(django_environ, django_start_response):
        seen_by_django.extend(sorted(django_environ))
        django_start_response("200 OK", [("Content-Type", "application/json")])
        return [b""]

    wsgi.django_application = record
    wsgi.application(environ, lambda status, headers: None)
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"server": from_server, "django": seen_by_django}).encode()]
"""


def image_command(port: int, app: str | None = None) -> list[str]:
    """The Dockerfile's CMD, on loopback and a free port, optionally serving another application."""
    [cmd] = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "CMD"]
    argv = exec_form(cmd)
    argv[0] = str(BIN / argv[0])
    argv[argv.index("--host") + 1] = "127.0.0.1"
    argv[argv.index("--port") + 1] = str(port)
    if app:
        argv[-1] = app
    return argv


@contextlib.contextmanager
def serving(argv: list[str], env: dict, log: Path):
    with log.open("w") as output:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            pass
        kill_what_is_left(process)


def healthz_status(port: int, timeout: float = 5) -> int | None:
    """/healthz's status (200, or 503 with the static files not collected here), None if nothing answered in time."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": HOST, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def has_exited(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def worker_pids(process: subprocess.Popen) -> set[int]:
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return {int(pid) for pid in children}


@pytest.fixture
def web_server(tmp_path):
    port = free_port()
    with serving(image_command(port), production_environment(HOST), tmp_path / "web.log") as process:
        wait_for(lambda: healthz_status(port) in (200, 503), timeout=90, message="the web server to answer")
        yield port, process


def test_half_sent_requests_do_not_stop_the_site(web_server):
    port, _ = web_server
    dribblers = []
    try:
        for _ in range(20):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nX-Slow: ".encode())
            dribblers.append(connection)
        time.sleep(0.5)

        answers = [healthz_status(port, timeout=5) for _ in range(10)]
    finally:
        for connection in dribblers:
            connection.close()

    assert answers == [answers[0]] * 10 and answers[0] in (200, 503), answers


def connections_migrate_from_closed_listeners() -> bool:
    """net.ipv4.tcp_migrate_req, which docs/DEPLOY.md and docker-compose.yml set for the web server."""
    return Path("/proc/sys/net/ipv4/tcp_migrate_req").read_text().strip() == "1"


def test_a_killed_worker_is_started_again_and_the_others_answer_meanwhile(web_server):
    port, process = web_server
    wait_for(lambda: len(worker_pids(process)) == 3, timeout=60, message="the three workers of the image's command")
    first, *others = sorted(worker_pids(process))

    os.kill(first, signal.SIGKILL)
    # A request the dying worker had taken is lost with it, as with any server; what follows must not be.
    wait_for(lambda: has_exited(first), timeout=10, message="the killed worker to be gone")
    # A worker still starting may take a while for its first answer on a busy machine: late is fine, none is not.
    answers = [healthz_status(port, timeout=30) for _ in range(10)]

    if connections_migrate_from_closed_listeners():
        assert all(status in (200, 503) for status in answers), answers
    else:
        # Each worker listens on a socket of its own; without the setting the kernel resets
        # what was still waiting on the dead worker's socket (seen: the first request, 6 kills
        # in 20 on the test machine). Once the site has answered, nothing more is lost.
        answered = next((index for index, status in enumerate(answers) if status is not None), len(answers))
        assert answered <= 1, answers
        assert all(status in (200, 503) for status in answers[answered:]), answers
    wait_for(
        lambda: len(worker_pids(process)) == 3 and first not in worker_pids(process),
        timeout=60,
        message="the dead worker to be replaced",
    )
    assert set(others) <= worker_pids(process)
    wait_for(lambda: healthz_status(port) in (200, 503), timeout=30, message="the site to answer")


def test_the_process_environment_never_reaches_request_meta(tmp_path):
    (tmp_path / "environ_probe.py").write_text(PROBE_APP)
    port = free_port()
    env = production_environment(HOST, **{CANARY: secrets.token_hex(8), "PYTHONPATH": str(tmp_path)})
    with serving(image_command(port, app="environ_probe:application"), env, tmp_path / "probe.log"):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/en/?q=1", headers={"Host": HOST})
        seen = wait_for(lambda: probe(request), timeout=90, message="the probe to answer")

    # The server hands the application its process environment: without petition.wsgi, these would be request.META.
    assert {CANARY, "SECRET_KEY", "DATABASE_URL"} <= set(seen["server"])
    assert not {CANARY, "SECRET_KEY", "DATABASE_URL", "EMAIL_LINK_KEY", "PATH"} & set(seen["django"])
    assert {"REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "REMOTE_ADDR", "HTTP_HOST", "wsgi.input"} <= set(seen["django"])


def probe(request: urllib.request.Request) -> dict | None:
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())
    except OSError:
        return None
