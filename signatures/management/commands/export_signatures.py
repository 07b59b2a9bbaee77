"""Export a campaign's signatures as CSV from the command line, recorded like an export from the admin."""

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from signatures.exports.forms import ExportForm
from signatures.exports.records import fail_export, recorded_stream, start_export
from signatures.exports.spec import ExportSpec
from signatures.models import Signature, SignatureExport

# Form fields and the options that fill them, for error messages in the command's own words.
OPTION_OF_FIELD = {
    "purpose": "--purpose",
    "status": "--status",
    "country": "--country",
    "partner": "--partner",
    "confirmed_from": "--confirmed-from",
    "confirmed_to": "--confirmed-to",
    "consented_to": "--consented-to",
    "bom": "--bom",
}


def shell_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Command(BaseCommand):
    help = (
        "Export a campaign's signatures as CSV (the same file the admin gives for the same filters). "
        "The export is recorded with its filters, row count and checksum."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="slug of the campaign")
        parser.add_argument(
            "--output", required=True, help="file to write (created readable by you only), or - for stdout"
        )
        parser.add_argument(
            "--purpose",
            choices=SignatureExport.Purpose.values,
            default=SignatureExport.Purpose.VERIFIED,
            help="verified: names, country, postcode, confirmation time, partner (default); "
            "contact: name, email, country, language, consent time for --consented-to",
        )
        parser.add_argument(
            "--status",
            action="append",
            choices=[Signature.Status.CONFIRMED, Signature.Status.PENDING],
            help="repeat for both; default confirmed",
        )
        parser.add_argument("--country", action="append", help="ISO code, e.g. DE; repeat for several")
        parser.add_argument("--partner", help="slug of the referring partner organisation")
        parser.add_argument("--confirmed-from", help="YYYY-MM-DD (UTC), inclusive")
        parser.add_argument("--confirmed-to", help="YYYY-MM-DD (UTC), inclusive")
        parser.add_argument("--consented-to", help="slug of the organisation the signers consented to hear from")
        parser.add_argument("--bom", action="store_true", help="start with a UTF-8 byte-order mark")
        parser.add_argument("--user", help="username recorded as the exporter; must hold the export permission")

    def handle(self, *args, **options):
        campaign = Campaign.objects.filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"No campaign with the slug {options['campaign']!r}.")
        user = self.exporting_user(options["user"])
        spec = self.spec(campaign, options)

        export = start_export(
            spec,
            user=user,
            channel=SignatureExport.Channel.COMMAND,
            requested_by_name=user.get_username() if user else f"command line ({shell_user()})",
        )
        output = options["output"]
        if output == "-":
            try:
                self.write(export, spec, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            except BrokenPipeError as exc:
                raise CommandError(f"stdout closed before the end; export {export.pk} is recorded as failed.") from exc
        else:
            self.write_file(export, spec, output)
        export.refresh_from_db()
        self.stderr.write(
            f"Exported {export.row_count} rows of {campaign.slug} ({export.purpose}) to {output}; "
            f"recorded as export {export.pk}, SHA-256 {export.checksum}."
        )

    def exporting_user(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if not user.has_perm("signatures.export_signatures"):
            raise CommandError(f"{username} does not have the permission to export signatures.")
        return user

    def spec(self, campaign: Campaign, options) -> ExportSpec:
        data = {
            "purpose": options["purpose"],
            "status": options["status"] or [Signature.Status.CONFIRMED],
            "country": [code.strip().upper() for code in options["country"] or []],
            "partner": options["partner"] or "",
            "confirmed_from": options["confirmed_from"] or "",
            "confirmed_to": options["confirmed_to"] or "",
            "consented_to": options["consented_to"] or "",
            "bom": options["bom"],
        }
        form = ExportForm(data, campaign=campaign)
        if not form.is_valid():
            problems = [
                f"{OPTION_OF_FIELD.get(name, name)}: {' '.join(errors)}" for name, errors in form.errors.items()
            ]
            raise CommandError("Invalid filters:\n" + "\n".join(problems))
        return form.spec()

    def write(self, export, spec, out) -> None:
        for chunk in recorded_stream(export, spec):
            out.write(chunk)

    def write_file(self, export, spec, file_name: str) -> None:
        try:
            descriptor = os.open(file_name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as exc:
            fail_export(export.pk, f"could not open the output file ({type(exc).__name__})")
            raise CommandError(f"Cannot write {file_name}: {exc.strerror}.") from exc
        try:
            with os.fdopen(descriptor, "wb") as out:
                self.write(export, spec, out)
        except BaseException:
            # Never leave half a list of personal data lying around.
            os.unlink(file_name)
            raise
