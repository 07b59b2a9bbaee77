from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from campaigns.api import not_found as api_not_found
from campaigns.views import campaign_image
from petition import denied, health
from signatures.partner_api.views import create_signature

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # petition.staffauth.StaffAdminSite: throttled login, two factors, lockout.
    path(settings.ADMIN_PATH, admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("api/campaigns/<slug:slug>/signatures/", create_signature, name="partner-api-signatures"),
    path("api/", include("campaigns.api_urls")),
    # The email provider's tracking webhooks (anymail/<provider>/tracking/), behind ANYMAIL_WEBHOOK_SECRET.
    path("anymail/", include("signatures.webhook_urls")),
    # [\s\S], not ".": an address with a line break in it (%0A) is under /api/ too.
    re_path(r"^api/(?P<rest>[\s\S]*)$", api_not_found),
    path("campaign-images/<slug:slug>/", campaign_image, name="campaign_image"),
]

urlpatterns += i18n_patterns(
    path("", include("signatures.urls")),
    path("", include("campaigns.urls")),
)

handler403 = denied.permission_denied
