"""The message one signer gets: the update in their language, their name and the petition in it, their links.

The text of each language is rendered once per batch with markers where the
signer's own parts go; each message then only swaps those in. Over SMTP it
goes as bytes (wire()): the headers all its messages share are encoded once
per language too (petition.mime). The staff's
text is the campaign texts' safe Markdown subset (campaigns.text): in the HTML
part everything they typed is escaped first, and so is every signer's name.
"""

from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from campaigns.models import Update
from campaigns.text import render_body
from petition.emails import Email
from petition.mime import AUTOMATED_HEADERS, Alternative, Rendered

from ..links import manage_url, one_click_headers, unsubscribe_url
from ..models import Signature

PLACEHOLDERS = ("{first_name}", "{name}", "{petition}")
# Markers for what differs per signer; a NUL cannot be typed into a form or come out of a template.
UNSUBSCRIBE = "\x00unsubscribe\x00"
MANAGE = "\x00manage\x00"


@dataclass(frozen=True)
class Skeleton:
    language: str
    subject: str
    text: str
    html: str
    wire: Alternative  # the headers all its messages share, encoded once


def single_line(value: str) -> str:
    return " ".join(value.split())


class Composer:
    """Builds the messages of one update, reusing each language's rendering."""

    def __init__(self, update: Update):
        self.update = update
        self.texts = {text.language: text for text in update.texts.all()}
        self.from_email = formataddr((single_line(update.sender_name), parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
        self.skeletons: dict[str, Skeleton] = {}

    def skeleton(self, language: str) -> Skeleton | None:
        if language not in self.skeletons:
            text = self.texts.get(language) or self.texts.get(self.update.fallback_language)
            if text is None:
                return None
            with translation.override(text.language):
                petition = self.update.campaign.text_in(text.language).title
                context = {
                    "language": text.language,
                    "organisation": self.update.organisation.name,
                    "body_text": text.body.replace("{petition}", petition),
                    "body_html": mark_safe(render_body(text.body).replace("{petition}", escape(petition))),  # noqa: S308 - escaped
                    "unsubscribe_url": UNSUBSCRIBE,
                    "manage_url": MANAGE,
                }
                self.skeletons[language] = Skeleton(
                    language=text.language,
                    subject=single_line(text.subject.replace("{petition}", petition)),
                    text=render_to_string("emails/update-body.txt", context),
                    html=render_to_string("emails/update-body.html", context),
                    wire=Alternative(self.from_email, {**AUTOMATED_HEADERS, "Content-Language": text.language}),
                )
        return self.skeletons[language]

    def batch_message(self, signers: list[Signature], merge_field: str) -> Email:
        """One message for an ESP's batch send: the provider fills each signer's parts in from merge_data.

        All signers share one language's text; merge_field is the provider's
        syntax for a per-recipient value, e.g. "%recipient.{}%". Values for the
        HTML part are escaped here, since the provider substitutes them as they are.
        """
        skeleton = self.skeleton(signers[0].language)
        field = merge_field.format
        subject = skeleton.subject.replace("{first_name}", field("first_name")).replace("{name}", field("name"))
        text = (
            skeleton.text.replace("{first_name}", field("first_name")).replace("{name}", field("name"))
            .replace(UNSUBSCRIBE, field("unsubscribe_url")).replace(MANAGE, field("manage_url"))
        )  # fmt: skip
        html = (
            skeleton.html.replace("{first_name}", field("first_name_html")).replace("{name}", field("name_html"))
            .replace(UNSUBSCRIBE, field("unsubscribe_url_html")).replace(MANAGE, field("manage_url_html"))
        )  # fmt: skip
        headers = {
            **AUTOMATED_HEADERS,
            "List-Unsubscribe": f"<{field('unsubscribe_url')}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": skeleton.language,
        }
        message = Email(subject, text, self.from_email, [s.email for s in signers], headers=headers)
        message.attach_alternative(html, "text/html")
        message.merge_data = {}
        for signer in signers:
            first_name = single_line(signer.first_name)
            name = single_line(f"{signer.first_name} {signer.last_name}")
            unsubscribe = unsubscribe_url(signer, self.update.organisation_id)
            manage = manage_url(signer)
            message.merge_data[signer.email] = {
                "first_name": first_name, "name": name, "unsubscribe_url": unsubscribe, "manage_url": manage,
                "first_name_html": escape(first_name), "name_html": escape(name),
                "unsubscribe_url_html": escape(unsubscribe), "manage_url_html": escape(manage),
            }  # fmt: skip
        return message

    def message(self, signature: Signature, *, to: str | None = None, test: bool = False) -> Email:
        skeleton = self.skeleton_for(signature)
        if test:
            unsubscribe = manage = settings.SITE_URL + "/"
            headers = {}
        else:
            unsubscribe = unsubscribe_url(signature, self.update.organisation_id)
            manage = manage_url(signature)
            headers = one_click_headers(unsubscribe)
        subject, text, html = personal(skeleton, signature, unsubscribe, manage)
        message = Email(
            subject,
            text,
            self.from_email,
            [to or signature.email],
            headers={**AUTOMATED_HEADERS, **headers, "Content-Language": skeleton.language},
        )
        message.attach_alternative(html, "text/html")
        return message

    def wire(self, signature: Signature) -> Rendered:
        """What message() sends over SMTP, as envelope and bytes, for a fraction of its CPU (petition.mime).

        ValueError when the address cannot be encoded, as from Django's SMTP backend.
        """
        skeleton = self.skeleton_for(signature)
        unsubscribe = unsubscribe_url(signature, self.update.organisation_id)
        subject, text, html = personal(skeleton, signature, unsubscribe, manage_url(signature))
        return skeleton.wire.render(signature.email, subject, text, html, one_click_headers(unsubscribe))

    def skeleton_for(self, signature: Signature) -> Skeleton:
        skeleton = self.skeleton(signature.language)
        if skeleton is None:
            raise LookupError(f"update {self.update.pk} has no text for {signature.language} nor its fallback")
        return skeleton


def personal(skeleton: Skeleton, signature: Signature, unsubscribe: str, manage: str) -> tuple[str, str, str]:
    """The subject, text and HTML of one signer's message: their name and links in the skeleton's places."""
    first_name = single_line(signature.first_name)
    name = single_line(f"{signature.first_name} {signature.last_name}")
    subject = skeleton.subject.replace("{first_name}", first_name).replace("{name}", name)
    text = (
        skeleton.text.replace("{first_name}", first_name)
        .replace("{name}", name)
        .replace(UNSUBSCRIBE, unsubscribe)
        .replace(MANAGE, manage)
    )
    html = (
        skeleton.html.replace("{first_name}", escape(first_name))
        .replace("{name}", escape(name))
        .replace(UNSUBSCRIBE, escape(unsubscribe))
        .replace(MANAGE, escape(manage))
    )
    return subject, text, html
