from django.urls import path

from . import privacy, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("<slug:slug>/", views.campaign_detail, name="detail"),
    path("<slug:slug>/privacy/", privacy.privacy_notice, name="privacy"),
    path("<slug:slug>/via/<slug:organisation>/", views.partner_link, name="partner_link"),
]
