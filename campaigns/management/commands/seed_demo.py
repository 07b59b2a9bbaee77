"""Create the demo petition and a staff login for trying the platform locally."""

import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand
from django.utils import timezone

from campaigns.images import attach_picture
from campaigns.models import Campaign, CampaignTranslation, Organisation
from campaigns.services import add_default_milestones

DEMO_SLUG = "ban-biometric-mass-surveillance"
# Drawn by scripts/make-demo-picture, so it is ours to ship.
DEMO_PICTURE = Path(__file__).resolve().parents[2] / "demo" / "ban-biometric-mass-surveillance.png"
DEMO_PICTURE_ALT = (
    "Drawing: a crowd of people in a street, watched by a surveillance camera that is struck through "
    "with a red prohibition sign."
)
DEMO_BODY = """Governments and companies across Europe are rolling out face recognition and other biometric surveillance in our streets, stations and stadiums. Cameras that identify everyone who passes treat all of us as suspects.

We call on the European Union to **ban biometric mass surveillance** in publicly accessible spaces:

- no real-time or after-the-fact face recognition of people in public spaces;
- no emotion recognition or biometric categorisation by police, employers or schools;
- no public money for technologies that track people by their bodies.

## Why your signature matters

A European Citizens' Initiative with one million verified signatures obliges the European Commission to respond. Every confirmed signature brings us closer.

Read more at [our coalition's site](https://example.org/)."""


DEMO_PICTURE_ALT_TRANSLATIONS = {
    "de": "Zeichnung: eine Menschenmenge auf der Straße unter einer Überwachungskamera, die mit einem roten "
    "Verbotszeichen durchgestrichen ist.",
    "fr": "Dessin : une foule dans la rue, surveillée par une caméra barrée d’un panneau d’interdiction rouge.",
}

DEMO_TRANSLATIONS = {
    "de": (
        "Biometrische Massenüberwachung in der EU verbieten",
        "Eine Million Europäerinnen und Europäer fordern von der EU ein Verbot von Gesichtserkennung und anderer "
        "biometrischer Massenüberwachung im öffentlichen Raum.",
        """Regierungen und Unternehmen in ganz Europa führen Gesichtserkennung und andere biometrische Überwachung auf unseren Straßen, in Bahnhöfen und Stadien ein. Kameras, die alle Vorbeigehenden identifizieren, behandeln uns alle als Verdächtige.

Wir fordern die Europäische Union auf, **biometrische Massenüberwachung** in öffentlich zugänglichen Räumen **zu verbieten**:

- keine Gesichtserkennung von Menschen im öffentlichen Raum, weder in Echtzeit noch im Nachhinein;
- keine Emotionserkennung oder biometrische Kategorisierung durch Polizei, Arbeitgeber oder Schulen;
- kein öffentliches Geld für Technologien, die Menschen anhand ihres Körpers verfolgen.

## Warum Ihre Unterschrift zählt

Eine Europäische Bürgerinitiative mit einer Million bestätigter Unterschriften verpflichtet die Europäische Kommission zu einer Antwort. Jede bestätigte Unterschrift bringt uns näher ans Ziel.""",
    ),
    "fr": (
        "Interdire la surveillance biométrique de masse dans l’UE",
        "Un million d’Européennes et d’Européens demandent à l’UE d’interdire la reconnaissance faciale et toute "
        "autre surveillance biométrique de masse dans l’espace public.",
        """Partout en Europe, gouvernements et entreprises déploient la reconnaissance faciale et d’autres formes de surveillance biométrique dans nos rues, nos gares et nos stades. Des caméras qui identifient chaque passant font de chacun et chacune d’entre nous un suspect.

Nous demandons à l’Union européenne d’**interdire la surveillance biométrique de masse** dans les espaces accessibles au public :

- aucune reconnaissance faciale des personnes dans l’espace public, en temps réel ou a posteriori ;
- aucune reconnaissance des émotions ni catégorisation biométrique par la police, les employeurs ou les écoles ;
- pas d’argent public pour des technologies qui pistent les personnes par leur corps.

## Pourquoi votre signature compte

Une initiative citoyenne européenne réunissant un million de signatures vérifiées oblige la Commission européenne à répondre. Chaque signature confirmée nous rapproche du but.""",
    ),
}


class Command(BaseCommand):
    help = "Create (or refresh) the demo campaign and a demo staff login, and print the login."

    def handle(self, *args, **options):
        lead, _ = Organisation.objects.get_or_create(
            slug="reclaim-your-face",
            defaults={
                "name": "Reclaim Your Face coalition",
                "website": "https://example.org/",
                "privacy_policy_url": "https://example.org/privacy",
                "contact_email": "privacy@example.org",
            },
        )
        partner, _ = Organisation.objects.get_or_create(
            slug="digital-rights-partner",
            defaults={"name": "Digital Rights Partner", "website": "https://example.net/"},
        )
        campaign, created = Campaign.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={
                "title": "Ban biometric mass surveillance in the EU",
                "summary": "One million Europeans asking the EU to ban face recognition and other biometric "
                "mass surveillance in public spaces.",
                "body": DEMO_BODY,
                "status": Campaign.Status.OPEN,
                "opens_at": timezone.now(),
                "lead_organisation": lead,
                "eci_thresholds": True,
                "staff_emails": "campaign-team@example.org",
            },
        )
        campaign.partners.add(partner)
        if created:
            add_default_milestones(campaign)
        if not campaign.image:
            with DEMO_PICTURE.open("rb") as picture:
                attach_picture(campaign, DEMO_PICTURE.name, File(picture))
            campaign.image_alt = DEMO_PICTURE_ALT
            campaign.save()
        for language, (title, summary, body) in DEMO_TRANSLATIONS.items():
            translation, _ = CampaignTranslation.objects.get_or_create(
                campaign=campaign, language=language, defaults={"title": title, "summary": summary, "body": body}
            )
            if not translation.image_alt:
                translation.image_alt = DEMO_PICTURE_ALT_TRANSLATIONS[language]
                translation.save(update_fields=["image_alt"])

        User = get_user_model()
        password = secrets.token_urlsafe(12)
        user, _ = User.objects.get_or_create(username="demo-staff", defaults={"email": "demo-staff@example.org"})
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()

        self.stdout.write(self.style.SUCCESS(f"Demo petition: /en/{campaign.slug}/"))
        self.stdout.write(f"Demo staff login for /admin/: username demo-staff, password {password}")
        self.stdout.write(
            "  It is a superuser, so it also needs a code from an authenticator app: on the first login the admin "
            "shows a QR code to scan (or a key to type into the app, or into `oathtool --totp -b KEY`)."
        )
