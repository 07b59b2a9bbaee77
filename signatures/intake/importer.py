"""Importing a partner's list: read, check, stage, deduplicate, insert, all in one transaction.

A dry run does everything but the insert and rolls back. Re-running a file
adds nothing: every row is then a duplicate of an existing signature.
Imported signers with an email either count at once (the partner vouches
for their double opt-in) or owe the normal confirmation email, which the
outbox sweep sends through the throttled sender like any other. The caller
asks for a fold when verified rows were imported (counts_after_import).
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from campaigns.models import Campaign, Organisation

from . import csvfile, staging
from .decoding import detect_encoding, open_text
from .mapping import consent_slugs, mapping_problems
from .report import MAX_EXAMPLES, ImportReport
from .rows import RowError, clean_row

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 10_000


@dataclass
class ImportOptions:
    campaign: Campaign
    mapping: dict[str, str]
    partner: Organisation | None = None
    verified_by_partner: bool = False
    dry_run: bool = True
    job_id: int | None = None


def read_heading(path: Path) -> tuple[list[str], str, str]:
    """The headings, delimiter and encoding of a file, for the mapping screen."""
    encoding = detect_encoding(path)
    with open_text(path, encoding) as text:
        sample = text.read(csvfile.SNIFF_BYTES)
    delimiter = csvfile.sniff_delimiter(sample)
    headings = csvfile.read_heading(sample.splitlines() or [""], delimiter)
    return headings, delimiter, encoding.codec


def run_import(path: Path, options: ImportOptions, progress: Callable[[int, int], None] | None = None) -> ImportReport:
    report = ImportReport(dry_run=options.dry_run)
    if connection.vendor != "postgresql":
        return report.refuse(gettext("Imports need PostgreSQL."))
    try:
        encoding = detect_encoding(path)
        with open_text(path, encoding) as text:
            sample = text.read(csvfile.SNIFF_BYTES)
    except (OSError, UnicodeError):
        return report.refuse(gettext("The file cannot be read as text."))
    report.encoding = encoding.codec + (gettext(" (guessed: not valid UTF-8)") if encoding.note else "")
    report.delimiter = csvfile.sniff_delimiter(sample)
    headings = csvfile.read_heading(sample.splitlines()[:1] or [""], report.delimiter)
    if not headings:
        return report.refuse(gettext("The file is empty or has no heading line."))
    email_required = not options.verified_by_partner
    problems = mapping_problems(options.mapping, headings, email_required=email_required)
    slugs = consent_slugs(options.mapping)
    organisations = dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    problems += [gettext("No organisation has the slug “%(slug)s”.") % {"slug": slug} for slug in slugs
                 if slug not in organisations]
    if problems:
        report.problems = problems
        return report
    lead_id = options.campaign.lead_organisation_id
    with transaction.atomic():
        cursor = connection.cursor()
        staging.lock_campaign_imports(cursor, options.campaign.pk)
        staging.create_staging(cursor)
        with open_text(path, encoding) as text:
            lines = copy_lines(text, report, options, headings, organisations, lead_id, email_required,
                               encoding.lines, progress)
            staging.load(cursor, lines)
        if report.problems:
            # The file stopped decoding part way: nothing of it is kept.
            transaction.set_rollback(True)
            return report
        counts = staging.mark_duplicates(cursor, options.campaign.pk)
        report.new = counts.get("new", 0)
        report.duplicate_existing = counts.get("duplicate_existing", 0)
        report.duplicate_in_file = counts.get("duplicate_in_file", 0)
        if not options.dry_run:
            report.imported = staging.insert_new(
                cursor,
                campaign_id=options.campaign.pk,
                partner_id=options.partner.pk if options.partner else None,
                verified=options.verified_by_partner,
                job_id=options.job_id,
                now=timezone.now(),
            )
            counts = staging.outcome_counts(cursor)
            report.new = counts.get("new", 0)
            report.duplicate_existing = counts.get("duplicate_existing", 0)
        room = MAX_EXAMPLES - len(report.examples)
        report.examples += [(line, outcome, "") for line, outcome in staging.duplicate_lines(cursor, room)]
        if options.dry_run:
            transaction.set_rollback(True)
    logger.info(
        "import into campaign %s: %s rows, %s new, %s imported%s",
        options.campaign.pk, report.rows, report.new, report.imported, " (dry run)" if options.dry_run else "",
    )
    return report


def copy_lines(text, report, options, headings, organisations, lead_id, email_required, lines_total, progress):
    """Check each line and yield the valid ones in COPY's format; the invalid go into the report."""
    positions = {field: headings.index(heading) for field, heading in options.mapping.items() if heading}
    default_language = options.campaign.language
    now = timezone.now()
    lines = csvfile.read_lines(text, report.delimiter)
    while True:
        try:
            line = next(lines, None)
        except UnicodeDecodeError:
            # Raised inside COPY, this would abort it as a database error: end the COPY and refuse the file.
            report.refuse(
                gettext("The file is not valid %(encoding)s throughout: save it as UTF-8 and try again.")
                % {"encoding": text.encoding}
            )
            return
        if line is None:
            break
        report.rows += 1
        if progress and report.rows % PROGRESS_EVERY == 0:
            progress(line.number, lines_total)
        if line.values is None:
            report.add_invalid(line.number, unreadable_reason(line.error))
            continue
        values = {field: line.values[index] if index < len(line.values) else ""
                  for field, index in positions.items()}
        try:
            row = clean_row(
                values,
                email_required=email_required,
                default_language=default_language,
                consent_organisations=organisations,
                now=now,
            )
        except RowError as error:
            report.add_invalid(line.number, str(error))
            continue
        consents = [(organisation_id, text_shown, given_at.isoformat() if given_at else None)
                    for organisation_id, text_shown, given_at in row.consents]
        contact_consent = any(organisation_id == lead_id for organisation_id, _, _ in row.consents)
        yield staging.copy_line(line.number, row, contact_consent, json.dumps(consents, ensure_ascii=False))
    if progress:
        progress(lines_total, lines_total)


def unreadable_reason(error: str) -> str:
    if error == "field_too_long":
        return gettext("A field is longer than %(max)d characters.") % {"max": csvfile.MAX_FIELD}
    return gettext("The line cannot be read as CSV.")
