"""The set-based half of an import: COPY the checked rows into a staging table, mark duplicates, insert.

Everything runs inside the caller's transaction: the staging table is
dropped at commit, and the insert either lands whole or not at all.
PostgreSQL only (COPY, temporary tables).
"""


from ..models import one_signature_per_address_target
from .rows import CleanRow

STAGING = "signature_import_staging"

# Each row's signature id is drawn from the signatures' own sequence and its
# duplicate key computed while COPY writes it, so nothing rewrites the whole
# staging table afterwards; outcome stays NULL for a row that is new.
CREATE_STAGING = """
CREATE TEMPORARY TABLE {staging} (
    line integer NOT NULL,
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text NOT NULL,
    email_canonical text NOT NULL,
    country text NOT NULL,
    postcode text NOT NULL,
    language text NOT NULL,
    signed_at timestamptz,
    contact_consent boolean NOT NULL,
    consents jsonb NOT NULL,
    duplicate_key text GENERATED ALWAYS AS ({duplicate_key}) STORED,
    outcome text,
    signature_id bigint NOT NULL DEFAULT nextval(%s)
) ON COMMIT DROP
"""
COPY_COLUMNS = (
    "line, first_name, last_name, email, email_canonical, country, postcode, language, signed_at, "
    "contact_consent, consents"
)

# Two signatures are one when their canonical email matches or, without an
# email, their name, postcode and country do (compared case-insensitively).
NAME_KEY_SQL = (
    "'n:' || lower({t}.first_name) || '|' || lower({t}.last_name) || '|' "
    "|| upper(replace({t}.postcode, ' ', '')) || '|' || {t}.country"
)
DUPLICATE_KEY_SQL = "CASE WHEN {t}.email_canonical <> '' THEN {t}.email_canonical ELSE " + NAME_KEY_SQL + " END"

# The first line of each duplicate key in the file is the one that counts.
MARK_DUPLICATES_IN_FILE = f"""
UPDATE {STAGING} s SET outcome = 'duplicate_in_file'
FROM (
    SELECT line, row_number() OVER (PARTITION BY duplicate_key ORDER BY line) AS n FROM {STAGING}
) ranked
WHERE ranked.line = s.line AND ranked.n > 1
"""
MARK_EXISTING_BY_EMAIL = f"""
UPDATE {STAGING} s SET outcome = 'duplicate_existing'
WHERE s.outcome IS NULL AND s.email_canonical <> '' AND EXISTS (
    SELECT 1 FROM signatures_signature sig
    WHERE sig.campaign_id = %s AND sig.email_canonical = s.email_canonical
)
"""
MARK_EXISTING_BY_NAME = f"""
UPDATE {STAGING} s SET outcome = 'duplicate_existing'
FROM (
    SELECT DISTINCT {NAME_KEY_SQL.format(t="sig")} AS duplicate_key
    FROM signatures_signature sig
    WHERE sig.campaign_id = %s AND sig.first_name <> ''
) existing
WHERE s.outcome IS NULL AND s.email_canonical = '' AND existing.duplicate_key = s.duplicate_key
"""

INSERT_SIGNATURES = f"""
INSERT INTO signatures_signature (
    id, campaign_id, first_name, last_name, email, email_canonical, country, postcode, language,
    status, contact_consent, partner_id, utm_source, utm_campaign, ip_hash, link_salt, legacy_token_hash,
    created_at, confirmed_at, rejection_reason, email_due, email_requested_at, emails_sent, email_attempts, is_counted,
    source, sheet_reference, vouched_by_id, import_job_id
)
SELECT
    s.signature_id, %(campaign)s, s.first_name, s.last_name, s.email, s.email_canonical, s.country, s.postcode,
    s.language,
    CASE WHEN %(verified)s THEN 'confirmed' ELSE 'pending' END,
    s.contact_consent, %(partner)s::bigint, '', '', '',
    replace(gen_random_uuid()::text, '-', ''), '',
    coalesce(s.signed_at, %(now)s::timestamptz),
    CASE WHEN %(verified)s THEN %(now)s::timestamptz END,
    '',
    CASE WHEN %(verified)s THEN '' ELSE 'confirm' END,
    CASE WHEN %(verified)s THEN NULL ELSE %(now)s::timestamptz END,
    0, 0, false, 'import', '', CASE WHEN %(verified)s THEN %(partner)s::bigint END, %(job)s::bigint
FROM {STAGING} s
WHERE s.outcome IS NULL
"""
INSERT_CONSENTS = f"""
INSERT INTO signatures_consent (signature_id, organisation_id, text_shown, given_at)
SELECT s.signature_id, (c->>0)::bigint, c->>1, coalesce((c->>2)::timestamptz, s.signed_at, %s)
FROM {STAGING} s
JOIN signatures_signature sig ON sig.id = s.signature_id
CROSS JOIN LATERAL jsonb_array_elements(s.consents) c
WHERE s.outcome IS NULL AND s.consents <> '[]'::jsonb
"""


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class CopySource:
    """A file-like view of an iterator of COPY lines, so COPY streams without holding the file."""

    def __init__(self, lines):
        self.lines = lines
        self.buffer = b""

    def read(self, size=-1):
        size = size if size and size > 0 else 1 << 16
        while len(self.buffer) < size:
            line = next(self.lines, None)
            if line is None:
                break
            self.buffer += line.encode()
        chunk, self.buffer = self.buffer[:size], self.buffer[size:]
        return chunk

    readline = read


