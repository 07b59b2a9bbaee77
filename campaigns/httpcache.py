"""Shared caching of public pages, never of anything personal.

A page may be kept by browsers and proxies for PUBLIC_PAGE_SECONDS only when
rendering it put nothing of this visitor's into it: no CSRF token (a sign
form carries one, so an open petition's page stays private), no session
(staff previews), no flash message, no cookie. Everything else is marked
private so no shared cache keeps it. The JSON API is the cheap way to watch
a count climb; see campaigns.api.
"""

from functools import wraps

from django.conf import settings
from django.utils.cache import patch_cache_control


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
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()  # what the page puts in it is known only once it is rendered
        if request.method in ("GET", "HEAD") and response.status_code == 200 and not is_personal(request, response):
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_SECONDS)
        else:
            patch_cache_control(response, private=True, no_cache=True)
        return response

    return wrapper
