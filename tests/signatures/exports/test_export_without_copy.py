"""Exports on a database without COPY (the embedded SQLite) give the very bytes COPY gives on PostgreSQL."""

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from signatures.exports import stream
from signatures.exports.portable import csv_value, portable_chunk
from signatures.exports.spec import ExportSpec

from .shared_rows import make_rows
from .support import export_bytes

ROOT = Path(__file__).resolve().parents[3]


def specs(campaign, partner) -> dict[str, ExportSpec]:
    return {
        "verified": ExportSpec(campaign_id=campaign.pk, statuses=("confirmed", "pending")),
        "contact": ExportSpec(campaign_id=campaign.pk, purpose="contact", consented_to_id=partner.pk),
        "verified_bom": ExportSpec(campaign_id=campaign.pk, countries=("FR", "IE", "PL"), include_bom=True),
    }


@pytest.mark.unit
@pytest.mark.parametrize(
    "value, written",
    [
        (None, ""),
        ("", '""'),
        ("plain", "plain"),
        ("a,b", '"a,b"'),
        ('say "hi"', '"say ""hi"""'),
        ("two\nlines", '"two\nlines"'),
        ("\r=cmd", '"\r=cmd"'),
        ("\t=cmd", "\t=cmd"),
        (" padded ", " padded "),
        ("Zoë 李 🚀", "Zoë 李 🚀"),
    ],
)
def test_it_writes_each_value_as_postgresqls_csv_output_does(value, written):
    assert csv_value(value) == written


@pytest.mark.django_db
@pytest.mark.parametrize("purpose", ["verified", "contact", "verified_bom"])
@pytest.mark.parametrize("chunk_rows", [2, 50_000])
def test_the_orm_path_gives_the_rows_copy_gives_chunk_by_chunk(monkeypatch, purpose, chunk_rows):
    campaign, partner = make_rows()
    spec = specs(campaign, partner)[purpose]
    monkeypatch.setattr(stream, "CHUNK_ROWS", chunk_rows)
    after_id, chunks = 0, 0
    while True:
        copied = stream.copy_chunk(spec, after_id)
        portable = portable_chunk(spec, after_id, chunk_rows)
        assert portable.rows == copied.rows
        if not copied.rows:
            break
        assert portable.last_id() == copied.last_id()
        after_id, chunks = copied.last_id(), chunks + 1
    assert chunks >= 1


@pytest.mark.django_db
def test_the_embedded_sqlite_exports_byte_for_byte_what_postgresql_exports(tmp_path):
    """The same rows in a fresh SQLite database, exported by the command there, against COPY here."""
    environment = {
        name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REDIS_URL")
    }
    environment.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        EXPORT_ROOT=str(tmp_path / "exports"),
        MEDIA_ROOT=str(tmp_path / "media"),
        DEBUG="1",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.signatures.exports.sqlite_export"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    embedded = json.loads(result.stdout)

    campaign, partner = make_rows()
    for name, spec in specs(campaign, partner).items():
        from_postgresql = export_bytes(spec)
        from_sqlite = base64.b64decode(embedded["files"][name])
        assert from_sqlite == from_postgresql, name
    assert from_postgresql.startswith(b"\xef\xbb\xbf")

    # Recorded there as here: done, with the row count and the SHA-256 of exactly those bytes.
    for record, name in zip(embedded["records"], ["verified", "contact", "verified_bom"], strict=True):
        data = base64.b64decode(embedded["files"][name])
        assert record["status"] == "done" and record["channel"] == "command"
        assert record["checksum"] == hashlib.sha256(data).hexdigest()
        assert record["row_count"] == data.count(b"\n") - 1 - data.count(b"line\nbreak")
