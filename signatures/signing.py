"""The sign step, one for the petition page and the partner embed.

The post is counted against the client's rate limits as the campaign is
read (signable_campaign). Then, in order: the browser must not say the form
was posted from another site (petition.crossorigin: the form carries no CSRF
token so its page can be cached), the campaign must take signatures, the
client must be under the rate limits, the honeypot must be empty, the form
must be valid; then the signature is recorded in the page's language,
crediting the referring partner.
Each view turns the outcome into its own page.
"""

import enum
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language

from campaigns.models import Campaign
from campaigns.selectors import cached_campaign, campaign_cache_key, campaign_from_cache, referring_partner, visible
from petition.crossorigin import posted_from_another_site
from petition.ratelimits import get_and_seconds_until_allowed, request_ip_hash, seconds_until_allowed

from . import services
from .forms import SignatureForm


class Outcome(enum.Enum):
    FROM_ANOTHER_SITE = "from_another_site"
    CLOSED = "closed"
    TOO_MANY = "too_many"
    # A bot filled the honeypot: it sees what a signer sees, and nothing is recorded.
    BOT = "bot"
    INVALID = "invalid"
    SIGNED = "signed"


@dataclass
class SignAttempt:
    outcome: Outcome
    form: SignatureForm | None = None
    retry_after: int = 0  # seconds, when the outcome is TOO_MANY


def posted_via(request) -> str:
    """The partner a sign POST credits: the embed names it in its address, the page's form in a field."""
    return request.GET.get("via", "") or request.POST.get("via", "")


def signable_campaign(request, slug: str) -> tuple[Campaign, int]:
    """The campaign a sign POST is for (as campaigns.selectors.cached_campaign), and how long this client must wait.

    The post counts against the client's sign limits for this campaign. When
    the cache holds the campaign, reading it and counting are one round trip
    to Redis; when it does not, the campaign is read from the database (a 404
    for a slug that names nothing, which so makes no counters) and counted
    after.
    """
    rates = [settings.SIGN_RATE_BURST, settings.SIGN_RATE_SUSTAINED]
    key = campaign_cache_key(slug)
    found = get_and_seconds_until_allowed(request, key, f"sign:{slug}", rates) if key else None
    if found is not None:
        cached, wait = found
        return visible(request, campaign_from_cache(slug, cached)), wait
    campaign = visible(request, cached_campaign(slug))
    return campaign, seconds_until_allowed(request, f"sign:{slug}", rates)


def attempt_signature(request, campaign: Campaign, wait: int) -> SignAttempt:
    """wait: what signable_campaign said of this client's limits."""
    if posted_from_another_site(request):
        return SignAttempt(Outcome.FROM_ANOTHER_SITE)
    if not campaign.accepts_signatures():
        return SignAttempt(Outcome.CLOSED)
    if wait:
        return SignAttempt(Outcome.TOO_MANY, retry_after=wait)
    partner = referring_partner(campaign, posted_via(request))
    form = SignatureForm(request.POST, campaign=campaign, partner=partner)
    if form.is_bot():
        return SignAttempt(Outcome.BOT, form)
    if not form.is_valid():
        return SignAttempt(Outcome.INVALID, form)
    services.sign(campaign, signer_details(request, form))
    return SignAttempt(Outcome.SIGNED, form)


def signer_details(request, form: SignatureForm) -> services.SignerDetails:
    data = form.cleaned_data
    return services.SignerDetails(
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        country=data["country"],
        postcode=data["postcode"],
        contact_consent=data["contact_consent"],
        language=get_language() or settings.LANGUAGE_CODE,
        ip_hash=request_ip_hash(request),
        partner=form.partner,
        utm_source=data["utm_source"],
        utm_campaign=data["utm_campaign"],
        consents=form.consents(),
    )
