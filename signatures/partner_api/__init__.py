"""The partner API: organisations post signatures from their own sites and CRMs with an API key.

The same form, rules, deduplication, consent wording and double opt-in as
the petition page: the signer gets the confirmation email and counts once
confirmed.
"""
