from django.urls import path

from . import views

app_name = "signatures"

urlpatterns = [
    path("s/confirm/<int:pk>/<str:token>/", views.confirm, name="confirm"),
    path("s/withdraw/<int:pk>/<str:token>/", views.withdraw, name="withdraw"),
    path("s/unsubscribe/<int:pk>/<str:token>/<int:organisation_id>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/sign/", views.sign, name="sign"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
]
