"""Benchmark the signature export against psql's \\copy of the same columns and rows.

    DATABASE_URL=postgres://... python bench/export_bench.py [--rows 1000000] [--repeat 3]
        [--purpose verified|contact] [--json] [--check]

Seeds a campaign "export-bench" with --rows confirmed signatures (once; reused
while the count matches), then times `manage.py export_signatures` (the code
every export path shares) and `psql -c "\\copy (SELECT ...) TO file"` of the
same columns, rows and order, each in a child process so its peak RSS is its
own. Prints a table, or one JSON object with --json. With --check the exit
status is 1 when the export takes more than twice psql's time or more than
150 MB. Best-of-N wall time is compared, because the machine is shared.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petition.settings")

SLUG = "export-bench"
MAX_RATIO = 2.0
MAX_RSS_MB = 150

SEED_SQL = """
INSERT INTO signatures_signature (
    campaign_id, first_name, last_name, email, email_canonical, country, postcode, language, status,
    contact_consent, partner_id, utm_source, utm_campaign, ip_hash, link_salt, created_at, confirmed_at,
    rejection_reason, email_due, emails_sent, is_counted
)
SELECT %(campaign)s,
       'Firstname' || g,
       -- one name in a thousand carries a formula, so the bench pays for neutralising it
       CASE WHEN g %% 1000 = 0 THEN '=HYPERLINK("http://example.org")' ELSE 'Lastname-' || g END,
       'signer' || g || '@example.org', 'signer' || g || '@example.org',
       (ARRAY['DE', 'FR', 'IT', 'ES', 'PL', 'NL', 'AT', 'BE'])[1 + g %% 8],
       lpad((g %% 99999)::text, 5, '0'), 'en', 'confirmed', true,
       CASE WHEN g %% 3 = 0 THEN %(partner)s END, '', '', '', md5(g::text),
       now() - interval '30 days', now() - (g || ' seconds')::interval, '', '', 1, true
FROM generate_series(1, %(rows)s) AS g
"""

CONSENT_SQL = """
INSERT INTO signatures_consent (signature_id, organisation_id, text_shown, given_at)
SELECT id, %(organisation)s, 'You may contact me.', confirmed_at FROM signatures_signature WHERE campaign_id = %(campaign)s
"""


def setup_django():
    import django

    django.setup()


def seed(rows: int, purpose: str) -> None:
    """Create the bench campaign with exactly `rows` confirmed signatures, unless it is already there."""
    from django.db import connection, transaction

    from campaigns.models import Campaign, Organisation
    from signatures.models import Consent, Signature

    partner, _ = Organisation.objects.get_or_create(slug="export-bench-partner", defaults={"name": "Bench partner"})
    campaign, _ = Campaign.objects.get_or_create(
        slug=SLUG, defaults={"title": "Export benchmark", "status": Campaign.Status.CLOSED}
    )
    signatures = Signature.objects.filter(campaign=campaign)
    if signatures.count() != rows:
        print(f"seeding {rows} signatures...", file=sys.stderr)
        with transaction.atomic():
            Consent.objects.filter(signature__campaign=campaign).delete()
            signatures.delete()
            with connection.cursor() as cursor:
                cursor.execute(SEED_SQL, {"campaign": campaign.pk, "partner": partner.pk, "rows": rows})
    if purpose == "contact" and not Consent.objects.filter(signature__campaign=campaign, organisation=partner).exists():
        print("seeding consents...", file=sys.stderr)
        with connection.cursor() as cursor:
            cursor.execute(CONSENT_SQL, {"campaign": campaign.pk, "organisation": partner.pk})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE signatures_signature")
        cursor.execute("ANALYZE signatures_consent")


def command_options(purpose: str) -> list[str]:
    if purpose == "contact":
        return ["--purpose", "contact", "--consented-to", "export-bench-partner"]
    return []


def psql_select(purpose: str) -> str:
    """The export's rows and order with plain columns: what psql \\copy is measured on."""
    from django.db import connection

    from campaigns.models import Campaign, Organisation
    from signatures.exports import spec as exports

    campaign = Campaign.objects.get(slug=SLUG)
    if purpose == "contact":
        organisation = Organisation.objects.get(slug="export-bench-partner")
        spec = exports.ExportSpec(campaign_id=campaign.pk, purpose="contact", consented_to_id=organisation.pk)
        columns = ["first_name", "last_name", "email", "country", "language", "consents__given_at"]
    else:
        spec = exports.ExportSpec(campaign_id=campaign.pk)
        columns = ["first_name", "last_name", "country", "postcode", "confirmed_at", "partner__name"]
    query = exports.matching_signatures(spec).order_by("pk").values_list(*columns)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params).decode()


