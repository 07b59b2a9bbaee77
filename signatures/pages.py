"""What the signer's pages show: the petition around its sign form, the share block, the page after confirming."""

from collections.abc import Callable
from html import escape

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from campaigns import eci, sharing
from campaigns.images import page_image
from campaigns.models import Campaign
from campaigns.selectors import referring_partner
from campaigns.showcase import showcase_html
from campaigns.text import render_body
from petition.attribution import link_attribution, page_address

from .forms import SignatureForm
from .models import Signature
from .services import ConfirmResult


def share_context(campaign: Campaign) -> dict:
    """The share block's links and the address to copy (templates/signatures/share.html)."""
    return {"share_links": sharing.share_links(campaign), "share_page_url": sharing.campaign_url(campaign)}


def petition_context(campaign: Campaign, form: SignatureForm) -> dict:
    text = campaign.translated
    return {
        "campaign": campaign,
        "text": text,
        "phase": campaign.phase(),
        "body_html": render_body(text.body),
        "form": form,
        "is_preview": campaign.status == Campaign.Status.DRAFT,
        "next_milestone": campaign.next_milestone(),
        "count_poll_seconds": settings.COUNT_POLL_SECONDS,
        "eci": eci.progress(campaign.counts_by_country()) if campaign.eci_thresholds else None,
        "page_path": campaign.get_absolute_url(),
        "image": page_image(campaign),
        **share_context(campaign),
    }


def blank_sign_form(request, campaign: Campaign) -> SignatureForm:
    """An empty form carrying the attribution of the link that brought the visitor."""
    initial = link_attribution(request.GET)
    return SignatureForm(initial=initial, campaign=campaign, partner=referring_partner(campaign, initial["via"]))


def count_with(signature: Signature) -> int:
    """The campaign's count as it stands with this signature in it, whether or not a fold has taken it yet.

    A confirmed row that no fold has counted is one more than the stored
    count; once counted it is in the stored count already. Status, flag and
    count come from one statement, so they describe the same moment: a fold
    flips the flag and adds to the count in one transaction, and one
    statement never sees half of it.
    """
    row = (
        Signature.objects.filter(pk=signature.pk)
        .values_list("status", "is_counted", "campaign__signature_count")
        .first()
    )
    if row is None:  # deleted meanwhile: it is in no count
        return Campaign.objects.values_list("signature_count", flat=True).get(pk=signature.campaign_id)
    status, is_counted, stored = row
    return stored + 1 if status == Signature.Status.CONFIRMED and not is_counted else stored


# The progress fragments this process rendered last: (slug, the campaign's
# cached copy, language, count) -> html. Between two folds of the count every
# confirmation shows the same count, so most are found here.
KEPT_PROGRESS: dict[tuple[str, str, str, int], SafeString] = {}
KEPT_PROGRESS_MAX = 64


def progress_html(campaign: Campaign, count: int) -> SafeString:
    """The count and the progress bar toward the goal, kept while the campaign's copy in the cache stands."""
    if not campaign.cached_copy:
        return render_to_string(PROGRESS_TEMPLATE, {"campaign": campaign, "shown_count": count})
    key = (campaign.slug, campaign.cached_copy, get_language() or settings.LANGUAGE_CODE, count)
    html = KEPT_PROGRESS.get(key)
    if html is None:
        html = render_to_string(PROGRESS_TEMPLATE, {"campaign": campaign, "shown_count": count})
        if len(KEPT_PROGRESS) >= KEPT_PROGRESS_MAX:
            KEPT_PROGRESS.clear()
        KEPT_PROGRESS[key] = html
    return html


def confirmed_context(signature: Signature, count: int | None = None) -> dict:
    """What the page after a confirmation link shows: the count with this signature, sharing and who is behind it.

    The caller adds "result" (a signatures.services.ConfirmResult), and the
    count when it has it (signatures.services.confirm reads it as it
    confirms). The campaign may be the cached copy (links.find_to_confirm),
    whose count may be old, so without a count given it is read from the
    database.
    """
    campaign = signature.campaign
    return {
        "campaign": campaign,
        "progress_html": progress_html(campaign, count_with(signature) if count is None else count),
        "showcase_html": showcase_html(campaign),
    }


