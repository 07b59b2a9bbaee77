from urllib.parse import urlencode

from django.urls import reverse


def signature_changelist_url(**query) -> str:
    """A link to the signature changelist with these filters (the fraud view builds its links with it)."""
    return reverse("admin:signatures_signature_changelist") + "?" + urlencode(query)