def run_measured(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = exit_code = os.waitstatus_to_exitcode(status)
        if exit_code != 0:
            stderr.seek(0)
            raise SystemExit(f"{argv[0]} failed ({exit_code}):\n{stderr.read().decode(errors='replace')}")
    return elapsed, usage.ru_maxrss / 1024


def child_export(output: str, purpose: str) -> None:
    """Run in a child: time the export itself (not Django's start-up) and print the figures as JSON."""
    setup_django()
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("export_signatures", SLUG, "--output", output, *command_options(purpose))
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "peak_rss_mb": peak_mb}))


def measure_export(output: str, purpose: str) -> dict:
    argv = [sys.executable, __file__, "--child-export", output, "--purpose", purpose]
    finished = subprocess.run(argv, capture_output=True, text=True)
    if finished.returncode != 0:
        raise SystemExit(f"export failed ({finished.returncode}):\n{finished.stderr}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def measure_psql(select: str, output: str) -> dict:
    database_url = os.environ["DATABASE_URL"]
    command = f"\\copy ({select}) TO '{output}' WITH (FORMAT csv, HEADER)"
    seconds, peak_mb = run_measured(["psql", "-X", "-q", database_url, "-c", command])
    return {"seconds": seconds, "peak_rss_mb": peak_mb}


def summarise(runs: list[dict]) -> dict:
    seconds = [run["seconds"] for run in runs]
    return {
        "best_seconds": round(min(seconds), 3),
        "median_seconds": round(statistics.median(seconds), 3),
        "peak_rss_mb": round(max(run["peak_rss_mb"] for run in runs), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--purpose", choices=["verified", "contact"], default="verified")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--check", action="store_true", help=f"exit 1 beyond {MAX_RATIO}x psql or {MAX_RSS_MB} MB")
    parser.add_argument("--child-export", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_export:
        child_export(args.child_export, args.purpose)
        return 0
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL database (it gets a campaign 'export-bench')")

    setup_django()
    seed(args.rows, args.purpose)
    select = psql_select(args.purpose)
    export_runs, psql_runs = [], []
    with tempfile.TemporaryDirectory(prefix="export-bench-") as scratch:
        ours, theirs = os.path.join(scratch, "export.csv"), os.path.join(scratch, "psql.csv")
        for _ in range(args.repeat):
            psql_runs.append(measure_psql(select, theirs))
            export_runs.append(measure_export(ours, args.purpose))
        export_bytes, psql_bytes = os.path.getsize(ours), os.path.getsize(theirs)

    export, psql = summarise(export_runs), summarise(psql_runs)
    ratio = round(export["best_seconds"] / psql["best_seconds"], 2)
    result = {
        "rows": args.rows,
        "purpose": args.purpose,
        "repeat": args.repeat,
        "export": {**export, "bytes": export_bytes},
        "psql_copy": {**psql, "bytes": psql_bytes},
        "time_ratio": ratio,
        "limits": {"time_ratio": MAX_RATIO, "peak_rss_mb": MAX_RSS_MB},
        "ok": ratio <= MAX_RATIO and export["peak_rss_mb"] <= MAX_RSS_MB,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"export of {args.rows:,} rows ({args.purpose}), best of {args.repeat}:")
        for name, row in (("export_signatures", result["export"]), ("psql \\copy", result["psql_copy"])):
            print(
                f"  {name:18} {row['best_seconds']:7.2f} s best, {row['median_seconds']:7.2f} s median, "
                f"{row['peak_rss_mb']:6.1f} MB peak RSS, {row['bytes']:,} bytes"
            )
        print(f"  time ratio {ratio} (limit {MAX_RATIO}); {'OK' if result['ok'] else 'OVER THE LIMITS'}")
    return 0 if result["ok"] or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
