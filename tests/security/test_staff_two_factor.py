"""Staff who can see personal data log in with a password and a TOTP code; a newcomer enrols on first login."""

import re
import time

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the staff member's authenticator app shows (or will show steps_ahead periods from now)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def staff(*groups: str, username="staff", **fields) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True, **fields)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def log_in(client, username="staff", password=PASSWORD, next_page=None, **meta):
    data = {"username": username, "password": password}
    if next_page:
        data["next"] = next_page
    return client.post(reverse("admin:login"), data, **meta)


def give_code(client, value: str, **data):
    return client.post(reverse("admin:two_factor"), {"code": value, **data})


@pytest.fixture(autouse=True)
def no_backoff_between_codes(settings):
    # django-otp makes a device wait 1 s, 2 s, 4 s... after each wrong code;
    # tests that are not about that wait would otherwise depend on the clock.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_a_moderator_enrols_on_first_login_and_reaches_the_admin_only_after_a_right_code(client):
    moderator = staff("Moderators")
    changelist = reverse("admin:signatures_signature_changelist")

    response = log_in(client, next_page=changelist)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:two_factor") + "?next=" + changelist.replace("/", "%2F")
    assert client.get(changelist).status_code == 302
    assert client.get(changelist)["Location"].startswith(reverse("admin:two_factor"))

    page = client.get(reverse("admin:two_factor"), {"next": changelist})
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    device = TOTPDevice.objects.get(user=moderator)
    assert device.confirmed is False
    typed_key = re.search(r"<code>([A-Z2-7 ]+)</code>", page.text).group(1)
    assert len(typed_key.replace(" ", "")) == 32

    wrong = give_code(client, "000000" if code(device) != "000000" else "111111", next=changelist)
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.text
    assert client.get(changelist).status_code == 302

    right = give_code(client, code(device), next=changelist)

    assert right.status_code == 302
    assert right["Location"] == changelist
    assert client.get(changelist).status_code == 200
    device.refresh_from_db()
    assert device.confirmed is True


def test_next_time_it_asks_for_the_code_without_showing_the_key_again(client):
    moderator = staff("Moderators")
    log_in(client)
    client.get(reverse("admin:two_factor"))
    device = TOTPDevice.objects.get(user=moderator)
    give_code(client, code(device))
    client.post(reverse("admin:logout"))

    log_in(client)
    page = client.get(reverse("admin:two_factor"))

    assert "data:image/svg+xml" not in page.text
    assert "<code>" not in page.text
    assert give_code(client, code(device, steps_ahead=1)).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    assert TOTPDevice.objects.filter(user=moderator).count() == 1


def test_a_code_is_good_once(client):
    moderator = staff("Moderators")
    log_in(client)
    client.get(reverse("admin:two_factor"))
    device = TOTPDevice.objects.get(user=moderator)
    used = code(device)
    give_code(client, used)
    client.post(reverse("admin:logout"))

    log_in(client)

    assert give_code(client, used).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_wrong_code_makes_the_device_wait_before_the_next(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    moderator = staff("Moderators")
    log_in(client)
    client.get(reverse("admin:two_factor"))
    device = TOTPDevice.objects.get(user=moderator)
    give_code(client, "000000" if code(device) != "000000" else "111111")

    assert give_code(client, code(device)).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.parametrize(
    "groups, fields, permissions",
    [
        (["Moderators"], {}, []),
        (["Data exporters"], {}, []),
        ([], {"is_superuser": True}, []),
        ([], {}, ["signatures.view_signature"]),
        # Whoever can change users or groups can make themselves a moderator.
        ([], {}, ["auth.change_user"]),
        # Whoever can email every consenting signer in the coalition's name.
        (["Communications"], {}, []),
        ([], {}, ["campaigns.send_update"]),
    ],
    ids=["moderator", "data-exporter", "superuser", "sees-signatures", "manages-users", "communications", "sends-updates"],
)
def test_every_role_that_sees_or_can_reach_personal_data_or_mails_every_signer_needs_the_second_factor(client, groups, fields, permissions):
    user = staff(*groups, **fields)
    for dotted in permissions:
        app_label, codename = dotted.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))

    log_in(client)

    for page in ("admin:index", "admin:password_change"):
        response = client.get(reverse(page))
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("admin:two_factor")), page


@pytest.mark.parametrize("groups", [["Campaign managers"], []], ids=["campaign-manager", "no-role"])
def test_staff_without_access_to_personal_data_log_in_with_a_password(client, groups):
    staff(*groups)

    response = log_in(client)

    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
    assert not TOTPDevice.objects.exists()


def test_gaining_a_role_asks_for_the_second_factor_at_the_next_request(client):
    user = staff("Campaign managers")
    log_in(client)
    assert client.get(reverse("admin:index")).status_code == 200

    user.groups.add(Group.objects.get(name="Moderators"))

    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:two_factor"))


def test_a_removed_device_sends_its_owner_back_to_enrolment(client):
    moderator = staff("Moderators")
    log_in(client)
    client.get(reverse("admin:two_factor"))
    give_code(client, code(TOTPDevice.objects.get(user=moderator)))
    assert client.get(reverse("admin:index")).status_code == 200

    TOTPDevice.objects.filter(user=moderator).delete()  # a superuser did this for a lost phone

    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:two_factor"))
    assert "data:image/svg+xml" in client.get(reverse("admin:two_factor")).text


def test_the_code_step_ignores_a_next_page_on_another_site(client):
    moderator = staff("Moderators")
    log_in(client)
    client.get(reverse("admin:two_factor"))

    response = give_code(client, code(TOTPDevice.objects.get(user=moderator)), next="https://attacker.example/")

    assert response["Location"] == reverse("admin:index")


def test_logging_out_from_the_code_step_ends_the_session(client):
    staff("Moderators")
    log_in(client)

    response = client.post(reverse("admin:two_factor_cancel"))

    assert response["Location"] == reverse("admin:login")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:two_factor"))["Location"].startswith(reverse("admin:login"))


def test_the_code_step_needs_a_password_login_first(client):
    response = client.get(reverse("admin:two_factor"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert give_code(client, "123456")["Location"].startswith(reverse("admin:login"))


def test_a_half_logged_in_moderator_going_back_to_the_login_page_is_sent_on_to_the_code(client):
    staff("Moderators")
    log_in(client)

    response = client.get(reverse("admin:login"))

    assert response["Location"].startswith(reverse("admin:two_factor"))


def test_a_code_typed_as_the_app_shows_it_with_a_space_is_accepted(client):
    moderator = staff("Moderators")
    log_in(client)
    client.get(reverse("admin:two_factor"))
    right = code(TOTPDevice.objects.get(user=moderator))

    assert give_code(client, f"{right[:3]} {right[3:]}").status_code == 302


@pytest.mark.parametrize(
    "value", ["١٢٣٤٥٦", "12345", "abcdef", "123456\x00", "1" * 200, "‮123456", "-12345", ""],
    ids=["arabic-digits", "short", "letters", "null", "long", "rtl-override", "negative", "empty"],
)
def test_malformed_codes_get_a_clear_answer_and_count_as_a_wrong_guess(client, value):
    staff("Moderators")
    log_in(client)
    client.get(reverse("admin:two_factor"))

    response = give_code(client, value)

    assert response.status_code == 200
    assert "errorlist" in response.text
    assert client.get(reverse("admin:index")).status_code == 302
