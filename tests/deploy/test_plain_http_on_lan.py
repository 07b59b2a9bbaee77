"""ALLOW_PLAIN_HTTP_ON_LAN: production settings over plain http on a local network, and nowhere else."""

import json

import pytest
from django.db import connection

from petition.settings import is_lan_host, plain_http_refusal
from tests.factories import make_staff_user
from tests.security.production import manage

LAN = {"ALLOW_PLAIN_HTTP_ON_LAN": "1", "SITE_URL": "http://petition.lan:8000", "ALLOWED_HOSTS": "petition.lan"}

SHOW_SETTINGS = """
import json
from django.conf import settings
names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
         "SECURE_HSTS_SECONDS", "SESSION_COOKIE_HTTPONLY", "CSRF_TRUSTED_ORIGINS"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""

LOG_IN_OVER_HTTP = """
import json
from django.test import Client
client = Client(HTTP_HOST="petition.lan:8000")
login_page = client.get("/admin/login/")
logged_in = client.post("/admin/login/?next=/admin/", {"username": "lan-tester", "password": "a-long-test-password"})
index = client.get("/admin/")
print(json.dumps({
    "login_page": login_page.status_code,
    "login_page_location": login_page.headers.get("Location"),
    "csrf_cookie_secure": bool(login_page.cookies["csrftoken"]["secure"]) if "csrftoken" in login_page.cookies else None,
    "logged_in": logged_in.status_code,
    "session_cookie_secure": bool(logged_in.cookies["sessionid"]["secure"]) if "sessionid" in logged_in.cookies else None,
    "index": index.status_code,
    "hsts": index.headers.get("Strict-Transport-Security"),
}))
"""


def last_json(result) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.unit
@pytest.mark.parametrize(
    "host", ["petition.lan", "petition.local", "petition.internal", "box.home.arpa", "localhost", "petition", "lan",
             "192.168.1.20", "10.0.0.5", "127.0.0.1", "::1", "fd12:3456::1", "169.254.1.1"],
)
def test_local_names_and_private_addresses_count_as_lan(host):
    assert is_lan_host(host)


@pytest.mark.unit
@pytest.mark.parametrize("host", ["petition.example.org", "example.lan.evil.com", "8.8.8.8", "2001:4860:4860::8888"])
def test_public_names_and_addresses_do_not(host):
    assert not is_lan_host(host)


@pytest.mark.unit
def test_the_refusal_names_what_is_wrong():
    assert plain_http_refusal("http://petition.lan:8000") == ""
    assert "https" in plain_http_refusal("https://petition.lan")
    assert "public name or address" in plain_http_refusal("http://petition.example.org")


def test_it_is_refused_together_with_a_public_https_site_url():
    result = manage("check", ALLOW_PLAIN_HTTP_ON_LAN="1", SITE_URL="https://petition.example.org")

    assert result.returncode != 0
    assert "ALLOW_PLAIN_HTTP_ON_LAN" in result.stderr
    assert "SITE_URL is https://petition.example.org" in result.stderr


@pytest.mark.parametrize("site_url", ["http://petition.example.org", "http://8.8.8.8:8000"])
def test_it_is_refused_with_a_public_host_even_over_http(site_url):
    result = manage("check", ALLOW_PLAIN_HTTP_ON_LAN="1", SITE_URL=site_url, ALLOWED_HOSTS="*")

    assert result.returncode != 0
    assert "public name or address" in result.stderr


def test_on_a_lan_name_it_turns_off_secure_cookies_hsts_and_the_redirect_and_nothing_else():
    values = last_json(manage("shell", "-c", SHOW_SETTINGS, **LAN))

    assert values == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "LANGUAGE_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_TRUSTED_ORIGINS": ["http://petition.lan:8000"],
    }


def test_without_it_production_keeps_every_cookie_secure():
    values = last_json(manage("shell", "-c", SHOW_SETTINGS, SITE_URL="http://petition.lan:8000", ALLOWED_HOSTS="petition.lan"))

    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] > 0


@pytest.mark.django_db(transaction=True)
def test_staff_can_log_into_the_admin_over_plain_http_on_a_lan():
    make_staff_user(username="lan-tester")
    config = connection.settings_dict
    test_database = f"postgres://{config['USER']}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{config['NAME']}"
    if config["PASSWORD"]:
        test_database = test_database.replace("@", f":{config['PASSWORD']}@", 1)

    over_lan = last_json(manage("shell", "-c", LOG_IN_OVER_HTTP, DATABASE_URL=test_database, **LAN))
    without_it = last_json(
        manage("shell", "-c", LOG_IN_OVER_HTTP, DATABASE_URL=test_database, SITE_URL=LAN["SITE_URL"], ALLOWED_HOSTS="petition.lan")
    )

    assert over_lan == {
        "login_page": 200,
        "login_page_location": None,
        "csrf_cookie_secure": False,
        "logged_in": 302,
        "session_cookie_secure": False,
        "index": 200,
        "hsts": None,
    }
    # The same request without the variable: sent to https, where a LAN test server has no certificate.
    assert without_it["login_page"] == 301
    assert without_it["login_page_location"] == "https://petition.lan:8000/admin/login/"
