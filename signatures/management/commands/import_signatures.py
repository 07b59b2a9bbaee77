"""Import a partner's CSV of signatures from the command line, with the report the admin shows."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign, Organisation
from signatures.intake.importer import ImportOptions, read_heading, run_import
from signatures.intake.mapping import guess_mapping
from signatures.services import request_fold


class Command(BaseCommand):
    help = (
        "Import signatures from a CSV file into a campaign: columns are matched by their headings "
        "(first name, last name, email, country, postcode, signed at, language, consent:<org-slug>, "
        "consent_text:<org-slug>, consent_at:<org-slug>). Prints what is new, duplicate and invalid. "
        "All rows are imported or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="slug of the campaign")
        parser.add_argument("file", help="the CSV file (UTF-8, UTF-16 with BOM or Latin-1; comma, semicolon or tab)")
        parser.add_argument("--dry-run", action="store_true", help="check and report, import nothing")
        parser.add_argument("--partner", help="slug of the organisation that collected the signatures")
        parser.add_argument(
            "--verified-by-partner",
            action="store_true",
            help="the partner declares these signers confirmed by double opt-in: they count at once",
        )

    def handle(self, *args, **options):
        campaign = Campaign.objects.filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"No campaign has the slug {options['campaign']!r}.")
        partner = None
        if options["partner"]:
            partner = Organisation.objects.filter(slug=options["partner"]).first()
            if partner is None:
                raise CommandError(f"No organisation has the slug {options['partner']!r}.")
        if options["verified_by_partner"] and partner is None:
            raise CommandError("--verified-by-partner needs --partner: who vouches for the signers?")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        headings, _, _ = read_heading(path)
        slugs = list(Organisation.objects.values_list("slug", flat=True))
        report = run_import(
            path,
            ImportOptions(
                campaign=campaign,
                mapping=guess_mapping(headings, slugs),
                partner=partner,
                verified_by_partner=options["verified_by_partner"],
                dry_run=options["dry_run"],
            ),
        )
        self.stdout.write("\n".join(report.lines()))
        if report.problems:
            raise CommandError("The file was not imported.")
        if report.imported and options["verified_by_partner"]:
            request_fold(campaign.pk)
