from django import template
from django.conf import settings

from .. import sharing

register = template.Library()


@register.simple_tag
def share_image_url(campaign) -> str:
    return sharing.image_url(campaign)


@register.simple_tag
def absolute(path: str) -> str:
    return settings.SITE_URL + path


@register.simple_tag(takes_context=True)
def og_locale(context) -> str:
    """Open Graph wants a territory: de -> de_DE, el -> el_GR, en -> en_GB."""
    language = context.get("LANGUAGE_CODE") or "en"
    return OG_LOCALES.get(language, language)


OG_LOCALES = {
    "bg": "bg_BG", "cs": "cs_CZ", "da": "da_DK", "de": "de_DE", "el": "el_GR", "en": "en_GB",
    "es": "es_ES", "et": "et_EE", "fi": "fi_FI", "fr": "fr_FR", "ga": "ga_IE", "hr": "hr_HR",
    "hu": "hu_HU", "it": "it_IT", "lt": "lt_LT", "lv": "lv_LV", "mt": "mt_MT", "nl": "nl_NL",
    "pl": "pl_PL", "pt": "pt_PT", "ro": "ro_RO", "sk": "sk_SK", "sl": "sl_SI", "sv": "sv_SE",
}
