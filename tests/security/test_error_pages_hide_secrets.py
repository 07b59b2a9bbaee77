"""Error pages and reports never show the database's or Redis's password."""

import pytest
from django.test import Client

from .production import manage

pytestmark = pytest.mark.django_db

DB_PASSWORD = "db-hunter2-secret"
REDIS_PASSWORD = "redis-hunter2-secret"


@pytest.mark.urls("tests.security.failing_urls")
def test_even_the_debug_page_hides_urls_with_passwords(settings):
    settings.DEBUG = True
    settings.DATABASE_URL = f"postgres://petition:{DB_PASSWORD}@db.internal:5432/petition"
    settings.REDIS_URL = f"redis://:{REDIS_PASSWORD}@redis.internal:6379/0"
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    settings.CACHES = {**settings.CACHES, "other": {"BACKEND": "x", "LOCATION": settings.REDIS_URL}}
    client = Client(raise_request_exception=False)

    response = client.get(
        "/fails/",
        # runserver copies the environment into every request's META.
        DATABASE_URL=settings.DATABASE_URL,
        REDIS_URL=settings.REDIS_URL,
        HTTP_ACCEPT="text/html",
    )

    assert response.status_code == 500
    page = response.content.decode()
    assert "something broke" in page  # it is the debug page
    assert DB_PASSWORD not in page
    assert REDIS_PASSWORD not in page


SHOW_ERROR_PAGES = """
from django.test import Client
client = Client(raise_request_exception=False)
missing = client.get("/en/no/such/page/", secure=True, HTTP_HOST="petition.example.org")
print(missing.status_code, "Using the URLconf" in missing.content.decode(), "Traceback" in missing.content.decode())
"""


def test_production_404_pages_show_no_url_map():
    result = manage("shell", "-c", SHOW_ERROR_PAGES, REDIS_URL=f"redis://:{REDIS_PASSWORD}@127.0.0.1:1/0")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "404 False False"
    assert REDIS_PASSWORD not in result.stdout + result.stderr
