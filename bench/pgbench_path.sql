-- One signature signed, emailed and confirmed: the statements the sign POST, the
-- worker's drain and the confirm step send to PostgreSQL, as signatures.services,
-- signatures.outbox, signatures.links and signatures.webhook_events write them
-- (2026-12-03). Run by bench/pgbench_path.py with pgbench -M prepared; :campaign
-- is set there.
--
-- The drain works in batches: one claim of up to BATCH = 50 owed rows (a SELECT
-- ... FOR UPDATE SKIP LOCKED, then an UPDATE of the rows it found), then chunks of
-- CHUNK = 10 rows, each a lease renewal, the rows, their suppressed addresses and
-- their consents. Here the claim's SELECT runs in one signature of 50 and the chunk's
-- statements in one of 10, so each signature carries its share; the UPDATEs that
-- claim and renew name this signature's row alone (the worker names the batch's).
\set n random(1, 9000000000000000)
\set batch random(1, 50)
\set chunk random(1, 10)
-- sign POST: the INSERT, a transaction of its own (no consents to write with it)
INSERT INTO "signatures_signature" ("campaign_id", "first_name", "last_name", "email", "email_canonical", "country", "postcode", "language", "status", "contact_consent", "partner_id", "utm_source", "utm_campaign", "ip_hash", "invalidation_id", "link_salt", "legacy_token_hash", "emails_stopped_at", "undeliverable_at", "duplicate_of_id", "created_at", "confirmed_at", "withdrawn_at", "rejected_at", "rejection_reason", "erased_at", "email_due", "email_requested_at", "email_claimed_at", "confirmation_sent_at", "emails_sent", "send_failed_at", "email_attempts", "email_not_before", "reminder_sent_at", "is_counted", "source", "entered_by_id", "sheet_reference", "vouched_by_id", "import_job_id") VALUES (:campaign, 'Marie', 'Curie', 'pgbench-' || :client_id || '-' || :n || '@example.org', 'pgbench-' || :client_id || '-' || :n || '@example.org', 'FR', '75005', 'en', 'pending', false, NULL, '', '', 'ea150bad7e13a32e2181aead3135d719f0f10eb8b9c099f91a43f2fc5bb7b609', NULL, md5(:n::text || '-' || :client_id::text), '', NULL, NULL, NULL, now(), NULL, NULL, NULL, '', NULL, 'confirm', now(), NULL, NULL, 0, NULL, 0, NULL, NULL, false, 'online', NULL, '', NULL, NULL) ON CONFLICT ("campaign_id", "email_canonical") WHERE (NOT ("email_canonical" = '') AND "duplicate_of_id" IS NULL) DO NOTHING RETURNING id, email_domain
\gset
-- worker, once per batch: find the oldest owed rows
\if :batch = 1
BEGIN;
SELECT "signatures_signature"."id" FROM "signatures_signature" WHERE (NOT ("signatures_signature"."email_due" = '') AND ("signatures_signature"."email_claimed_at" IS NULL OR "signatures_signature"."email_claimed_at" < now() - interval '30 seconds') AND ("signatures_signature"."email_not_before" IS NULL OR "signatures_signature"."email_not_before" <= now())) ORDER BY "signatures_signature"."email_requested_at" ASC LIMIT 50 FOR UPDATE SKIP LOCKED;
COMMIT;
\endif
-- worker: the claim's UPDATE of this row
UPDATE "signatures_signature" SET "email_claimed_at" = now() WHERE "signatures_signature"."id" IN (:id);
-- worker, once per chunk: renew the lease, read the rows, their suppressed addresses and standing consents
\if :chunk = 1
UPDATE signatures_signature SET email_claimed_at = now() WHERE email_claimed_at IS NOT NULL AND id IN (:id) RETURNING id;
SELECT id, campaign_id, first_name, last_name, email, email_canonical, country, postcode, language, status, contact_consent, partner_id, utm_source, utm_campaign, ip_hash, email_domain, invalidation_id, link_salt, legacy_token_hash, emails_stopped_at, undeliverable_at, duplicate_of_id, created_at, confirmed_at, withdrawn_at, rejected_at, rejection_reason, erased_at, email_due, email_requested_at, email_claimed_at, confirmation_sent_at, emails_sent, send_failed_at, email_attempts, email_not_before, reminder_sent_at, is_counted, source, entered_by_id, sheet_reference, vouched_by_id, import_job_id FROM signatures_signature WHERE email_claimed_at IS NOT NULL AND id IN (:id);
SELECT email_canonical FROM signatures_suppression WHERE email_canonical IN ('pgbench-' || :client_id || '-' || :n || '@example.org');
SELECT c.signature_id, c.organisation_id, o.name FROM signatures_consent c JOIN campaigns_organisation o ON o.id = c.organisation_id WHERE c.withdrawn_at IS NULL AND c.signature_id IN (:id) ORDER BY o.name, c.id;
\endif
-- worker: the email went; mark the row (the worker matches its claim time, here any claim)
UPDATE signatures_signature SET email_due = '', email_claimed_at = NULL, email_not_before = NULL, email_attempts = 0, emails_sent = emails_sent + 1, send_failed_at = NULL, confirmation_sent_at = now() WHERE id = :id AND email_claimed_at IS NOT NULL;
-- confirm: the button page reads the row by its link; the POST reads it again, confirms and asks whether any webhook is owed
SELECT s.id, s.campaign_id, s.status, s.link_salt, s.legacy_token_hash, c.slug FROM signatures_signature s JOIN campaigns_campaign c ON c.id = s.campaign_id WHERE s.id = :id;
SELECT s.id, s.campaign_id, s.status, s.link_salt, s.legacy_token_hash, c.slug FROM signatures_signature s JOIN campaigns_campaign c ON c.id = s.campaign_id WHERE s.id = :id;
BEGIN;
UPDATE signatures_signature SET status = 'confirmed', confirmed_at = now(), email_due = '' WHERE id = :id AND status = 'pending' RETURNING is_counted, (SELECT signature_count FROM campaigns_campaign WHERE id = campaign_id);
SELECT EXISTS (SELECT 1 FROM signatures_consent c JOIN campaigns_organisation o ON o.id = c.organisation_id WHERE c.signature_id = :id AND c.withdrawn_at IS NULL AND o.webhook_url <> '');
COMMIT;
