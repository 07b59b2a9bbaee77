"""Benchmark the CSV import: a partner's file of --rows signers imported into a fresh campaign.

    DATABASE_URL=postgres://... python bench/import_bench.py [--rows 1000000] [--json] [--check]

Writes a CSV of --rows lines (one in fifty invalid, one in a hundred a
duplicate within the file, the rest new), then runs `manage.py
import_signatures` in a child process twice: the import, then the same file
again (which must add nothing). Each child's wall time and peak RSS are its
own. With --check the exit status is 1 when the import takes more than five
minutes or more than 200 MB, or the second run adds anything.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petition.settings")

SLUG = "import-bench"
MAX_SECONDS = 300.0
MAX_RSS_MB = 200.0
COUNTRIES = [("DE", "10115"), ("FR", "75005"), ("IT", "00184"), ("ES", "28001"), ("PL", "00-950"), ("NL", "1012 AB")]


def write_file(path: Path, rows: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["first name", "last name", "email", "country", "postcode", "signed at", "language"])
        for n in range(rows):
            country, postcode = COUNTRIES[n % len(COUNTRIES)]
            if n % 50 == 49:
                writer.writerow(["Bad", f"Row{n}", f"bad{n}@example", country, postcode, "2024-05-01", "en"])
            elif n % 100 == 98:
                writer.writerow(["Again", "Signer", f"signer{n - 1}@example.org", country, postcode, "", "en"])
            else:
                writer.writerow(["Signer", f"Number-{n}", f"signer{n}@example.org", country, postcode,
                                 f"2024-05-{1 + n % 28:02d} 12:00", "en"])


def reset_campaign() -> None:
    import django

    django.setup()
    from django.db import connection, transaction

    from campaigns.models import Campaign

    campaign, _ = Campaign.objects.get_or_create(
        slug=SLUG, defaults={"title": "Import benchmark", "status": Campaign.Status.OPEN}
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM signatures_consent WHERE signature_id IN "
            "(SELECT id FROM signatures_signature WHERE campaign_id = %s)",
            [campaign.pk],
        )
        cursor.execute("DELETE FROM signatures_signature WHERE campaign_id = %s", [campaign.pk])


def run_measured(argv: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and standard output of one child process."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        exit_code = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        output = stdout.read().decode(errors="replace")
        if exit_code != 0:
            stderr.seek(0)
            raise SystemExit(f"{argv[0]} failed ({exit_code}):\n{stderr.read().decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, output


def figure(output: str, label: str) -> int:
    for line in output.splitlines():
        if line.startswith(label + ":"):
            return int(line.split(":", 1)[1])
    return -1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    reset_campaign()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "partner-list.csv"
        write_file(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        command = [sys.executable, str(BASE_DIR / "manage.py"), "import_signatures", SLUG, str(path)]
        seconds, rss, output = run_measured(command)
        again_seconds, again_rss, again_output = run_measured(command)
    outcome = {
        "rows": args.rows,
        "file_mb": round(size_mb, 1),
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(rss, 1),
        "imported": figure(output, "Imported"),
        "invalid": figure(output, "Invalid"),
        "duplicate_in_file": figure(output, "Duplicate within the file"),
        "again_seconds": round(again_seconds, 2),
        "again_peak_rss_mb": round(again_rss, 1),
        "again_imported": figure(again_output, "Imported"),
    }
    if args.json:
        print(json.dumps(outcome))
    else:
        print(
            f"import of {args.rows:,} rows ({size_mb:.0f} MB): {seconds:.1f} s, peak RSS {rss:.0f} MB, "
            f"{outcome['imported']:,} imported, {outcome['invalid']:,} invalid, "
            f"{outcome['duplicate_in_file']:,} duplicates in the file; the same file again: "
            f"{again_seconds:.1f} s, {again_rss:.0f} MB, {outcome['again_imported']} imported"
        )
    if args.check:
        ok = seconds <= MAX_SECONDS and rss <= MAX_RSS_MB and outcome["again_imported"] == 0
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
