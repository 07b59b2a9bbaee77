"""scripts/backup against the real PostgreSQL: dump, restore into a fresh database, and prove it by counts."""

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.db import connection

from campaigns.models import CountryCount
from signatures.fold import fold_counts
from signatures.models import Signature
from tests.factories import make_campaign, make_consent, make_organisation, make_signature

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "backup"


def url_of(database: str) -> str:
    config = connection.settings_dict
    credentials = quote(config["USER"], safe="")
    if config["PASSWORD"]:
        credentials += ":" + quote(config["PASSWORD"], safe="")
    return f"postgres://{credentials}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{database}"


def backup(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def query(url: str, sql: str, params=()):
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def drop(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    server = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.close()


@pytest.fixture
def source_url():
    return url_of(connection.settings_dict["NAME"])


@pytest.fixture
def fresh_url():
    url = url_of(connection.settings_dict["NAME"] + "_restored")
    drop(url)
    yield url
    drop(url)


@pytest.fixture
def campaigns_with_signatures():
    """Two campaigns, signatures in every status, folded counts, partners and consents."""
    partner = make_organisation()
    first, second = make_campaign(), make_campaign()
    first.partners.add(partner)
    for status, how_many in [("confirmed", 7), ("pending", 3), ("withdrawn", 2), ("rejected", 1)]:
        for _ in range(how_many):
            make_signature(first, status=status, partner=partner if status == "confirmed" else None)
    signature = make_signature(second, status="confirmed", country="FR")
    make_consent(signature, partner)
    fold_counts(first.pk)
    fold_counts(second.pk)
    first.refresh_from_db()
    assert first.signature_count == 7, "the fold did not run"
    return first, second


def test_it_restores_a_dump_into_a_fresh_database_with_every_count_equal(
    tmp_path, source_url, fresh_url, campaigns_with_signatures
):
    first, second = campaigns_with_signatures
    dump_file = tmp_path / "petition.dump"

    dumped = backup("dump", str(dump_file), database_url=source_url)
    restored = backup("restore", str(dump_file), "--into", fresh_url)

    assert dumped.returncode == 0, dumped.stderr
    assert restored.returncode == 0, restored.stderr
    assert "every table's row count and every campaign's totals match" in restored.stdout
    counts = json.loads((tmp_path / "petition.dump.counts.json").read_text())
    assert counts["tables"]["signatures_signature"] == 14
    assert counts["campaigns"][first.slug] == {
        "signature_count": 7,
        "signatures": {"confirmed": 7, "pending": 3, "rejected": 1, "withdrawn": 2},
    }
    assert counts["campaigns"][second.slug] == {"signature_count": 1, "signatures": {"confirmed": 1}}
    # The restored rows are the same rows, not only as many.
    assert query(fresh_url, "SELECT signature_count FROM campaigns_campaign WHERE slug = %s", [first.slug]) == [(7,)]
    assert sorted(query(fresh_url, "SELECT link_salt FROM signatures_signature")) == sorted(
        (salt,) for salt in Signature.objects.values_list("link_salt", flat=True)
    )
    assert query(fresh_url, "SELECT count(*) FROM campaigns_countrycount WHERE count > 0")[0][0] == (
        CountryCount.objects.filter(count__gt=0).count()
    )


def test_the_restored_database_takes_new_rows(tmp_path, source_url, fresh_url, campaigns_with_signatures):
    dump_file = tmp_path / "petition.dump"
    assert backup("dump", str(dump_file), database_url=source_url).returncode == 0
    assert backup("restore", str(dump_file), "--into", fresh_url).returncode == 0

    # Sequences come back too: the next signature gets a new id, not one already taken.
    next_id = query(fresh_url, "SELECT nextval(pg_get_serial_sequence('signatures_signature', 'id'))")[0][0]
    assert next_id > max(Signature.objects.values_list("pk", flat=True))


def test_verify_restores_into_a_scratch_database_and_drops_it(tmp_path, source_url, campaigns_with_signatures):
    dump_file = tmp_path / "petition.dump"
    assert backup("dump", str(dump_file), database_url=source_url).returncode == 0

    verified = backup("verify", str(dump_file), database_url=source_url)

    assert verified.returncode == 0, verified.stderr
    assert "match the backup" in verified.stdout
    leftovers = query(source_url, "SELECT datname FROM pg_database WHERE datname LIKE %s", ["%restore_check%"])
    assert leftovers == []


def test_it_names_what_differs_when_the_restore_does_not_match(tmp_path, source_url, campaigns_with_signatures):
    first, _ = campaigns_with_signatures
    dump_file = tmp_path / "petition.dump"
    assert backup("dump", str(dump_file), database_url=source_url).returncode == 0
    counts_file = tmp_path / "petition.dump.counts.json"
    counts = json.loads(counts_file.read_text())
    # As if the backup had lost a signature on the way.
    counts["tables"]["signatures_signature"] += 1
    counts["campaigns"][first.slug]["signatures"]["confirmed"] += 1
    counts_file.write_text(json.dumps(counts))

    verified = backup("verify", str(dump_file), database_url=source_url)

    assert verified.returncode == 1
    assert "table signatures_signature: 15 rows in the backup, 14 rows restored" in verified.stderr
    assert f"campaign {first.slug}:" in verified.stderr
    assert "match the backup" not in verified.stdout


def test_it_refuses_to_restore_into_a_database_that_has_tables(tmp_path, source_url, campaigns_with_signatures):
    dump_file = tmp_path / "petition.dump"
    assert backup("dump", str(dump_file), database_url=source_url).returncode == 0
    before = Signature.objects.count()

    refused = backup("restore", str(dump_file), "--into", source_url)

    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "fresh database" in refused.stderr
    assert Signature.objects.count() == before


def test_counts_agree_with_the_dump_while_people_keep_signing(tmp_path, source_url, campaigns_with_signatures):
    """The counts come from the snapshot pg_dump copies, not from a moment before or after it."""
    first, _ = campaigns_with_signatures
    dump_file = tmp_path / "petition.dump"
    stop = threading.Event()
    written = []

    def keep_signing():
        try:
            while not stop.is_set() and len(written) < 20_000:
                written.append(make_signature(first).pk)
        finally:
            connection.close()

    writer = threading.Thread(target=keep_signing)
    writer.start()
    try:
        dumped = backup("dump", str(dump_file), database_url=source_url)
    finally:
        stop.set()
        writer.join()
    verified = backup("verify", str(dump_file), database_url=source_url)

    assert dumped.returncode == 0, dumped.stderr
    assert written, "nobody signed during the dump"
    assert verified.returncode == 0, verified.stderr
    assert json.loads((tmp_path / "petition.dump.counts.json").read_text())["tables"]["signatures_signature"] < (
        Signature.objects.count()
    ), "no signature arrived after the snapshot: the test proved nothing"


def test_backup_files_are_readable_by_their_owner_only(tmp_path, source_url, campaigns_with_signatures):
    dump_file = tmp_path / "petition.dump"

    assert backup("dump", str(dump_file), database_url=source_url).returncode == 0

    for path in (dump_file, tmp_path / "petition.dump.counts.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_it_never_overwrites_an_existing_backup(tmp_path, source_url):
    dump_file = tmp_path / "petition.dump"
    dump_file.write_text("yesterday's backup")

    refused = backup("dump", str(dump_file), database_url=source_url)

    assert refused.returncode == 1
    assert "exists already" in refused.stderr
    assert dump_file.read_text() == "yesterday's backup"


def test_it_explains_a_missing_counts_file_and_a_missing_database_url(tmp_path):
    dump_file = tmp_path / "petition.dump"
    dump_file.write_bytes(b"PGDMP")

    no_counts = backup("restore", str(dump_file), "--into", url_of("never_created_h14d"))
    no_url = backup("dump", str(tmp_path / "other.dump"))

    assert no_counts.returncode == 1 and "petition.dump.counts.json is missing" in no_counts.stderr
    assert no_url.returncode == 1 and "DATABASE_URL is not set" in no_url.stderr
    for result in (no_counts, no_url):
        assert "Traceback" not in result.stderr
