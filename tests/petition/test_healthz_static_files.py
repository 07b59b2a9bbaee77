"""/healthz fails, naming the static files, when production's manifest is missing or behind the code."""

import json

import pytest
from django.core.management import call_command

from petition import health

pytestmark = pytest.mark.django_db

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture
def production_static(settings, tmp_path):
    """The production storage, collecting into a directory of this test's own."""
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    return settings.STATIC_ROOT


def test_it_fails_naming_static_files_when_collectstatic_never_ran(client, production_static):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["static"] == "not collected: run collectstatic"
    assert response.json()["database"] == "ok"


def test_it_is_healthy_once_static_files_are_collected(client, production_static):
    call_command("collectstatic", interactive=False, verbosity=0)

    response = client.get("/healthz")

    assert response.json()["static"] == "ok"
    assert (production_static / "staticfiles.json").is_file()


def test_it_fails_when_the_manifest_is_behind_the_code(client, production_static, settings):
    """An upgrade that brought a new static file but skipped collectstatic."""
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest_file = production_static / "staticfiles.json"
    manifest = json.loads(manifest_file.read_text())
    del manifest["paths"]["css/site.css"]
    manifest_file.write_text(json.dumps(manifest))
    # A process that starts now reads the manifest as it is on disk.
    settings.STORAGES = {**settings.STORAGES}

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["static"] == "1 files not collected: run collectstatic, then restart"


def test_it_does_not_ask_for_collected_files_in_development(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    assert health.check_static() == "ok"
