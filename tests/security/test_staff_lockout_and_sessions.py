"""A staff account locks for a while after many wrong guesses from anywhere; staff sessions last hours, not weeks."""

import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from petition.staffauth import LOCK_PREFIX, account_key

from .production import manage

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    settings.STAFF_LOGIN_FAILURES = 10
    settings.STAFF_LOCKOUT_MINUTES = 15
    # Guesses come from many addresses, as a distributed attacker's would: the per-address throttle never trips.
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def attempt(client, number: int, username="staff", password="wrong password"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=f"198.51.100.{number % 250}",
    )


def give_code(client, number: int, value: str):
    return client.post(
        reverse("admin:two_factor"), {"code": value}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}"
    )


def lock_until() -> float | None:
    return cache.get(LOCK_PREFIX + account_key("staff"))


def lock_ttl() -> int:
    client = redis.Redis.from_url(django_settings.REDIS_URL, socket_timeout=2)
    return client.ttl(cache.make_key(LOCK_PREFIX + account_key("staff")))


@pytest.fixture
def account():
    return User.objects.create_user("staff", password=PASSWORD, is_staff=True)


def test_ten_wrong_passwords_from_ten_addresses_lock_the_account(client, account):
    statuses = [attempt(client, n).status_code for n in range(10)]
    assert statuses == [200] * 10

    locked = attempt(client, 11, password=PASSWORD)

    assert locked.status_code == 429
    assert 850 <= int(locked["Retry-After"]) <= 900
    assert "_auth_user_id" not in client.session


def test_the_lock_is_for_that_account_only(client, account):
    User.objects.create_user("colleague", password=PASSWORD, is_staff=True)
    for n in range(10):
        attempt(client, n)

    assert attempt(client, 20, username="colleague", password=PASSWORD).status_code == 302


def test_a_lock_ends_after_its_time_and_guessing_on_does_not_extend_it(client, account):
    for n in range(10):
        attempt(client, n)
    until = lock_until()
    assert 0 < lock_ttl() <= 15 * 60

    for n in range(20, 30):
        assert attempt(client, n).status_code == 429
    assert attempt(client, 31, password=PASSWORD).status_code == 429

    assert lock_until() == until
    assert lock_ttl() <= 15 * 60
    assert until <= time.time() + 15 * 60
    cache.delete(LOCK_PREFIX + account_key("staff"))  # what Redis does when the lock's time is up
    assert attempt(client, 40, password=PASSWORD).status_code == 302


def test_a_success_forgets_earlier_failures(client, account):
    for n in range(9):
        attempt(client, n)
    assert attempt(client, 9, password=PASSWORD).status_code == 302
    client.logout()

    assert [attempt(client, n).status_code for n in range(10, 19)] == [200] * 9
    assert lock_until() is None


def test_wrong_codes_count_and_a_known_password_does_not_buy_fresh_guesses(client, account):
    account.groups.add(Group.objects.get(name="Moderators"))
    assert attempt(client, 0, password=PASSWORD).status_code == 302
    client.get(reverse("admin:two_factor"))
    device = TOTPDevice.objects.get(user=account)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    wrong = f"{(totp.token() + 1) % 10**6:06d}"

    for n in range(5):
        assert give_code(client, n, wrong).status_code == 200
        client.logout()
        assert attempt(client, n, password=PASSWORD).status_code == 302  # the password is right every time
    for n in range(5, 10):
        assert give_code(client, n, wrong).status_code == 200

    assert give_code(client, 11, f"{totp.token():06d}").status_code == 429
    assert attempt(client, 50, password=PASSWORD).status_code == 429


def test_a_staff_session_ends_twelve_hours_after_the_password_however_busy(client, account):
    before = timezone.now()
    attempt(client, 0, password=PASSWORD)

    expiry = client.session.get_expiry_date()
    assert before + timedelta(hours=11, minutes=59) <= expiry <= timezone.now() + timedelta(hours=12)
    assert int(client.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"]) <= 12 * 3600

    # Activity that writes to the session does not push the end further away.
    session = client.session
    session["touched"] = True
    session.save()
    client.get(reverse("admin:index"))
    assert client.session.get_expiry_date() == expiry


def test_a_session_past_its_end_is_logged_out(client, account):
    attempt(client, 0, password=PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200
    session = client.session
    session.set_expiry(timezone.now() - timedelta(seconds=1))
    session.save()

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_sessions_longer_than_twelve_hours_are_refused():
    result = manage("check", STAFF_SESSION_HOURS="24")

    assert result.returncode != 0
    assert "STAFF_SESSION_HOURS must be between 1 and 12" in result.stderr
