"""Canonical form of an email address, for spotting the same person twice."""

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def canonical_email(address: str) -> str:
    """Lower-case, drop a +tag, and for Gmail ignore dots in the local part.

    googlemail.com and gmail.com are one mailbox, so both become gmail.com.
    """
    local, _, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def email_domain(address: str) -> str:
    return address.rpartition("@")[2].lower()
