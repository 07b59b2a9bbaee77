"""X-Forwarded-Proto is believed only from our own proxies: a client cannot claim HTTPS over plain HTTP."""

from .production import manage

SHOW_REDIRECTS = """
from django.test import Client
client = Client()
for remote in ("198.51.100.9", "10.0.0.2"):
    response = client.get("/en/no/such/page/", HTTP_HOST="petition.example.org", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=remote)
    print(remote, response.status_code, response.headers.get("Location"))
"""


def test_only_a_trusted_proxy_can_say_the_request_came_over_https():
    result = manage("shell", "-c", SHOW_REDIRECTS, TRUSTED_PROXIES="10.0.0.0/8")

    assert result.returncode == 0, result.stderr
    direct, proxied = result.stdout.strip().splitlines()[-2:]
    assert direct == "198.51.100.9 301 https://petition.example.org/en/no/such/page/"
    assert proxied == "10.0.0.2 404 None"
