"""LinkPaths (reverse() once per purpose and language) gives the paths reverse() gives for each signer."""

from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import path

from signatures import links
from signatures.links import LinkPaths, confirm_path, manage_path, path_format, unsubscribe_path
from signatures.models import Signature

IDS = [1, 9, 10, 12345, 7301948265, 2**63 - 1]


def signer(pk: int, language: str) -> Signature:
    return Signature(pk=pk, language=language)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES] + [""])
def test_every_kind_of_link_in_every_language_is_the_path_reverse_gives(language):
    paths = LinkPaths()
    for pk in IDS:
        signature = signer(pk, language)
        assert paths.path(signature, links.CONFIRM) == confirm_path(signature)
        assert paths.path(signature, links.MANAGE) == manage_path(signature)
        assert paths.path(signature, links.UNSUBSCRIBE_ALL) == unsubscribe_path(signature)
        for organisation_id in (1, 42, 7301948267, 2**63 - 1):
            assert paths.path(signature, links.UNSUBSCRIBE, organisation_id) == unsubscribe_path(signature, organisation_id)


def test_signers_of_many_languages_in_one_batch_each_get_their_own_language():
    paths = LinkPaths()
    for language in ("fr", "de", "fr", "en"):
        signature = signer(5, language)
        assert paths.path(signature, links.CONFIRM).startswith(f"/{language}/s/confirm/5/")
        assert paths.path(signature, links.CONFIRM) == confirm_path(signature)


def test_the_url_is_the_site_url_and_the_path():
    signature = signer(3, "it")
    assert LinkPaths().url(signature, links.MANAGE) == links.manage_url(signature)


# A URL configuration whose confirm path holds the pk's stand-in itself.
urlpatterns = [path("7301948265/<int:pk>/<str:token>/", lambda request: None, name="confirm")]


def test_a_path_that_holds_a_stand_in_of_its_own_is_refused_rather_than_filled_in_wrong():
    with override_settings(ROOT_URLCONF=__name__), mock.patch.dict(links.URL_NAMES, {links.CONFIRM: "confirm"}):
        with pytest.raises(ValueError):
            path_format(links.CONFIRM, "en")
