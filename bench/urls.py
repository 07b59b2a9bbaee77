"""The product's URLs with the benchmark baselines under /__bench__/."""

from django.urls import path

from petition.urls import urlpatterns as product_urlpatterns

from . import baselines

urlpatterns = [
    path("__bench__/form/", baselines.bare_form, name="bench-form"),
    path("__bench__/insert/", baselines.bare_insert, name="bench-insert"),
    path("__bench__/done/", baselines.bare_done, name="bench-done"),
    path("__bench__/link/", baselines.bare_link, name="bench-link"),
    path("__bench__/cached/", baselines.bare_cached_value, name="bench-cached"),
    *product_urlpatterns,
]
