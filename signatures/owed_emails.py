"""The emails the outbox sends to signers, rendered once per batch and filled in for each signer.

A drain sends many copies of the same email: one kind (confirm, already
signed, reminder), one campaign, one language, differing only in the signer's
first name and personal links. Rendering the three templates for every
message was the largest part of a drain's CPU. A Composer renders each
(kind, campaign, language, organisations consented to) once, with markers
where the signer's own values go, and fills every message in from that:
plain in the subject and text (rendered with autoescaping off), escaped in
the HTML as the template would have escaped them. Markers are replaced in a
single pass, so a value is never searched for markers itself.

A Composer lives for one claimed batch (signatures.outbox.deliver_claimed)
and reads each campaign once. The skeletons themselves are kept by the
process across batches (a drain sends about twenty emails, so rendering per
batch was a tenth of the worker's CPU): a skeleton is rendered from nothing
but its key (the kind, the language, the campaign's text in that language,
its address and the organisations), so an edited campaign has a new key and
never gets an old skeleton.
"""

import functools
import re
from dataclasses import dataclass
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from campaigns.models import Campaign, CampaignText
from petition.emails import Email, compose_email

from .emailaddr import deliverable_address
from .links import CONFIRM, MANAGE, UNSUBSCRIBE, UNSUBSCRIBE_ALL, LinkPaths, absolute_url, one_click_headers
from .models import Signature

# A NUL can neither be typed into a form nor come out of a template or a translation.
MARKER = re.compile("\x00([a-z_]+)(?::([0-9]+))?\x00")


def marker(name: str, organisation_id: int | None = None) -> str:
    return f"\x00{name}\x00" if organisation_id is None else f"\x00{name}:{organisation_id}\x00"


@dataclass(frozen=True)
class Skeleton:
    subject: str
    text: str
    html: str
    # The (name, organisation id or None) of each marker the three parts hold.
    markers: frozenset


def render_skeleton(template: str, language: str, text: CampaignText, campaign_url: str, organisations: tuple) -> Skeleton:
    """The email as every signer of a campaign in this language gets it, with markers for what is theirs.

    text: the campaign's text in the language; organisations: (id, name) of each organisation the signers
    consented to, in the order the email lists them.
    """
    with translation.override(language):
        context = {
            # Only what is the same for every signer of the skeleton: a template that
            # reads anything else of the signature gets nothing rather than another signer's,
            # and of the campaign only its text, which the skeleton is kept by.
            "signature": SimpleNamespace(language=language),
            "campaign": SimpleNamespace(translated=text),
            "first_name": marker("first_name"),
            "confirm_url": marker("confirm_url"),
            "withdraw_url": marker("withdraw_url"),
            "unsubscribe_all_url": marker("unsubscribe_all_url"),
            "campaign_url": campaign_url,
            "unsubscribe_links": [
                {"organisation": name, "url": marker("unsubscribe_url", organisation_id)}
                for organisation_id, name in organisations
            ],
        }
        parts = [render_to_string(f"emails/{template}-{part}", context) for part in ("subject.txt", "body.txt", "body.html")]
    markers = frozenset((name, int(number) if number else None) for part in parts for name, number in MARKER.findall(part))
    return Skeleton(*parts, markers=markers)


# Kinds x languages x campaigns x sets of organisations in use at once; a few KB each.
@functools.lru_cache(maxsize=512)
def kept_skeleton(template: str, language: str, text: CampaignText, campaign_url: str, organisations: tuple) -> Skeleton:
    return render_skeleton(template, language, text, campaign_url, organisations)


def signer_values(signature: Signature, markers: frozenset, paths: LinkPaths) -> dict:
    """This signer's value for each marker of a skeleton (links only for the markers it holds)."""
    values = {}
    for name, organisation_id in markers:
        if name == "first_name":
            value = signature.first_name
        elif name == "confirm_url":
            value = paths.url(signature, CONFIRM)
        elif name == "withdraw_url":
            value = paths.url(signature, MANAGE)
        elif name == "unsubscribe_all_url":
            value = paths.url(signature, UNSUBSCRIBE_ALL)
        elif name == "unsubscribe_url":
            value = paths.url(signature, UNSUBSCRIBE, organisation_id)
        else:
            raise ValueError(f"unknown marker {name!r}")
        values[marker(name, organisation_id)] = value
    return values


def fill(part: str, values: dict) -> str:
    return MARKER.sub(lambda found: values[found.group(0)], part)


class Composer:
    """The messages of one batch: each skeleton's key worked out once a batch, the skeleton itself rendered once a process (kept_skeleton)."""

    def __init__(self):
        self.skeletons: dict[tuple, Skeleton] = {}
        self.campaigns: dict[int, Campaign] = {}
        self.paths = LinkPaths()

    def campaign(self, campaign_id: int) -> Campaign:
        """Each campaign read once a batch, when its first skeleton is looked up, so its texts in each language are read once."""
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            campaign = self.campaigns[campaign_id] = Campaign.objects.get(pk=campaign_id)
        return campaign

    def skeleton(self, template: str, signature: Signature, organisations: list[tuple]) -> Skeleton:
        organisations = tuple(organisations)
        key = (template, signature.campaign_id, signature.language, organisations)
        skeleton = self.skeletons.get(key)
        if skeleton is None:
            campaign = self.campaign(signature.campaign_id)
            with translation.override(signature.language):
                text, campaign_url = campaign.translated, absolute_url(campaign.get_absolute_url())
            skeleton = self.skeletons[key] = kept_skeleton(
                template, signature.language, text, campaign_url, organisations
            )
        return skeleton

    def message(self, template: str, signature: Signature, organisations: list[tuple]) -> Email:
        """What petition.emails.render_email makes of the template with this signer's context, for a fraction of its CPU.

        organisations: (id, name) of each organisation the signer's standing consents are to, in the order the email
        lists them (signatures.outbox.consented_organisations). UndeliverableAddress when the address cannot be
        delivered to.
        """
        to = [deliverable_address(signature.email)]
        skeleton = self.skeleton(template, signature, organisations)
        values = signer_values(signature, skeleton.markers, self.paths)
        escaped = {key: escape(value) for key, value in values.items()}
        unsubscribe_all = values.get(marker("unsubscribe_all_url")) or self.paths.url(signature, UNSUBSCRIBE_ALL)
        return compose_email(
            fill(skeleton.subject, values),
            fill(skeleton.text, values),
            fill(skeleton.html, escaped),
            to,
            headers=one_click_headers(unsubscribe_all),
        )
