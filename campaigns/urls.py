from django.urls import path

from . import privacy, views

app_name = "campaigns"

# The petition page, its sign form and the partner embed are signatures.urls.
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("<slug:slug>/privacy/", privacy.privacy_notice, name="privacy"),
    path("<slug:slug>/via/<slug:organisation>/", views.partner_link, name="partner_link"),
    path("<slug:slug>/share/mastodon/", views.share_mastodon, name="share_mastodon"),
]
