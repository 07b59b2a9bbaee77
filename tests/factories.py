"""Small helpers that make rows for tests; plain functions, no fixture zoo."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from campaigns.models import Campaign, Organisation
from signatures import links
from signatures.emailaddr import canonical_email
from signatures.models import Consent, Signature

_seq = itertools.count(1)


def make_organisation(**fields) -> Organisation:
    n = next(_seq)
    defaults = {"name": f"Organisation {n}", "slug": f"org-{n}", "contact_email": f"staff{n}@example.org"}
    return Organisation.objects.create(**{**defaults, **fields})


def make_campaign(**fields) -> Campaign:
    n = next(_seq)
    defaults = {
        "slug": f"campaign-{n}",
        "title": f"Campaign {n}",
        "summary": "A summary.",
        "body": "First paragraph.\n\nSecond paragraph.",
        "status": Campaign.Status.OPEN,
        "opens_at": timezone.now() - timezone.timedelta(days=1),
    }
    return Campaign.objects.create(**{**defaults, **fields})


def unsaved_campaign(**fields) -> Campaign:
    """A campaign that never touches the database, for tests of pure rendering."""
    defaults = {"slug": "unsaved", "title": "A campaign", "summary": "A summary.", "language": "en"}
    return Campaign(**{**defaults, **fields})


def make_signature(campaign: Campaign, **fields) -> Signature:
    n = next(_seq)
    email = fields.pop("email", f"signer{n}@example.org")
    status = fields.get("status", Signature.Status.PENDING)
    defaults = {
        "first_name": "Ada",
        "last_name": f"Lovelace{n}",
        "email": email,
        "email_canonical": canonical_email(email),
        "country": "DE",
        "postcode": "10115",
        "language": "en",
    }
    if status == Signature.Status.CONFIRMED:
        defaults["confirmed_at"] = timezone.now()
    return Signature.objects.create(campaign=campaign, **{**defaults, **fields})


def sign_data(**fields) -> dict:
    """A valid POST body for the sign form."""
    n = next(_seq)
    data = {
        "first_name": "Marie",
        "last_name": "Curie",
        "email": f"marie{n}@example.org",
        "country": "FR",
        "postcode": "75005",
        "accept_privacy": "on",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def make_consent(signature: Signature, organisation: Organisation, **fields) -> Consent:
    defaults = {"text_shown": f"{organisation.name} may email me about this campaign."}
    return Consent.objects.create(signature=signature, organisation=organisation, **{**defaults, **fields})


def make_staff(*groups: str, superuser: bool = False, **fields):
    """A staff login in the named groups (the roles the migrations create)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    n = next(_seq)
    user = get_user_model().objects.create_user(
        username=f"staff{n}", email=f"staff{n}@example.org", is_staff=True, is_superuser=superuser, **fields
    )
    user.groups.set([Group.objects.get(name=name) for name in groups])
    return user


def make_staff_user(*permissions: str, **fields):
    """A staff login holding the given permissions, each "app_label.codename"."""
    n = next(_seq)
    user = get_user_model().objects.create_user(
        username=fields.pop("username", f"staff{n}"), password="a-long-test-password", is_staff=True, **fields
    )
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


def confirm_token(signature: Signature) -> str:
    """The token of the confirmation link emailed to this signer (derived, never stored)."""
    return links.token_for(signature, links.CONFIRM)


def manage_token(signature: Signature) -> str:
    """The token of the withdraw-and-erase link."""
    return links.token_for(signature, links.MANAGE)


def unsubscribe_token(signature: Signature, organisation_id: int | None = None) -> str:
    """The token of an unsubscribe link: one organisation's, or with None the "stop everything" one."""
    if organisation_id is None:
        return links.token_for(signature, links.UNSUBSCRIBE_ALL)
    return links.token_for(signature, links.UNSUBSCRIBE, organisation_id)
