"""Refuse form posts that another site makes through a visitor's browser.

The sign form is the same for every visitor, so the petition page can be kept
by shared caches on a viral day; it therefore carries no per-visitor CSRF
token. Instead a POST is refused when the browser says it came from another
site: Sec-Fetch-Site, sent by every current browser, must be "same-origin"
(or "none", typed by the user); without it, Origin, or from older browsers
Referer, must name our own site. A page on another site can forge none of
these. A request carrying none of them did not come from a page in a browser,
so it cannot ride on a visitor's browser, which is the attack CSRF tokens
defend against; it is treated like any other client, as Go's
net/http.CrossOriginProtection does.
"""

from urllib.parse import urlsplit

from django.conf import settings


def origin_of(url: str) -> str:
    """scheme://host[:port] of an http(s) URL, lower-cased; empty for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return f"{parts.scheme}://{parts.netloc.lower()}"


def our_origins(request) -> set[str]:
    return {origin_of(request.build_absolute_uri("/")), origin_of(settings.SITE_URL)}


def posted_from_another_site(request) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    for header in ("Origin", "Referer"):
        value = request.headers.get(header)
        if value is not None:
            origin = origin_of(value)
            return not origin or origin not in our_origins(request)
    return False
