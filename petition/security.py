"""Content-Security-Policy, framing, proxy headers and error reports.

Every response carries one policy, built here by ContentSecurityPolicyMiddleware
and nowhere else: pages load only from our own origin and are framed by
nobody. Views widen it for one purpose each, by marking their response, never
by writing the header themselves (the middleware replaces any such header):

- ``@recaptcha_step`` on views that render the sign form: when reCAPTCHA is
  configured, Google's script and frame origins are allowed there and nowhere
  else.
- ``allow_framing(response, origins)`` (or the ``@frame_ancestors(...)``
  decorator for a fixed list) on a view meant to be embedded: the same policy
  with ``frame-ancestors`` naming those origins instead of ``'none'``, and the
  response exempt from ``X-Frame-Options: DENY``, which cannot name origins.
"""

import re
from collections.abc import Iterable
from functools import lru_cache, wraps

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

from petition.ratelimits import is_trusted_proxy, parse_address

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

# A source a view may put in frame-ancestors: a keyword, a scheme, or an origin (scheme://host[:port]).
FRAME_ANCESTOR_SOURCE = re.compile(
    r"'self'|'none'|https:|https?://(\[[0-9a-fA-F:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)"
    r"(:[0-9]{1,5})?"
)


def build_policy(*, recaptcha: bool = False, frame_ancestors: Iterable[str] = ()) -> str:
    policy = {directive: list(sources) for directive, sources in BASE_POLICY.items()}
    if recaptcha:
        policy["script-src"] += RECAPTCHA_ORIGINS
        policy["frame-src"] = list(RECAPTCHA_ORIGINS)
        policy["connect-src"] += RECAPTCHA_ORIGINS
    ancestors = list(frame_ancestors)
    for source in ancestors:
        # Origins come from data staff typed (organisation websites): one
        # that slipped through with a ";" would write directives of its own.
        if not FRAME_ANCESTOR_SOURCE.fullmatch(source):
            raise ValueError(f"not a frame-ancestors source: {source!r}")
    if ancestors:
        policy["frame-ancestors"] = ancestors
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())


# Every response carries a policy, and there are few distinct ones (the
# embeds' partner origins): each is built once per process.
@lru_cache(maxsize=256)
def policy_header(recaptcha: bool, frame_ancestors: tuple[str, ...]) -> str:
    return build_policy(recaptcha=recaptcha, frame_ancestors=frame_ancestors)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Content-Security-Policy"] = policy_header(
            bool(settings.RECAPTCHA_ENABLED and getattr(response, "csp_recaptcha", False)),
            tuple(getattr(response, "csp_frame_ancestors", ())),
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
    """Let these sources (e.g. "https://partner.example", "'self'") frame this response."""
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


class UntrustedProxyHeadersMiddleware:
    """Drop X-Forwarded-Proto unless one of our proxies (TRUSTED_PROXIES) sent it.

    SECURE_PROXY_SSL_HEADER makes Django believe that header; from anyone
    else it is the client's own claim, so it is removed before Django reads it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_X_FORWARDED_PROTO" in request.META and not is_trusted_proxy(
            parse_address(request.META.get("REMOTE_ADDR") or "")
        ):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)


class ErrorReportFilter(SafeExceptionReporterFilter):
    """Django's filter, also hiding URLs (DATABASE_URL, REDIS_URL, the cache's LOCATION, the broker)."""

    hidden_settings = re.compile("API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|URL|LOCATION|DSN", flags=re.I)
