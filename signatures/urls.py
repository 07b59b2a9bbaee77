from django.urls import path

from . import embed, views

app_name = "signatures"

urlpatterns = [
    path("s/confirm/<int:pk>/<str:token>/", views.confirm, name="confirm"),
    path("s/withdraw/<int:pk>/<str:token>/", views.withdraw, name="withdraw"),
    path("s/unsubscribe/<int:pk>/<str:token>/", views.unsubscribe, name="unsubscribe_all"),
    path("s/unsubscribe/<int:pk>/<str:token>/<int:organisation_id>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/", views.petition_page, name="petition"),
    path("<slug:slug>/sign/", views.sign, name="sign"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
    path("<slug:slug>/embed/", embed.embed_form, name="embed"),
    path("<slug:slug>/embed/sign/", embed.embed_sign, name="embed_sign"),
    path("<slug:slug>/embed/thanks/", embed.embed_thanks, name="embed_thanks"),
]
