"""Counts are written with their digits grouped in every language, as the page's script writes them.

static/js/count.js rewrites the live count with the browser's
Intl.NumberFormat, which groups digits in all 24 languages. Django's own
formats group none for Bulgarian, Estonian, Irish and Maltese, so there the
page said "1000000" for the goal and the count jumped from "123456" to
"123 456" at the first refresh.
"""

import pytest
from django.conf import settings
from django.utils.translation import override

from campaigns.templatetags.humanize_count import thousands

pytestmark = pytest.mark.unit

# What Intl.NumberFormat(lang).format(1234567) gives in Chromium, for the languages that had no grouping.
BROWSER = {"bg": "1\xa0234\xa0567", "et": "1\xa0234\xa0567", "ga": "1,234,567", "mt": "1,234,567"}


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_language_groups_the_digits_of_a_count(language):
    with override(language):
        written = thousands(1234567)
    assert written != "1234567"
    assert written.replace("\xa0", "").replace(".", "").replace(",", "").replace(" ", "") == "1234567"


@pytest.mark.parametrize("language", sorted(BROWSER))
def test_it_groups_them_as_the_browser_does(language):
    with override(language):
        assert thousands(1234567) == BROWSER[language]
