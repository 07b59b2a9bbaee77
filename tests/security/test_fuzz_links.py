"""Whatever is put into a confirmation, withdrawal or unsubscribe link, the answer is a page or a 404."""

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signatures.models import Consent, Signature
from tests.factories import confirm_token, make_campaign, make_organisation, make_signature

from .hostile import hostile_text

pytestmark = pytest.mark.django_db

ids = st.one_of(st.integers(min_value=0, max_value=2**63 + 10), st.integers(min_value=10**18, max_value=10**40))
path_segment = hostile_text.map(lambda text: quote(text, safe=""))


@pytest.fixture
def signature():
    campaign = make_campaign()
    signature = make_signature(campaign)
    Consent.objects.create(signature=signature, organisation=make_organisation(), text_shown="May we email you?")
    return signature


def assert_page_or_not_found(response) -> None:
    assert response.status_code in (200, 301, 404, 405), response.status_code


@given(pk=ids, token=path_segment)
def test_it_answers_any_confirmation_link(client, signature, pk, token):
    for pk_part in (pk, signature.pk):
        assert_page_or_not_found(client.get(f"/en/s/confirm/{pk_part}/{token}/"))
    assert Signature.objects.get(pk=signature.pk).status == "pending"


@given(pk=ids, token=path_segment, method=st.sampled_from(["get", "post", "put", "delete", "patch", "head", "options"]))
def test_it_answers_any_withdrawal_link_with_any_method(client, signature, pk, token, method):
    for pk_part in (pk, signature.pk):
        assert_page_or_not_found(getattr(client, method)(f"/en/s/withdraw/{pk_part}/{token}/"))
    assert Signature.objects.get(pk=signature.pk).status == "pending"


@given(pk=ids, token=path_segment, organisation=ids, method=st.sampled_from(["get", "post"]))
def test_it_answers_any_unsubscribe_link(client, signature, pk, token, organisation, method):
    consent = signature.consents.get()
    for pk_part in (pk, signature.pk):
        for organisation_part in (organisation, consent.organisation_id):
            response = getattr(client, method)(f"/en/s/unsubscribe/{pk_part}/{token}/{organisation_part}/")
            assert_page_or_not_found(response)
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


@given(slug=path_segment, suffix=st.sampled_from(["", "privacy/", "thanks/", "sign/"]))
def test_it_answers_any_petition_address(client, slug, suffix):
    assert_page_or_not_found(client.get(f"/en/{slug}/{suffix}"))


def test_it_confirms_only_with_the_right_token(client, signature):
    token = confirm_token(signature)
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.post(f"/en/s/confirm/{signature.pk}/{wrong}/").status_code == 404
    assert client.post(f"/en/s/confirm/{signature.pk}/{token}/").status_code == 200
    assert Signature.objects.get(pk=signature.pk).status == "confirmed"
