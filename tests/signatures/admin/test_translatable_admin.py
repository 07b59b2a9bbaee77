"""The admin speaks the staff member's language: model and app names are translatable, nothing is hard-coded."""

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.functional import Promise

from tests.factories import make_staff


@pytest.mark.parametrize("app_label", ["campaigns", "signatures"])
def test_model_and_app_names_are_marked_for_translation(app_label):
    config = apps.get_app_config(app_label)
    assert isinstance(config.verbose_name, Promise)
    for model in config.get_models():
        assert isinstance(model._meta.verbose_name, Promise), model
        assert isinstance(model._meta.verbose_name_plural, Promise), model


@pytest.mark.django_db
def test_the_signature_search_box_is_described_in_the_staff_members_language(client):
    client.force_login(make_staff("Moderators"))
    page = client.get(reverse("admin:signatures_signature_changelist"), HTTP_ACCEPT_LANGUAGE="de").text
    assert 'alt="Suchen"' in page and 'alt="Search"' not in page