def copy_line(line: int, row: CleanRow, contact_consent: bool, consents_json: str) -> str:
    # Names, country, postcode and language cannot hold a tab, newline or
    # backslash once checked; the address and the consent texts can.
    return "\t".join(
        (
            str(line),
            row.first_name,
            row.last_name,
            row.email.translate(COPY_ESCAPES),
            row.email_canonical.translate(COPY_ESCAPES),
            row.country,
            row.postcode,
            row.language,
            row.signed_at.isoformat() if row.signed_at else "\\N",
            "t" if contact_consent else "f",
            consents_json.translate(COPY_ESCAPES),
        )
    ) + "\n"


def create_staging(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    cursor.execute("SELECT pg_get_serial_sequence('signatures_signature', 'id')")
    sequence = cursor.fetchone()[0]
    bare_key = DUPLICATE_KEY_SQL.format(t=STAGING).replace(f"{STAGING}.", "")
    cursor.execute(CREATE_STAGING.format(staging=STAGING, duplicate_key=bare_key), [sequence])


def load(cursor, copy_lines) -> None:
    cursor.copy_expert(f"COPY {STAGING} ({COPY_COLUMNS}) FROM STDIN", CopySource(copy_lines), 1 << 16)


def mark_duplicates(cursor, campaign_id: int) -> dict[str, int]:
    """Mark each staged row new or duplicate; returns how many of each."""
    cursor.execute(f"ANALYZE {STAGING}")
    cursor.execute(MARK_DUPLICATES_IN_FILE)
    cursor.execute(MARK_EXISTING_BY_EMAIL, [campaign_id])
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {STAGING} WHERE outcome IS NULL AND email_canonical = '')")
    if cursor.fetchone()[0]:
        cursor.execute(MARK_EXISTING_BY_NAME, [campaign_id])
    return outcome_counts(cursor)


def outcome_counts(cursor) -> dict[str, int]:
    cursor.execute(f"SELECT coalesce(outcome, 'new'), count(*) FROM {STAGING} GROUP BY outcome")
    return dict(cursor.fetchall())


def duplicate_lines(cursor, limit: int) -> list[tuple[int, str]]:
    cursor.execute(
        f"SELECT line, outcome FROM {STAGING} WHERE outcome IS NOT NULL ORDER BY line LIMIT %s", [limit]
    )
    return cursor.fetchall()


def insert_new(cursor, *, campaign_id, partner_id, verified: bool, job_id, now) -> int:
    """Insert the new rows and their consents; returns how many signatures were added.

    A signer who signed online since the rows were marked loses nothing:
    ON CONFLICT leaves their row, and that line is reported a duplicate.
    """
    cursor.execute(f"SELECT count(*) FROM {STAGING} WHERE outcome IS NULL")
    new = cursor.fetchone()[0]
    cursor.execute(
        f"{INSERT_SIGNATURES} ON CONFLICT {one_signature_per_address_target()} DO NOTHING",
        {"campaign": campaign_id, "partner": partner_id, "verified": verified, "job": job_id, "now": now},
    )
    inserted = cursor.rowcount
    if inserted < new:
        cursor.execute(
            f"UPDATE {STAGING} s SET outcome = 'duplicate_existing' WHERE s.outcome IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM signatures_signature sig WHERE sig.id = s.signature_id)"
        )
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {STAGING} WHERE consents <> '[]'::jsonb)")
    if cursor.fetchone()[0]:
        cursor.execute(INSERT_CONSENTS, [now])
    return inserted


def lock_campaign_imports(cursor, campaign_id: int) -> None:
    """One import or paper entry at a time per campaign: duplicates by name have no unique index."""
    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK_NAMESPACE, campaign_id])


IMPORT_LOCK_NAMESPACE = 7_002
