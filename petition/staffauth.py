"""Staff logins worth the personal data behind them.

StaffAdminSite is the project's admin site (petition.apps.StaffAdminConfig
makes it Django's default, so every ``admin.site.register`` lands here). It adds
to Django's admin:

- Two factors for whoever may see or export personal data, grant that
  right, or email every consenting signer in the coalition's name
  (needs_two_factor: superusers, anyone with a permission in the signatures,
  auth or otp_totp apps, i.e. Moderators and Data exporters, and whoever may
  send updates, i.e. Communications).
  After the password, such a member of staff gives a TOTP code from an
  authenticator app; on their first login they enrol one by scanning a QR code
  (or typing the key). Until then every admin page sends them to that step.
- A throttle per client address (ADMIN_LOGIN_RATE_*) on password and code
  guesses, with the client address of petition.ratelimits.
- A lockout per account on top: STAFF_LOGIN_FAILURES wrong passwords or codes
  within STAFF_LOCKOUT_MINUTES lock the account for STAFF_LOCKOUT_MINUTES. A
  lock never lasts longer: attempts while locked are refused unread and do not
  extend it, so nobody can lock a colleague out for good by guessing.
- Sessions that end STAFF_SESSION_HOURS (at most 12) after the password was
  given, however busy.
"""

import hashlib
import logging
import re
import time
from base64 import b32encode
from datetime import timedelta
from functools import update_wrapper
from urllib.parse import urlencode

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib import admin, auth
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp.plugins.otp_totp.models import TOTPDevice

from petition.ratelimits import seconds_until_allowed

logger = logging.getLogger(__name__)

PERSONAL_DATA_APPS = ("signatures", "auth", "otp_totp")
# A stolen password with this permission mails a phishing message to every
# consenting signer from the coalition's own address.
MASS_EMAIL_PERMISSION = "campaigns.send_update"
LOCK_PREFIX = "staff-lock:"
FAILURES_PREFIX = "staff-failures:"


def needs_two_factor(user) -> bool:
    if not (user.is_active and user.is_staff):
        return False
    return (
        user.is_superuser
        or any(user.has_module_perms(app) for app in PERSONAL_DATA_APPS)
        or user.has_perm(MASS_EMAIL_PERMISSION)
    )


def two_factor_pending(request) -> bool:
    """Logged in with a password, but still owing the code their role asks for."""
    user = request.user
    if not user.is_authenticated or not needs_two_factor(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified and is_verified())


def second_factor_given(request) -> bool:
    """This session passed the code step (superusers and signature roles always have; password-only roles never)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


# The per-account lockout ------------------------------------------------------


def account_key(username: str) -> str:
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()


def seconds_locked(username: str) -> int:
    """How long this account stays locked; 0 when it is not."""
    until = cache.get(LOCK_PREFIX + account_key(username))
    return max(int(until - time.time()), 1) if until else 0


def record_failure(username: str) -> None:
    """Count a wrong password or code; the one that reaches the limit locks the account, for a fixed time."""
    window = settings.STAFF_LOCKOUT_MINUTES * 60
    failures_key = FAILURES_PREFIX + account_key(username)
    cache.add(failures_key, 0, window)
    try:
        failures = cache.incr(failures_key)
    except ValueError:  # the cache is unreachable: the per-address throttle has failed open too
        return
    if failures >= settings.STAFF_LOGIN_FAILURES:
        # add, not set: failures while locked cannot push the end of the lock further away.
        if cache.add(LOCK_PREFIX + account_key(username), time.time() + window, window):
            # The account by its key's first characters: a mistyped name can be someone's password.
            logger.warning("staff account %s… locked for %d minutes after %d wrong passwords or codes",
                           account_key(username)[:12], settings.STAFF_LOCKOUT_MINUTES, failures)  # fmt: skip
        cache.delete(failures_key)


def forget_failures(username: str) -> None:
    cache.delete(FAILURES_PREFIX + account_key(username))


def too_many_attempts(seconds: int) -> HttpResponse:
    response = HttpResponse(
        _("Too many login attempts. Please wait a few minutes and try again.") + "\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response


def guess_refused_for(request, username: str) -> int:
    """Seconds to wait before this guess is read (address throttle or account lock); 0 to go ahead."""
    address_wait = seconds_until_allowed(
        request, "admin-login", [settings.ADMIN_LOGIN_RATE_BURST, settings.ADMIN_LOGIN_RATE_SUSTAINED]
    )
    return max(address_wait, seconds_locked(username))


# The second factor --------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self):
        # Apps show "123 456"; only ASCII digits count (int() would take other scripts' digits too).
        code = self.cleaned_data["code"].replace(" ", "")
        if not re.fullmatch(r"[0-9]{6,8}", code):
            raise forms.ValidationError(_("Enter the 6-digit code your app shows."), code="invalid")
        return code


def device_to_verify(user) -> tuple[TOTPDevice, bool]:
    """The user's confirmed device, or the one they are enrolling (made on first sight); and whether it is new."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()
    if device is not None:
        return device, False
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device, True


