"""Shared caching of public pages, never of anything personal.

A page may be kept by browsers and proxies for PUBLIC_PAGE_SECONDS only when
rendering it put nothing of this visitor's into it: no CSRF token (a sign
form carries one, so an open petition's page stays private), no session
(staff previews), no flash message, no cookie. Everything else is marked
private so no shared cache keeps it. The JSON API is the cheap way to watch
a count climb; see campaigns.api.

The same pages are also kept server-side, in the cache, for
PUBLIC_PAGE_CACHE_SECONDS: on a viral day the petition page is rendered once
per few seconds per address and language instead of once per visitor.
Visitors with a session (staff) always get a fresh page.

Each process also keeps the pages it rendered or read from the cache
(LOCAL_PAGES), until the end of their time in the cache: the time a page was
rendered travels with it, so no page is served older than
PUBLIC_PAGE_CACHE_SECONDS from either. A page read from Redis was a round
trip of some tens of kilobytes for every visitor, two per signature (the
petition page and the thank-you page).
"""

import hashlib
import pickle
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import cc_delim_re, patch_cache_control
from django.utils.translation import get_language

from .attribution import page_address

PAGE_CACHE_PREFIX = "public-page:"


def is_personal(request, response) -> bool:
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return True
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return True
    messages = getattr(request, "_messages", None)
    if messages is not None and (messages.used or messages.added_new):
        return True
    return bool(response.cookies)


def public_unless_personal(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = page_cache_key(request)
        if key:
            copy = local_copy(key)
            if copy is not None:
                return copy
            cached = cache.get(key)
            if cached is not None:
                keep_local_copy(key, cached)
                return cached
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()  # what the page puts in it is known only once it is rendered
        if request.method in ("GET", "HEAD") and response.status_code == 200 and not is_personal(request, response):
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_SECONDS)
            if key:
                response.rendered_at = time.time()
                cache.set(key, response, settings.PUBLIC_PAGE_CACHE_SECONDS)
                keep_local_copy(key, response)
        else:
            patch_cache_control(response, private=True, no_cache=True)
        return response

    return wrapper


# This process's copies of the pages in the cache: key -> (time they stop
# being fresh, the response pickled). Our own bytes, pickled here; each
# request unpickles a response of its own, which the middleware then changes.
# When full it starts afresh.
LOCAL_PAGES: dict[str, tuple[float, bytes]] = {}
LOCAL_PAGES_MAX = 128


def keep_local_copy(key: str, response) -> None:
    """Keep a copy of a page as it is in the cache, until its time there is up."""
    fresh_until = getattr(response, "rendered_at", 0.0) + settings.PUBLIC_PAGE_CACHE_SECONDS
    if fresh_until <= time.time():
        return
    if len(LOCAL_PAGES) >= LOCAL_PAGES_MAX:
        LOCAL_PAGES.clear()
    LOCAL_PAGES[key] = (fresh_until, pickle.dumps(response, pickle.HIGHEST_PROTOCOL))


def local_copy(key: str):
    """A response of its own from this process's copy of the page; None when there is none, or it is too old."""
    fresh_until, pickled = LOCAL_PAGES.get(key, (0.0, b""))
    if fresh_until <= time.time():
        return None
    return pickle.loads(pickled)


def page_cache_key(request) -> str | None:
    """Where a visitor's page is kept server-side; None when it must not be (staff, writes, switched off)."""
    if (
        settings.PUBLIC_PAGE_CACHE_SECONDS <= 0
        or request.method not in ("GET", "HEAD")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
    ):
        return None
    address = f"{request.method}|{request.get_host()}|{get_language()}|{page_address(request)}"
    return PAGE_CACHE_PREFIX + hashlib.sha256(address.encode()).hexdigest()


class SharedResponsesCarryNoCookies:
    """Make private any response marked public that carries a cookie: a shared cache would hand the cookie to everyone.

    public_unless_personal (and the count API, the campaign picture) mark a
    response public before the middleware that sets cookies has run: a
    visitor who sends a session cookie naming no session (expired, or made
    up) gets SessionMiddleware's deletion of it, "Set-Cookie: sessionid=\"\"".
    Kept by a shared cache, that response signed out every staff member the
    cache then served. Listed before every middleware that sets cookies, so
    it sees the response they made.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.cookies and "public" in cache_directives(response):
            patch_cache_control(response, private=True, no_cache=True)
        return response


def cache_directives(response) -> set[str]:
    return {part.split("=", 1)[0].strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))}
