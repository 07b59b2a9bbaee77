"""Signatures in the admin: only staff with signature permissions reach these screens.

They show names and addresses. Every write goes through signatures.moderation,
which records it in the audit log and asks for a fold so the counts follow.

- signatures.py: the changelist that stays fast with millions of rows, and the moderation actions.
- bulk_invalidations.py: rejecting everything that matches a condition, with preview, progress and undo.
- audit.py: the audit log, read-only.
- exports.py: signature list exports (signatures.exports).
- updates.py (and update_forms.py): updates from organisations to signers who agreed to hear from them.
- paper.py: typing in paper sheets; imports.py: partners' CSV files; webhooks.py: the webhook delivery log.
- filters.py, forms.py, paginator.py, links.py: what those screens share.
"""

from . import audit, bulk_invalidations, exports, imports, signatures, updates, webhooks

__all__ = ["audit", "bulk_invalidations", "exports", "imports", "signatures", "updates", "webhooks"]
