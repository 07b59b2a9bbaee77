from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[tuple[str, str, str]]:
    """(code, name in that language, this page's address in that language)."""
    request = context["request"]
    # A page answering a POST (a form with errors) switches to its GET address.
    path = request.get_full_path() if request.method == "GET" else context.get("page_path", request.path)
    prefix = f"/{get_language()}/"
    if path.startswith(prefix):
        # Our public URLs differ between languages only by this prefix; swapping
        # it is far cheaper than translate_url's resolve and reverse per language.
        rest = path[len(prefix) - 1 :]
        return [(code, name, f"/{code}{rest}") for code, name in settings.LANGUAGES]
    return [(code, name, translate_url(path, code)) for code, name in settings.LANGUAGES]
