"""/api/campaigns/…: outside the language prefixes, the same JSON for every visitor."""

from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("campaigns/", api.campaign_list, name="campaign-list"),
    path("campaigns/<slug:slug>/", api.campaign_detail, name="campaign-detail"),
]
