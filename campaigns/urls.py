from django.urls import path

from . import embed, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("<slug:slug>/", views.campaign_detail, name="detail"),
    path("<slug:slug>/share/mastodon/", views.share_mastodon, name="share_mastodon"),
    path("<slug:slug>/embed/", embed.embed_form, name="embed"),
    path("<slug:slug>/embed/sign/", embed.embed_sign, name="embed_sign"),
    path("<slug:slug>/embed/thanks/", embed.embed_thanks, name="embed_thanks"),
]
