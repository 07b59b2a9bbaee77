-- The two writes every signature needs however the email is sent, as signatures.services
-- writes them: the sign INSERT (ON CONFLICT on the one-signature-per-address index) and the
-- confirm step's conditional UPDATE returning the count, each in its transaction.
\set n random(1, 9000000000000000)
-- sign POST: the INSERT, a transaction of its own (no consents to write with it)
INSERT INTO "signatures_signature" ("campaign_id", "first_name", "last_name", "email", "email_canonical", "country", "postcode", "language", "status", "contact_consent", "partner_id", "utm_source", "utm_campaign", "ip_hash", "invalidation_id", "link_salt", "legacy_token_hash", "emails_stopped_at", "undeliverable_at", "duplicate_of_id", "created_at", "confirmed_at", "withdrawn_at", "rejected_at", "rejection_reason", "erased_at", "email_due", "email_requested_at", "email_claimed_at", "confirmation_sent_at", "emails_sent", "send_failed_at", "email_attempts", "email_not_before", "reminder_sent_at", "is_counted", "source", "entered_by_id", "sheet_reference", "vouched_by_id", "import_job_id") VALUES (:campaign, 'Marie', 'Curie', 'pgbench-' || :client_id || '-' || :n || '@example.org', 'pgbench-' || :client_id || '-' || :n || '@example.org', 'FR', '75005', 'en', 'pending', false, NULL, '', '', 'ea150bad7e13a32e2181aead3135d719f0f10eb8b9c099f91a43f2fc5bb7b609', NULL, md5(:n::text || '-' || :client_id::text), '', NULL, NULL, NULL, now(), NULL, NULL, NULL, '', NULL, 'confirm', now(), NULL, NULL, 0, NULL, 0, NULL, NULL, false, 'online', NULL, '', NULL, NULL) ON CONFLICT ("campaign_id", "email_canonical") WHERE (NOT ("email_canonical" = '') AND "duplicate_of_id" IS NULL) DO NOTHING RETURNING id, email_domain
\gset
-- confirm: the conditional UPDATE in its transaction
BEGIN;
UPDATE signatures_signature SET status = 'confirmed', confirmed_at = now(), email_due = '' WHERE id = :id AND status = 'pending' RETURNING is_counted, (SELECT signature_count FROM campaigns_campaign WHERE id = campaign_id);
COMMIT;