# Stand for what differs between signers in a kept page. PostgreSQL text
# cannot hold a NUL, so no campaign text can contain them.
LINK_ADDRESS_MARK = "\x00link-address\x00"
PROGRESS_MARK = "\x00progress\x00"
CONFIRM_PAGE_TEMPLATE = "signatures/confirm.html"
CONFIRMED_PAGE_TEMPLATE = "signatures/confirmed.html"
PROGRESS_TEMPLATE = "campaigns/_progress.html"


# The pages this process keeps rendered: (slug, template, language) ->
# (the campaign's cached copy they were rendered from, html). When full
# (campaigns times pages times languages) it starts afresh.
KEPT_PAGES: dict[tuple[str, str, str], tuple[str, str]] = {}
KEPT_PAGES_MAX = 256


def kept_page(request, campaign: Campaign, template: str, context: Callable[[], dict]) -> str | None:
    """A page every signer of the campaign sees alike in their language but for the link's own address.

    Only the page's language links carry that address. So the page is
    rendered once per campaign, language and process, and kept in the
    process (KEPT_PAGES) for as long as the campaign's copy in the cache is
    the one it was rendered from (Campaign.cached_copy: the cache forgets
    the copy when the campaign or its organisations change); each request's
    address is written into its links, escaped as the template would escape
    it. Kept in the process rather than in the cache: a page is some tens
    of kilobytes, and reading it from Redis was a round trip per request.
    None when the page cannot be kept (a campaign not read from the cache,
    or an address outside the language's prefix): the caller renders it.
    """
    language = get_language() or settings.LANGUAGE_CODE
    prefix = f"/{language}/"
    # What the language links point to (campaigns.templatetags.petition_tags.language_links).
    address = page_address(request) if request.method in ("GET", "HEAD") else request.path
    if not campaign.cached_copy or not address.startswith(prefix):
        return None
    key = (campaign.slug, template, language)
    copy, html = KEPT_PAGES.get(key, ("", ""))
    if copy != campaign.cached_copy:
        html = render_to_string(template, {**context(), "language_switch_path": prefix + LINK_ADDRESS_MARK}, request)
        if len(KEPT_PAGES) >= KEPT_PAGES_MAX:
            KEPT_PAGES.clear()
        KEPT_PAGES[key] = (campaign.cached_copy, html)
    return html.replace(LINK_ADDRESS_MARK, escape(address[len(prefix) :]))


def confirm_button_page(request, campaign: Campaign) -> str:
    """The page a confirmation link opens: what the link is for, and the button that confirms."""
    context = {"campaign": campaign}
    html = kept_page(request, campaign, CONFIRM_PAGE_TEMPLATE, lambda: context)
    return html if html is not None else render_to_string(CONFIRM_PAGE_TEMPLATE, context, request)


def confirmed_page(request, signature: Signature, result: str, count: int | None = None) -> str:
    """The page after pressing the button (or opening the link again): the outcome, the count, and what to do next.

    A confirmation's page is kept (kept_page) with its count marked, and the
    count written in per signer; the rarer outcomes are rendered each time.
    """
    campaign = signature.campaign
    if result == ConfirmResult.CONFIRMED and count is not None:
        html = kept_page(
            request,
            campaign,
            CONFIRMED_PAGE_TEMPLATE,
            lambda: {"result": result, "campaign": campaign, "progress_html": PROGRESS_MARK, "showcase_html": showcase_html(campaign)},
        )
        if html is not None:
            return html.replace(PROGRESS_MARK, progress_html(campaign, count))
    return render_to_string(CONFIRMED_PAGE_TEMPLATE, {"result": result, **confirmed_context(signature, count)}, request)
