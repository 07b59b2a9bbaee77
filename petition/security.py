"""Content-Security-Policy, framing, and a throttled admin login.

Every response carries a policy that lets a page load only from our own origin
and be framed by nobody. Two view decorators widen it, each for one purpose:

- ``@recaptcha_step`` on views that render the sign form: when reCAPTCHA is
  configured, Google's script and frame origins are allowed there and nowhere
  else.
- ``@frame_ancestors("https://partner.example", ...)`` (or, when the origins
  are only known inside the view, ``allow_framing(response, origins)``) on a
  view meant to be embedded: it replaces ``frame-ancestors 'none'`` with those
  origins and exempts the response from ``X-Frame-Options: DENY``, which cannot
  name origins.
"""

from collections.abc import Iterable
from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.utils.translation import gettext as _

from petition.ratelimits import over_limit

RECAPTCHA_ORIGINS = ("https://www.google.com", "https://www.gstatic.com", "https://www.recaptcha.net")

BASE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def build_policy(*, recaptcha: bool = False, frame_ancestors: Iterable[str] = ()) -> str:
    policy = {directive: list(sources) for directive, sources in BASE_POLICY.items()}
    if recaptcha:
        policy["script-src"] += RECAPTCHA_ORIGINS
        policy["frame-src"] = list(RECAPTCHA_ORIGINS)
        policy["connect-src"] += RECAPTCHA_ORIGINS
    ancestors = list(frame_ancestors)
    if ancestors:
        policy["frame-ancestors"] = ancestors
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = build_policy(
                recaptcha=settings.RECAPTCHA_ENABLED and getattr(response, "csp_recaptcha", False),
                frame_ancestors=getattr(response, "csp_frame_ancestors", ()),
            )
        return response


def recaptcha_step(view):
    """Mark a view that renders the sign form: reCAPTCHA may load there when enabled."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.csp_recaptcha = True
        return response

    return wrapped


def allow_framing(response, origins: Iterable[str]):
    """Let these origins (e.g. "https://partner.example") frame this response."""
    response.csp_frame_ancestors = list(origins)
    response.xframe_options_exempt = True
    return response


def frame_ancestors(*origins: str):
    """Decorator form of allow_framing for a fixed list of origins."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return allow_framing(view(request, *args, **kwargs), origins)

        return wrapped

    return decorator


def admin_login(request, extra_context=None):
    """The admin login, refusing password guesses beyond a few per client address."""
    if request.method == "POST" and over_limit(
        request, "admin-login", [settings.ADMIN_LOGIN_RATE_BURST, settings.ADMIN_LOGIN_RATE_SUSTAINED]
    ):
        response = HttpResponse(
            _("Too many login attempts from your address. Please wait a few minutes and try again.") + "\n",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "60"
        return response
    return admin.site.login(request, extra_context)
