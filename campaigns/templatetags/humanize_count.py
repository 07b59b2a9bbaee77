from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def thousands(value) -> str:
    """1234567 as the page's language writes it (1,234,567 or 1.234.567 or 1 234 567)."""
    return number_format(value, force_grouping=True)
