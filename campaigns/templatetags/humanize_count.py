from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

register = template.Library()


@register.filter
def thousands(value) -> str:
    """1234567 as the page's language writes it (1,234,567 or 1.234.567 or 1 234 567)."""
    return number_format(value, force_grouping=True)


@register.filter
def count_element(value) -> str:
    """The live count as markup, so translations can put the number where their grammar wants it."""
    return format_html('<strong class="count" data-count>{}</strong>', thousands(value))
