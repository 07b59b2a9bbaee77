import pytest
from django.conf import settings

from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_it_serves_every_official_language_under_its_prefix(client, code):
    campaign = make_campaign()
    response = client.get(f"/{code}/{campaign.slug}/")
    assert response.status_code == 200
    assert f'<html lang="{code}"' in response.text


def test_it_picks_the_browsers_language_for_the_bare_address(client):
    response = client.get("/", headers={"accept-language": "sv-SE,sv;q=0.9,en;q=0.5"})
    assert response.status_code == 302
    assert response["Location"] == "/sv/"


def test_it_translates_the_interface_with_the_committed_catalogues(client):
    campaign = make_campaign()
    assert "Petition unterschreiben" in client.get(f"/de/{campaign.slug}/").text
    assert "Signez la pétition" in client.get(f"/fr/{campaign.slug}/").text
