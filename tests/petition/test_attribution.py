"""utm_source and utm_campaign come from whoever wrote the link: cleaned like the other fields, never refused."""

import pytest
from django.urls import reverse

from petition.attribution import MAX_LENGTH, clean_attribution
from signatures.models import Signature
from tests.factories import make_campaign, sign_data


@pytest.mark.unit
@pytest.mark.parametrize(
    "sent, stored",
    [
        ("newsletter", "newsletter"),
        ("news\nletter", "news letter"),
        ("spring\r\n2025\t\tdrive", "spring 2025 drive"),
        ("  padded  ", "padded"),
        ("nul\x00byte\x07bell\x1b[31m", "nulbytebell[31m"),
        ("right\u202eto-left override\u202c", "rightto-left override"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("line\u2028separator", "line separator"),
        ("\x00\n\u202e", ""),
        ("e\u0301te\u0301", "été"),
        ("launch 🚀", "launch 🚀"),
        ("Kampagne für Grundrechte", "Kampagne für Grundrechte"),
    ],
)
def test_it_cleans_attribution_like_the_other_fields(sent, stored):
    assert clean_attribution(sent) == stored


@pytest.mark.unit
def test_it_cuts_attribution_to_what_the_column_holds_without_a_trailing_space():
    assert clean_attribution("x" * 500) == "x" * MAX_LENGTH
    assert clean_attribution("a" * 99 + " b") == "a" * 99


@pytest.mark.django_db
def test_a_signature_stores_the_cleaned_values_of_a_mangled_link(client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    page = client.get(f"/en/{campaign.slug}/", {"utm_source": "mail\n\u202eout", "utm_campaign": "a\x00b\tc"}).text
    assert 'name="utm_source" value="mail out"' in page
    assert 'name="utm_campaign" value="ab c"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("signatures:sign", kwargs={"slug": campaign.slug}),
            sign_data(utm_source="mail\r\n\u202eout " + "x" * 200, utm_campaign="a\x00b\tc"),
        )

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.utm_source == ("mail out " + "x" * 200)[:MAX_LENGTH]
    assert signature.utm_campaign == "ab c"


@pytest.mark.django_db
def test_a_mangled_partner_slug_in_the_link_never_stops_a_signature(client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    page = client.get(f"/en/{campaign.slug}/", {"via": "part\x00ner\n"})
    assert page.status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("signatures:sign", kwargs={"slug": campaign.slug}), sign_data(via="part\x00ner\u202e")
        )

    assert response.status_code == 302
    assert Signature.objects.get().partner is None
