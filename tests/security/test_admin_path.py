"""The admin lives where ADMIN_PATH says, and its login is throttled there."""

from .production import manage

SHOW_URLS = """
from django.urls import reverse, resolve
print(reverse("admin:index"), reverse("admin:login"), type(resolve(reverse("admin:login")).func.__self__).__name__)
"""


def test_it_serves_the_admin_and_its_throttled_login_under_admin_path():
    result = manage("shell", "-c", SHOW_URLS, ADMIN_PATH="staff-only-7f3a/")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["/staff-only-7f3a/", "/staff-only-7f3a/login/", "StaffAdminSite"]
