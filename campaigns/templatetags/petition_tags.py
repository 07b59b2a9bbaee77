from django import template
from django.conf import settings
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[tuple[str, str, str]]:
    """(code, name in that language, this page's address in that language)."""
    request = context["request"]
    # A page answering a POST (a form with errors) switches to its GET address.
    path = context.get("page_path") or request.get_full_path()
    return [(code, name, translate_url(path, code)) for code, name in settings.LANGUAGES]
