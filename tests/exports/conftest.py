import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def private_export_root(settings, tmp_path):
    """Background export files go to a directory of this test's own."""
    settings.EXPORT_ROOT = tmp_path / "private-exports"
    return settings.EXPORT_ROOT


@pytest.fixture(autouse=True)
def in_english():
    """Messages are asserted in English whatever language an earlier test left active."""
    with translation.override("en"):
        yield
