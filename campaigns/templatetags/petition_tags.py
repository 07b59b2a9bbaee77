from html import escape

from django import template
from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.urls import translate_url
from django.utils.encoding import escape_uri_path
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from petition.attribution import page_address

register = template.Library()

CURRENT = ' aria-current="true"'


@register.simple_tag(takes_context=True)
def language_links(context) -> list[tuple[str, str, str]]:
    """(code, name in that language, this page's address in that language), with the attribution its link carried."""
    request = context["request"]
    # A page answering a POST (a form with errors) switches to its GET address;
    # a page rendered once for many addresses names the one its links carry
    # (signatures.pages.confirm_button_page).
    path = context.get("language_switch_path")
    if path is None and request.method == "GET":
        try:
            path = page_address(request)
        except TooManyFieldsSent:
            # The query holds more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS:
            # the page is its 400 (or a 404 or 403) page, rendered by the error
            # handler, where raising again made it a 500.
            path = escape_uri_path(request.path)
    if path is None:
        path = context.get("page_path", request.path)
    names = dict(settings.LANGUAGES)
    return [(code, names[code], address) for code, address in in_each_language(path)]


@register.simple_tag(takes_context=True)
def alternate_links(context) -> list[tuple[str, str]]:
    """(code, this page's address in that language) with no query at all: the one address search engines should keep."""
    path = context.get("page_path") or escape_uri_path(context["request"].path)
    return in_each_language(path)


def in_each_language(path: str) -> list[tuple[str, str]]:
    """(code, the address in that language) for each of our languages."""
    if path.startswith("//"):
        # An address that names nothing (a 404 page's own, "//evil.example/") comes back as it
        # is: with two slashes in front a browser reads it as another site, so each link on our
        # page would lead there. One slash keeps it a path on this site.
        path = "/" + path.lstrip("/")
    prefix = f"/{get_language()}/"
    if path.startswith(prefix):
        # Our public URLs differ between languages only by this prefix; swapping
        # it is far cheaper than translate_url's resolve and reverse per language.
        rest = path[len(prefix) - 1 :]
        return [(code, f"/{code}{rest}") for code, _ in settings.LANGUAGES]
    return [(code, translate_url(path, code)) for code, _ in settings.LANGUAGES]


@register.simple_tag(takes_context=True)
def language_list(context) -> str:
    """The footer's language switcher items, one link per language to this page, every value escaped.

    Built here rather than by a template loop, and escaped with the standard
    library's html.escape (what Django's escape calls, without its check of
    every argument for lazy text): every page draws 24 links, and either
    cost more CPU than the rest of a short page.
    """
    current = get_language()
    return mark_safe(
        "\n          ".join(
            f'<li><a href="{escape(url)}" lang="{escape(code)}" hreflang="{escape(code)}"'
            f"{CURRENT if code == current else ''}>{escape(name)}</a></li>"
            for code, name, url in language_links(context)
        )
    )
