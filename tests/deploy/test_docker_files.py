"""The Dockerfile, .dockerignore, docker-compose.yml and .env.example, checked without a Docker engine.

Docker is not available where the suite runs, so these read the files as Docker
and Compose would, check every property the deployment relies on, and check
that every module, command, setting and variable they name exists. The image's
collectstatic step is run for real on a copy of the build context.
"""

import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

from tests.realstack import free_port, wait_for

from .dockerfiles import (
    ROOT,
    command_of,
    compose,
    copy_build_context,
    dockerfile_instructions,
    dockerignore_patterns,
    env_file_names,
    exec_form,
    healthcheck_command,
    interpolated_names,
    is_ignored,
)
from .environment import settings_variables

APP_SERVICES = ("migrate", "web", "worker", "beat")
# Read by the postgres and redis images or by Compose itself, not by the platform.
NOT_PLATFORM_VARIABLES = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "REDIS_PASSWORD", "REDISCLI_AUTH"}


def instructions(keyword: str) -> list[str]:
    return [arguments for instruction, arguments in dockerfile_instructions() if instruction == keyword]


# --- Dockerfile -------------------------------------------------------------------------------------------


@pytest.mark.unit
def test_the_image_runs_as_an_unprivileged_user_from_before_its_command():
    sequence = [instruction for instruction, _ in dockerfile_instructions()]
    users = instructions("USER")

    assert users and users[-1] not in ("root", "0", "0:0")
    assert sequence.index("USER") < sequence.index("CMD")
    assert sequence.index("USER") < sequence.index("HEALTHCHECK")
    useradd = next(run for run in instructions("RUN") if "useradd" in run)
    assert users[-1] in useradd.split()


@pytest.mark.unit
def test_the_code_is_not_writable_by_the_app_user():
    user = instructions("USER")[-1]
    for arguments in instructions("COPY"):
        assert "--chown" not in arguments and "--chmod" not in arguments, arguments
    for run in instructions("RUN"):
        assert "chmod -R" not in run and "chmod 777" not in run, run
        for chown in [part for part in run.split("&&") if "chown" in part]:
            assert "-R" not in chown.split(), f"a recursive chown can hand the code to the app user: {chown}"
            targets = [word for word in chown.split()[2:] if word.startswith("/")]
            assert targets and all(
                target in ("/app/media", "/app/private", "/app/private/exports", "/app/private/imports")
                for target in targets
            ), chown
            assert chown.split()[1].split(":")[0] == user


@pytest.mark.unit
def test_the_app_user_owns_the_directories_the_platform_writes_and_compose_mounts():
    run = next(run for run in instructions("RUN") if "useradd" in run)
    app_env = compose()["services"]["web"]["environment"]

    for directory in (app_env["MEDIA_ROOT"], app_env["EXPORT_ROOT"]):
        assert "mkdir -p" in run and directory in run, directory
        assert directory in run.split("chown", 1)[1], directory
    assert "chmod 700 /app/private /app/private/exports" in run


@pytest.mark.unit
def test_static_files_are_collected_at_build_time_with_production_settings():
    collect = [run for run in instructions("RUN") if "collectstatic" in run]

    assert len(collect) == 1
    assert "DEBUG=0" in collect[0] and "--noinput" in collect[0]
    # After the code is copied in, before the app user takes over.
    sequence = [(instruction, arguments) for instruction, arguments in dockerfile_instructions()]
    positions = {entry: n for n, entry in enumerate(sequence)}
    assert positions[("COPY", ". .")] < positions[("RUN", collect[0])] < positions[("USER", instructions("USER")[-1])]


@pytest.mark.unit
def test_the_healthcheck_probes_healthz_with_a_script_that_exists():
    [healthcheck] = instructions("HEALTHCHECK")
    command = healthcheck_command(healthcheck)

    assert command[0] == "python"
    script = ROOT / command[1]
    assert script.is_file() and os.access(script, os.X_OK)
    assert "/healthz" in script.read_text()
    assert "--interval=" in healthcheck and "--timeout=" in healthcheck


