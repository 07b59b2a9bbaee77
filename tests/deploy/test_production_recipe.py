"""The README's production recipe without Docker, run as written against a fresh database.

The commands are read from the README's Production section and run in a copy
of the checkout, with production settings (DEBUG=0): migrate, then the web
server before collectstatic (it must say so on /healthz), then collectstatic and the
three long-running processes. A signature through the web server gets its
confirmation email from the worker, and beat's fold reaches the worker.
"""

import contextlib
import ctypes
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg2
import pytest

from tests.realstack import free_port, kill_what_is_left, production_environment, smtp_server, text_body, wait_for

from .dockerfiles import compose
from .environment import ROOT

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
HOST = "petition.example.org"
DEMO_SLUG = "ban-biometric-mass-surveillance"
PR_SET_PDEATHSIG = 1


def recipe() -> tuple[set[str], list[str]]:
    """The variables the recipe exports, and its commands in order."""
    readme = (ROOT / "README.md").read_text()
    production = readme[readme.index("\n## Production\n") :]
    block = production.split("```sh", 1)[1].split("```", 1)[0]
    exported = set(re.findall(r"\b([A-Z][A-Z0-9_]+)=", block.split("\npython", 1)[0]))
    commands = [line.strip() for line in block.splitlines() if line.strip().startswith(("python ", "granian ", "celery "))]
    return exported, commands


def as_argv(command: str, port: int, schedule: Path) -> list[str]:
    argv = shlex.split(command)
    argv[0] = sys.executable if argv[0] == "python" else str(BIN / argv[0])
    if "--port" in argv:
        argv[argv.index("--port") + 1] = str(port)
    if "--schedule" in argv:
        argv[argv.index("--schedule") + 1] = str(schedule)
    return argv


def die_with_the_test() -> None:
    """In the child before exec: be sent SIGTERM if pytest itself is killed outright."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.contextmanager
def running(argv: list[str], cwd: Path, env: dict, log: Path):
    with log.open("w") as output:
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, preexec_fn=die_with_the_test, start_new_session=True
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        kill_what_is_left(process)


def request(port: int, path: str, data: bytes | None = None, headers: dict | None = None):
    """Through the 'proxy': the Host of the site and X-Forwarded-Proto https, as Caddy or nginx send them."""
    all_headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7", **(headers or {})}
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=all_headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=20) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def health(port: int):
    try:
        status, _, body = request(port, "/healthz")
    except OSError:
        return None
    return status, json.loads(body)


def json_lines(log: Path) -> list[dict]:
    """The log's JSON entries (the worker's start-up banner is plain text on stdout)."""
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def copy_checkout(destination: Path) -> None:
    """What a fresh clone holds: the tracked files (as they are now) and new ones git does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for relative in filter(None, listed):
        source = ROOT / relative
        if source.is_file() and not source.is_symlink():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            target.chmod(source.stat().st_mode)


@pytest.fixture
def fresh_database_url():
    base = os.environ["DATABASE_URL"]
    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/')[:30]}_recipe_{secrets.token_hex(4)}"
    server = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with server.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