def check_code(device: TOTPDevice, code: str) -> bool:
    """Verify a code against the device, one verification at a time (a code is good once)."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not locked.verify_token(code):
            return False
        if not locked.confirmed:
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
    device.refresh_from_db()
    return True


def manual_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for apps that cannot scan."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class StaffAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and not two_factor_pending(request)

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if two_factor_pending(request):
                return self.send_to_two_factor(request)
            return guarded(request, *args, **kwargs)

        return update_wrapper(inner, guarded)

    def get_urls(self):
        return [
            path("two-factor/", never_cache(csrf_protect(self.two_factor)), name="two_factor"),
            path("two-factor/cancel/", never_cache(csrf_protect(self.cancel_two_factor)), name="two_factor_cancel"),
        ] + super().get_urls()

    def send_to_two_factor(self, request, next_page: str = ""):
        target = reverse("admin:two_factor", current_app=self.name)
        next_page = next_page or (request.get_full_path() if request.method == "GET" else "")
        if next_page:
            target += "?" + urlencode({REDIRECT_FIELD_NAME: next_page})
        response = HttpResponseRedirect(target)
        add_never_cache_headers(response)
        return response

    def next_page(self, request) -> str:
        target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            return target
        return reverse("admin:index", current_app=self.name)

    def login(self, request, extra_context=None):
        """Django's admin login behind the address throttle and the account lock; sessions of hours."""
        if request.method == "GET" and two_factor_pending(request):
            return self.send_to_two_factor(request)
        if request.method != "POST":
            return super().login(request, extra_context)
        username = request.POST.get("username", "")
        wait = guess_refused_for(request, username)
        if wait:
            return too_many_attempts(wait)
        response = super().login(request, extra_context)
        if not isinstance(response, HttpResponseRedirect):
            record_failure(username)
            return response
        request.session.set_expiry(timezone.now() + timedelta(hours=settings.STAFF_SESSION_HOURS))
        if two_factor_pending(request):
            # Failures are forgotten only once both factors are in: a known
            # password must not buy fresh guesses at the code.
            return self.send_to_two_factor(request, next_page=response.url)
        forget_failures(username)
        return response

    def two_factor(self, request):
        """The code step after the password: enrol an authenticator app the first time, then verify its codes."""
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login", current_app=self.name))
        if not two_factor_pending(request):
            return HttpResponseRedirect(self.next_page(request))
        device, enrolling = device_to_verify(user)
        form = CodeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            wait = guess_refused_for(request, user.get_username())
            if wait:
                return too_many_attempts(wait)
            if form.is_valid() and check_code(device, form.cleaned_data["code"]):
                django_otp.login(request, device)
                forget_failures(user.get_username())
                return HttpResponseRedirect(self.next_page(request))
            record_failure(user.get_username())
            if form.is_valid():
                form.add_error(
                    "code",
                    _("That code is not right, or came too soon after a wrong one. Wait a moment and enter the code "
                      "your app shows now."),
                )
        context = {
            **self.each_context(request),
            "title": _("Set up two-factor login") if enrolling else _("Two-factor login"),
            "subtitle": None,
            "form": form,
            "enrolling": enrolling,
            "next": self.next_page(request),
            "username": user.get_username(),
        }
        if enrolling:
            context["qr_code"] = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
            context["manual_key"] = manual_key(device)
        request.current_app = self.name
        return TemplateResponse(request, "admin/two_factor.html", context)

    def cancel_two_factor(self, request):
        """Log out from the code step (the admin's own logout is behind it)."""
        if request.method == "POST":
            auth.logout(request)
        return HttpResponseRedirect(reverse("admin:login", current_app=self.name))