@pytest.mark.unit
def test_the_command_serves_the_wsgi_application_on_the_exposed_port():
    [cmd] = instructions("CMD")
    argv = exec_form(cmd)
    module_name, _, attribute = argv[-1].partition(":")

    assert argv[0] == "granian"
    assert argv[argv.index("--interface") + 1] == "wsgi"
    module = __import__(module_name, fromlist=[attribute])
    assert callable(getattr(module, attribute))
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    assert argv[argv.index("--port") + 1] == instructions("EXPOSE")[0]
    assert "--respawn-failed-workers" in argv, "a worker that dies must be started again, as gunicorn's arbiter did"
    assert "requirements.txt" in " ".join(instructions("RUN") + instructions("COPY"))


@pytest.mark.unit
def test_the_image_has_the_postgresql_client_that_scripts_backup_needs():
    install = next(run for run in instructions("RUN") if "apt-get install" in run)
    server_image = compose()["services"]["postgres"]["image"]

    assert "postgresql-client" in install
    # Debian bookworm's client is PostgreSQL 15; pg_dump must be at least as new as the server.
    assert instructions("FROM")[0].endswith("-bookworm") and server_image == "postgres:15"


# --- .dockerignore ----------------------------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    "path",
    [
        "private/exports/export-41.csv",
        "media/campaigns/picture.png",
        "node_modules/axe-core/axe.min.js",
        ".venv/bin/python",
        "db.sqlite3",
        ".env",
        "staticfiles/staticfiles.json",
        "petition/__pycache__/settings.cpython-311.pyc",
        "signatures/exports/__pycache__/stream.cpython-311.pyc",
        ".pytest_cache/v/cache/nodeids",
        ".ruff_cache/CACHEDIR.TAG",
        ".hypothesis/examples/x",
        "bench/results/2025-03-01.json",
        "backups/20250301T020000Z.dump",
        "petition-20250301.dump",
        ".git/HEAD",
        "tests/conftest.py",
    ],
)
def test_the_build_context_leaves_out_personal_data_secrets_and_caches(path):
    assert is_ignored(path, dockerignore_patterns()), path


@pytest.mark.unit
@pytest.mark.parametrize(
    "path",
    [
        "manage.py",
        "requirements.txt",
        "petition/settings.py",
        "signatures/exports/stream.py",
        "templates/base.html",
        "static/css/site.css",
        "locale/de/LC_MESSAGES/django.mo",
        "scripts/backup",
        "scripts/healthcheck",
        "LICENSE",
    ],
)
def test_the_build_context_keeps_what_the_image_runs(path):
    assert not is_ignored(path, dockerignore_patterns()), path


