"""Password guessing at the admin login is throttled per client address."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.django_db


def guess(client, password="wrong-password", **meta):
    return client.post(reverse("admin:login"), {"username": "staff", "password": password}, **meta)


@pytest.fixture
def staff():
    return User.objects.create_user("staff", password="correct horse battery staple", is_staff=True)


def test_it_answers_a_plain_429_after_too_many_attempts(client, settings, staff):
    settings.ADMIN_LOGIN_RATE_BURST = "3/m"

    statuses = [guess(client).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = guess(client, password="correct horse battery staple")
    assert response.status_code == 429
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_still_shows_the_login_form_to_a_throttled_address(client, settings, staff):
    settings.ADMIN_LOGIN_RATE_BURST = "1/m"
    guess(client)
    guess(client)

    assert client.get(reverse("admin:login")).status_code == 200


def test_it_throttles_over_the_hour_as_well(client, settings, staff):
    settings.ADMIN_LOGIN_RATE_BURST = "100/m"
    settings.ADMIN_LOGIN_RATE_SUSTAINED = "2/h"

    assert [guess(client).status_code for _ in range(3)] == [200, 200, 429]


def test_it_throttles_each_address_on_its_own(client, settings, staff):
    settings.ADMIN_LOGIN_RATE_BURST = "1/m"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert guess(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert guess(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert guess(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_it_logs_staff_in_below_the_limit(client, staff):
    response = guess(client, password="correct horse battery staple")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_it_validates_staff_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("correct horse battery staple")
