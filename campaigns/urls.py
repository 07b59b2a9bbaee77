from django.urls import path

from . import embed, privacy, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("<slug:slug>/", views.campaign_detail, name="detail"),
    path("<slug:slug>/privacy/", privacy.privacy_notice, name="privacy"),
    path("<slug:slug>/via/<slug:organisation>/", views.partner_link, name="partner_link"),
    path("<slug:slug>/share/mastodon/", views.share_mastodon, name="share_mastodon"),
    path("<slug:slug>/embed/", embed.embed_form, name="embed"),
    path("<slug:slug>/embed/sign/", embed.embed_sign, name="embed_sign"),
    path("<slug:slug>/embed/thanks/", embed.embed_thanks, name="embed_thanks"),
]
