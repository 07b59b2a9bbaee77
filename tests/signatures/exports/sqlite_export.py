"""Run in a subprocess on a fresh embedded SQLite database: make shared_rows, export them, print the files as JSON.

    DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.signatures.exports.sqlite_export

The exports go through manage.py export_signatures, recorded like any other.
"""

import base64
import contextlib
import io
import json
import os
import sys
import tempfile

from tests.embedded import prepare_embedded_database


def main() -> None:
    prepare_embedded_database()
    from django.core.management import call_command

    from signatures.models import SignatureExport
    from tests.signatures.exports.shared_rows import CAMPAIGN_SLUG, make_rows

    _, partner = make_rows()
    files = {}
    with tempfile.TemporaryDirectory() as directory:
        for name, options in {
            "verified": ["--status", "confirmed", "--status", "pending"],
            "contact": ["--purpose", "contact", "--consented-to", partner.slug],
            "verified_bom": ["--bom", "--country", "FR", "--country", "IE", "--country", "PL"],
        }.items():
            output = os.path.join(directory, f"{name}.csv")
            with contextlib.redirect_stderr(io.StringIO()):
                call_command("export_signatures", CAMPAIGN_SLUG, "--output", output, *options)
            with open(output, "rb") as file:
                files[name] = base64.b64encode(file.read()).decode()
    records = list(SignatureExport.objects.order_by("pk").values("status", "row_count", "checksum", "channel"))
    json.dump({"files": files, "records": records}, sys.stdout)


if __name__ == "__main__":
    main()
