-- One signature signed, emailed and confirmed: the statements the sign path,
-- the worker's outbox and the confirm step send to PostgreSQL, as Django
-- writes them (captured from the ORM; columns and conditions unchanged).
-- Run by bench/pgbench_path.py with pgbench -M prepared; :campaign is set there.
\set n random(1, 9000000000000000)
-- sign POST: the INSERT in its transaction
BEGIN;
INSERT INTO "signatures_signature" ("campaign_id", "first_name", "last_name", "email", "email_canonical", "country", "postcode", "language", "status", "contact_consent", "partner_id", "utm_source", "utm_campaign", "ip_hash", "invalidation_id", "link_salt", "legacy_token_hash", "email_attempts", "source", "sheet_reference", "created_at", "confirmed_at", "withdrawn_at", "rejected_at", "rejection_reason", "erased_at", "email_due", "email_requested_at", "email_claimed_at", "confirmation_sent_at", "emails_sent", "send_failed_at", "reminder_sent_at", "is_counted") VALUES (:campaign, 'Marie', 'Curie', 'pgbench-' || :client_id || '-' || :n || '@example.org', 'pgbench-' || :client_id || '-' || :n || '@example.org', 'FR', '75005', 'en', 'pending', false, NULL, '', '', 'ea150bad7e13a32e2181aead3135d719f0f10eb8b9c099f91a43f2fc5bb7b609', NULL, md5(:n::text || '-' || :client_id::text), '', 0, 'online', '', now(), NULL, NULL, NULL, '', NULL, 'confirm', now(), NULL, NULL, 0, NULL, NULL, false) RETURNING "signatures_signature"."id" AS id
\gset
COMMIT;
-- worker: claim the email, read the row, mark it sent
UPDATE "signatures_signature" SET "email_claimed_at" = now() WHERE ("signatures_signature"."id" = :id AND NOT ("signatures_signature"."email_due" = '') AND ("signatures_signature"."email_claimed_at" IS NULL OR "signatures_signature"."email_claimed_at" < now() - interval '10 minutes'));
SELECT * FROM "signatures_signature" INNER JOIN "campaigns_campaign" ON ("signatures_signature"."campaign_id" = "campaigns_campaign"."id") WHERE "signatures_signature"."id" = :id;
UPDATE "signatures_signature" SET "email_due" = '', "email_claimed_at" = NULL, "emails_sent" = ("signatures_signature"."emails_sent" + 1), "send_failed_at" = NULL, "confirmation_sent_at" = now() WHERE "signatures_signature"."id" = :id;
-- confirm: find the row by its link, the conditional UPDATE in its transaction, read it back
SELECT * FROM "signatures_signature" INNER JOIN "campaigns_campaign" ON ("signatures_signature"."campaign_id" = "campaigns_campaign"."id") WHERE "signatures_signature"."id" = :id;
BEGIN;
UPDATE "signatures_signature" SET "status" = 'confirmed', "confirmed_at" = now(), "email_due" = '' WHERE ("signatures_signature"."id" = :id AND "signatures_signature"."status" = 'pending');
COMMIT;
SELECT * FROM "signatures_signature" WHERE "signatures_signature"."id" = :id;
