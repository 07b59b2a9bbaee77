import pytest


@pytest.fixture(autouse=True)
def private_export_root(settings, tmp_path):
    """Background export files go to a directory of this test's own."""
    settings.EXPORT_ROOT = tmp_path / "private-exports"
    return settings.EXPORT_ROOT

