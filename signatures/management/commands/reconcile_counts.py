"""Recount campaigns from their signatures and correct any drift in the stored counts."""

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from signatures import fold


class Command(BaseCommand):
    help = (
        "Recount each campaign (or only SLUG) from its signatures, correct the stored totals "
        "where they drifted and print what was corrected; then fold in pending changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="Only this campaign (default: every campaign).")

    def handle(self, *args, slug=None, **options):
        campaigns = Campaign.objects.order_by("pk")
        if slug:
            campaigns = campaigns.filter(slug=slug)
            if not campaigns.exists():
                raise CommandError(f"No campaign has the slug {slug!r}.")
        drifted = 0
        for campaign in campaigns.only("pk", "slug"):
            corrections = fold.reconcile_counts(campaign.pk)
            if corrections:
                drifted += 1
                changes = "; ".join(f"{name} {was} -> {now}" for name, (was, now) in corrections.items())
                self.stdout.write(self.style.WARNING(f"{campaign.slug}: corrected {changes}"))
            else:
                self.stdout.write(f"{campaign.slug}: counts agree with the rows")
            folded = fold.fold_counts(campaign.pk)
            if folded:
                self.stdout.write(f"{campaign.slug}: folded in pending changes ({folded:+d})")
        summary = f"{drifted} campaign(s) had drifted and were corrected." if drifted else "No drift found."
        self.stdout.write(self.style.SUCCESS(summary))
