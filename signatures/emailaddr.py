"""Canonical form of an email address, for spotting the same person (the same mailbox) twice."""

import unicodedata

import idna

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}
# Names that never lead to a mailbox on the internet (RFC 2606, 6761, 6762, 8375;
# ICANN's .internal): mail to them would be delivered, if at all, inside the
# sending network, to the server's own accounts or a neighbour's.
LOCAL_ONLY_NAMES = ("localhost", "local", "invalid", "test", "internal", "home.arpa")


class UndeliverableAddress(ValueError):
    """The domain cannot be written in the ASCII form mail delivery needs."""


def canonical_domain(domain: str) -> str:
    """The domain as mail delivery will see it.

    Unicode NFKC (fullwidth letters and dots become plain ones), every
    invisible or format character (zero-width space, soft hyphen, zero-width
    joiners, byte order mark, direction marks) dropped, lower-cased, and an
    international name converted to its ASCII form (IDNA, UTS #46). Five
    spellings that reach one inbox become one domain; one that no mail server
    could be asked for raises UndeliverableAddress.
    """
    text = unicodedata.normalize("NFKC", domain)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip().lower()
    if text.isascii():
        return text
    try:
        return idna.encode(text, uts46=True, std3_rules=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise UndeliverableAddress from None


def is_internet_domain(domain: str) -> bool:
    """False for an address literal ([192.0.2.1], [IPv6:…]) and for a name that stays inside a network.

    Django's validator accepts both (and "localhost" itself); a petition must
    not send its emails to them.
    """
    name = domain.rstrip(".").lower()
    if name.startswith("["):
        return False
    return not any(name == local or name.endswith("." + local) for local in LOCAL_ONLY_NAMES)


def canonical_email(address: str) -> str:
    """Lower-case, drop a +tag, for Gmail ignore dots in the local part, and write the domain as delivered.

    googlemail.com and gmail.com are one mailbox, so both become gmail.com.
    Raises UndeliverableAddress for a domain that cannot be delivered to.
    """
    local, _, domain = address.strip().rpartition("@")
    local = local.lower().split("+", 1)[0]
    domain = canonical_domain(domain)
    if domain in GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def deliverable_address(address: str) -> str:
    """The address to hand to the mail server: as typed, with the domain in its canonical ASCII form."""
    local, _, domain = address.strip().rpartition("@")
    return f"{local}@{canonical_domain(domain)}"


def email_domain(address: str) -> str:
    """The canonical domain of an address, or the lower-cased text after @ when it has none."""
    domain = address.rpartition("@")[2]
    try:
        return canonical_domain(domain)
    except UndeliverableAddress:
        return domain.lower()