@pytest.mark.slow
def test_the_images_collectstatic_step_works_on_the_build_context(tmp_path):
    """Run the Dockerfile's collectstatic RUN line, as written, on what COPY . . would copy."""
    (ROOT / "private" / "exports").mkdir(parents=True, exist_ok=True)
    planted = ROOT / "private" / "exports" / "planted-by-test.csv"
    planted.write_text("name,email\nAda,ada@example.org\n")
    try:
        copied = copy_build_context(tmp_path)
    finally:
        planted.unlink()
    [collect] = [run for run in instructions("RUN") if "collectstatic" in run]
    env = {key: value for key, value in os.environ.items() if not key.endswith("_URL") and key != "DEBUG"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"

    result = subprocess.run(["sh", "-c", collect], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    assert not any(path.startswith(("private/", "media/", "node_modules/", ".venv/")) for path in copied)
    assert "manage.py" in copied and "scripts/healthcheck" in copied
    assert result.returncode == 0, result.stderr
    manifest = tmp_path / "staticfiles" / "staticfiles.json"
    assert manifest.is_file()
    assert '"css/site.css"' in manifest.read_text()


# --- docker-compose.yml -----------------------------------------------------------------------------------


@pytest.mark.unit
def test_web_worker_and_beat_wait_for_the_migrations_to_succeed():
    services = compose()["services"]

    assert command_of(services["migrate"])[-3:] == ["manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends_on["postgres"] == {"condition": "service_healthy"}, name
        assert depends_on["redis"] == {"condition": "service_healthy"}, name
        assert "migrate" not in " ".join(command_of(services[name])), "migrations run once, in migrate"


@pytest.mark.unit
def test_exactly_one_service_runs_beat_and_no_worker_embeds_one():
    services = compose()["services"]
    beats = [name for name, service in services.items() if "beat" in command_of(service)]

    assert beats == ["beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    for name, service in services.items():
        command = command_of(service)
        assert "-B" not in command and "--beat" not in command, name


@pytest.mark.unit
def test_redis_has_a_password_a_health_check_and_no_published_port():
    services = compose()["services"]
    redis = services["redis"]
    startup = " ".join(command_of(redis))

    assert "requirepass" in startup and "$$REDIS_PASSWORD" in startup
    assert "--requirepass" not in startup, "a password on the command line shows in ps"
    assert redis["environment"]["REDIS_PASSWORD"].startswith("${REDIS_PASSWORD:?")
    assert "redis-cli ping" in " ".join(redis["healthcheck"]["test"])
    assert redis["environment"]["REDISCLI_AUTH"].startswith("${REDIS_PASSWORD:?")
    assert "exec docker-entrypoint.sh redis-server" in startup, "the entrypoint drops root before redis starts"
    for name in APP_SERVICES:
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://:${REDIS_PASSWORD:?"), name
    assert "ports" not in redis and "ports" not in services["postgres"]
    assert "healthcheck" in services["postgres"]


@pytest.mark.unit
def test_only_web_is_published_and_only_on_loopback():
    services = compose()["services"]
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}

    assert set(published) <= {"web", "mailpit"}
    for ports in published.values():
        assert all(port.startswith("127.0.0.1:") for port in ports), ports
    assert "try" in services["mailpit"]["profiles"]
    web_command = command_of(services["web"])
    web_port = web_command[web_command.index("--port") + 1]
    assert published["web"] == [f"127.0.0.1:8000:{web_port}"]


@pytest.mark.unit
def test_the_web_container_hands_a_dead_workers_waiting_connections_to_the_others():
    """granian's workers listen on sockets of their own (tests/deploy/test_web_server.py)."""
    assert str(compose()["services"]["web"]["sysctls"]["net.ipv4.tcp_migrate_req"]) == "1"


@pytest.mark.unit
def test_uploaded_images_and_export_files_live_in_volumes():
    document = compose()
    web = document["services"]["web"]
    mounts = dict(volume.split(":", 1) for volume in web["volumes"])

    assert mounts["media"] == web["environment"]["MEDIA_ROOT"]
    assert mounts["exports"] == web["environment"]["EXPORT_ROOT"]
    assert {"media", "exports", "pgdata"} <= set(document["volumes"])
    worker_mounts = dict(volume.split(":", 1) for volume in document["services"]["worker"]["volumes"])
    assert worker_mounts["exports"] == web["environment"]["EXPORT_ROOT"], "the worker writes what web hands out"


@pytest.mark.unit
def test_secrets_have_no_default_in_the_compose_file():
    text = (ROOT / "docker-compose.yml").read_text()

    for name in ("POSTGRES_PASSWORD", "REDIS_PASSWORD"):
        assert f"${{{name}:?" in text and f"${{{name}:-" not in text, name
    for secret in ("SECRET_KEY", "IP_HASH_KEY", "EMAIL_LINK_KEY"):
        assert secret not in text, "secrets come from .env, never from here"
    assert compose()["services"]["web"]["env_file"] == ".env"


@pytest.mark.unit
def test_every_command_refers_to_modules_and_commands_that_exist():
    services = compose()["services"]
    for name in APP_SERVICES:
        command = command_of(services[name])
        if command[0] == "granian":
            module_name, _, attribute = command[-1].partition(":")
            assert callable(getattr(__import__(module_name, fromlist=[attribute]), attribute))
        elif command[0] == "celery":
            app_module = __import__(command[command.index("-A") + 1])
            assert hasattr(app_module, "celery_app"), name
            assert command[3] in ("worker", "beat"), name
        else:
            assert command[:2] == ["python", "manage.py"], name
            assert command[2] in get_commands(), name
    healthcheck = " ".join(services["worker"]["healthcheck"]["test"])
    assert "celery -A petition inspect ping" in healthcheck
    for name in ("migrate", "beat"):
        assert services[name]["healthcheck"] == {"disable": True}, "the image's web health check means nothing here"


@pytest.mark.unit
def test_every_variable_compose_and_env_example_set_is_read_by_the_platform():
    read = settings_variables()
    services = compose()["services"]
    set_by_compose = set()
    for name in APP_SERVICES:
        set_by_compose |= set(services[name]["environment"])
    example = set(env_file_names())
    interpolated = interpolated_names((ROOT / "docker-compose.yml").read_text())

    assert set_by_compose - read == set()
    assert example - read - NOT_PLATFORM_VARIABLES == set()
    # Everything the compose file interpolates is given in .env.example.
    assert interpolated <= example
    for required in ("SECRET_KEY", "IP_HASH_KEY", "EMAIL_LINK_KEY", "ALLOWED_HOSTS", "SITE_URL", "EMAIL_HOST", "DEFAULT_FROM_EMAIL"):
        assert required in example, required


@pytest.mark.unit
def test_the_example_environment_holds_only_placeholders_for_secrets():
    values = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )

    for name in ("SECRET_KEY", "IP_HASH_KEY", "EMAIL_LINK_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "EMAIL_HOST_PASSWORD"):
        assert values[name] == "change-me", name
    assert values["SITE_URL"].startswith("https://")
    assert "ALLOW_PLAIN_HTTP_ON_LAN" not in values, "plain http is shown commented out, for trying it out only"
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_the_platform_refuses_to_start_on_the_example_environment_copied_unchanged():
    values = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "DATABASE_URL", "REDIS_URL")}
    env.update(values, DEBUG="0")

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode != 0
    assert "SECRET_KEY is a published placeholder" in result.stderr
    assert "IP_HASH_KEY is a published placeholder" in result.stderr
    assert "EMAIL_LINK_KEY is a published placeholder" in result.stderr


@pytest.mark.slow
def test_the_redis_service_requires_its_password_and_its_health_check_passes_with_it(tmp_path):
    """The compose file's Redis start-up and health check, run against a real redis-server on loopback."""
    redis = compose()["services"]["redis"]
    startup = command_of(redis)[2].replace("$$", "$")
    write_config = startup.split("&& chown", 1)[0].replace("/tmp/redis.conf", str(tmp_path / "redis.conf"))
    password = "0123456789abcdef" * 4
    port = free_port()
    env = {**os.environ, "REDIS_PASSWORD": password}
    subprocess.run(["sh", "-c", write_config], env=env, check=True, timeout=30)
    server = subprocess.Popen(
        ["redis-server", str(tmp_path / "redis.conf"), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    health = " ".join(redis["healthcheck"]["test"][1:]).replace("redis-cli", f"redis-cli -p {port}")
    try:
        wait_for(lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode == 0)
        with_password = subprocess.run(["sh", "-c", health], env={**os.environ, "REDISCLI_AUTH": password}, timeout=30)
        without = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert stat.S_IMODE((tmp_path / "redis.conf").stat().st_mode) == 0o600
    assert with_password.returncode == 0
    assert "NOAUTH" in without.stdout


def test_the_try_it_on_your_computer_settings_of_the_example_start():
    """.env.example's commented block: plain http on 127.0.0.1 with the mail catcher, real secrets filled in."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    values = dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))
    start = next(n for n, line in enumerate(lines) if "Trying it on your own computer" in line)
    for line in lines[start + 1 :]:
        assignment = line.lstrip("# ").strip()
        if re.fullmatch(r"[A-Z_]+=.*", assignment):
            name, value = assignment.split("=", 1)
            values[name] = value
    values.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        IP_HASH_KEY=secrets.token_urlsafe(50),
        EMAIL_LINK_KEY=secrets.token_urlsafe(50),
    )
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "DATABASE_URL", "REDIS_URL")}
    env.update(values, DEBUG="0")

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from django.conf import settings; print(settings.SESSION_COOKIE_SECURE, settings.SITE_URL)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )

    assert values["ALLOW_PLAIN_HTTP_ON_LAN"] == "1" and values["EMAIL_HOST"] == "mailpit"
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False http://127.0.0.1:8000"