def test_the_readme_recipe_serves_signs_and_runs_the_worker_and_beat(tmp_path, fresh_database_url):
    exported, commands = recipe()
    migrate, collectstatic, web, worker, beat = commands
    project = tmp_path / "petition"
    copy_checkout(project)
    port = free_port()

    with smtp_server() as (smtp, mailbox):
        env = production_environment(
            HOST,
            DATABASE_URL=fresh_database_url,
            REDIS_URL=os.environ["REDIS_URL"],
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            DEFAULT_FROM_EMAIL="petition@example.org",
            LOG_FORMAT="json",
            COUNT_FOLD_SECONDS="1",
        )
        assert exported <= set(env), f"the recipe exports {exported - set(env)}, which this test does not set"
        schedule = tmp_path / "celerybeat-schedule"

        def run(command):
            return subprocess.run(
                as_argv(command, port, schedule), cwd=project, env=env, capture_output=True, text=True, timeout=600
            )

        migrated = run(migrate)
        assert migrated.returncode == 0, migrated.stderr

        # Serving before collectstatic: every page fails, and /healthz says why.
        with running(as_argv(web, port, schedule), project, env, tmp_path / "web-early.log"):
            status, body = wait_for(lambda: health(port), timeout=60, message="the web server to answer")
            page_status = request(port, "/en/")[0]
        assert status == 503
        assert body["static"] == "not collected: run collectstatic"
        assert body["database"] == "ok" and body["cache"] == "ok"
        assert page_status == 500

        collected = run(collectstatic)
        assert collected.returncode == 0, collected.stderr
        seeded = run("python manage.py seed_demo")
        assert seeded.returncode == 0, seeded.stderr

        with (
            running(as_argv(web, port, schedule), project, env, tmp_path / "web.log"),
            running(as_argv(worker, port, schedule), project, env, tmp_path / "worker.log"),
            running(as_argv(beat, port, schedule), project, env, tmp_path / "beat.log"),
        ):
            status, body = wait_for(lambda: health(port), timeout=60, message="the web server to answer")
            assert (status, body) == (
                200,
                {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok", "static": "ok"},
            )

            page_status, _, page = request(port, f"/en/{DEMO_SLUG}/")
            assert page_status == 200
            stylesheet = re.search(r'href="(/static/css/[^"]+\.css)"', page).group(1)
            assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet), "pages name the collected, hashed files"
            static_status, static_headers, _ = request(port, stylesheet)
            assert static_status == 200
            assert "immutable" in static_headers.get("Cache-Control", "")

            form = urlencode(
                {"first_name": "Recipe", "last_name": "Tester", "email": "recipe.tester@example.org",
                 "country": "FR", "postcode": "75005", "accept_privacy": "on"}
            ).encode()
            sign_status, sign_headers, _ = request(
                port, f"/en/{DEMO_SLUG}/sign/", data=form,
                headers={"Sec-Fetch-Site": "same-origin", "Origin": f"https://{HOST}",
                         "Content-Type": "application/x-www-form-urlencoded"},
            )
            assert sign_status == 302, sign_headers
            wait_for(lambda: mailbox.messages, timeout=60, message="the worker to send the confirmation email")
            assert f"https://{HOST}/" in text_body(mailbox.messages[0])

            def fold_ran():
                return any(
                    entry["message"].startswith("Task signatures.tasks.fold_all_counts[")
                    and "succeeded" in entry["message"]
                    for entry in json_lines(tmp_path / "worker.log")
                )

            wait_for(fold_ran, timeout=60, message="beat's fold to run on the worker")

            # The compose file's health check of the worker, as Docker would run it inside the container.
            worker_check = " ".join(compose()["services"]["worker"]["healthcheck"]["test"][1:]).replace("$$", "$")
            check_env = {**env, "HOSTNAME": socket.gethostname(), "PATH": f"{BIN}{os.pathsep}{env['PATH']}"}
            pinged = subprocess.run(
                ["sh", "-c", worker_check], cwd=project, env=check_env, capture_output=True, text=True, timeout=60
            )
            assert pinged.returncode == 0, pinged.stdout + pinged.stderr

            healthcheck = subprocess.run(
                [sys.executable, "scripts/healthcheck", f"http://127.0.0.1:{port}/healthz"],
                cwd=project, env=env, capture_output=True, text=True, timeout=30,
            )
            assert healthcheck.returncode == 0, healthcheck.stderr

    assert json_lines(tmp_path / "worker.log"), "LOG_FORMAT=json reaches the worker"
    for log in ("web.log", "worker.log", "beat.log"):
        text = (tmp_path / log).read_text().lower()
        for personal in ("recipe.tester", "tester", "198.51.100.7", "75005"):
            assert personal not in text, f"{personal!r} in {log}"
    stopped = subprocess.run(
        [sys.executable, "scripts/healthcheck", f"http://127.0.0.1:{port}/healthz"],
        cwd=project, env=env, capture_output=True, text=True, timeout=30,
    )
    assert stopped.returncode == 1 and "did not answer" in stopped.stderr
