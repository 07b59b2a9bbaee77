"""Logging staff in for tests, with both factors as the admin asks of them."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def log_in_staff(client, user) -> TOTPDevice:
    """The session a staff login ends with: the password step (force_login) and a verified TOTP device.

    This is what the admin's two-factor step stores once a code is right
    (django_otp.login); tests/security/test_staff_two_factor.py goes through
    the real step with real codes.
    """
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
