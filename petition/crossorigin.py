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

import functools
import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings

HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?")
DEFAULT_PORTS = {"http": 80, "https": 443}


# A pure function of its text; every form post without Sec-Fetch-Site asks
# it for the site's own address and for its Origin, mostly the same few.
@functools.lru_cache(maxsize=256)
def origin_of(url: str) -> str:
    """scheme://host[:port] of an http(s) URL, lower-cased, default port left out; empty for anything else.

    Built from the scheme, host and port alone: a user part, path, query or
    fragment never gets through, and a host that is neither a DNS name
    (international names in their ASCII form) nor an IP address makes it empty.
    The result goes into headers (frame-ancestors) and comparisons with Origin.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    host = parts.hostname or ""
    if parts.scheme.lower() not in DEFAULT_PORTS or not host:
        return ""
    scheme = parts.scheme.lower()
    try:
        host = str(ipaddress.ip_address(host))
        if ":" in host:
            host = f"[{host}]"
    except ValueError:
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return ""
        if not HOST_NAME.fullmatch(host) or len(host) > 253:
            return ""
        host = host.rstrip(".")
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


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
