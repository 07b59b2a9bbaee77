"""Production settings pass Django's deployment checklist without a single warning."""

import json

from .production import manage


def test_it_passes_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = manage("check", SECRET_KEY="")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


SHOW_SETTINGS = """
import json
from django.conf import settings
names = [
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SECURE", "LANGUAGE_COOKIE_HTTPONLY", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF",
]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def test_it_marks_every_cookie_secure_and_http_only_and_sends_hsts_in_production():
    result = manage("shell", "-c", SHOW_SETTINGS)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
    }


SHOW_RESPONSE = """
from django.test import Client
response = Client().get("/healthz", secure=True, HTTP_HOST="petition.example.org")
print(response.status_code, response.headers.get("Strict-Transport-Security"))
insecure = Client().get("/en/", HTTP_HOST="petition.example.org")
print(insecure.status_code, insecure.headers.get("Location"))
"""


def test_it_sends_hsts_and_redirects_plain_http_except_the_health_check():
    result = manage("shell", "-c", SHOW_RESPONSE)

    assert result.returncode == 0, result.stderr
    secure_line, insecure_line = result.stdout.strip().splitlines()[-2:]
    assert secure_line.split(" ", 1)[1] == "max-age=31536000; includeSubDomains; preload"
    assert insecure_line == "301 https://petition.example.org/en/"


SHOW_HEALTH_OVER_HTTP = """
from django.test import Client
print(Client().get("/healthz", HTTP_HOST="petition.example.org").status_code)
"""


def test_it_answers_the_load_balancer_health_check_over_plain_http():
    result = manage("shell", "-c", SHOW_HEALTH_OVER_HTTP)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] in ("200", "503")
