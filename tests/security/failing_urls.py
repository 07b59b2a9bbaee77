"""A URL map with one view that fails, to see what an error page shows."""

from django.urls import path


def fails(request):
    raise RuntimeError("something broke")


urlpatterns = [path("fails/", fails)]
