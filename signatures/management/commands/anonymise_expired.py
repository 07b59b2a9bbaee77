"""Erase signers' personal data of campaigns closed for longer than their retention period."""

from django.core.management.base import BaseCommand

from signatures import retention


class Command(BaseCommand):
    help = (
        "Anonymise the signatures of every campaign closed for longer than its retention_days, "
        "keeping country and status so counts survive."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would be anonymised; change nothing.")

    def handle(self, *args, dry_run: bool, **options):
        expired = retention.expired_campaigns()
        if not expired:
            self.stdout.write("No campaign is past its retention period with personal data left.")
            return
        total = 0
        for item in expired:
            campaign = item.campaign
            where = f"{campaign.slug} (closed {item.closed_on:%Y-%m-%d}, retention {campaign.retention_days} days)"
            if dry_run:
                self.stdout.write(f"would anonymise {item.signatures} signatures of {where}")
                total += item.signatures
            else:
                count = retention.anonymise_campaign(campaign)
                self.stdout.write(f"anonymised {count} signatures of {where}")
                total += count
        verb = "would anonymise" if dry_run else "anonymised"
        self.stdout.write(self.style.SUCCESS(f"{verb} {total} signatures in {len(expired)} campaigns"))
