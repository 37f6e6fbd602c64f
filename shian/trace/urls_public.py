"""The public consumer pages: no login, what a package already shows (docs/trace.md)."""

from django.urls import path

from . import views

app_name = "trace_public"
urlpatterns = [
    path("", views.public_search, name="search"),
    path("qr/<path:code>.svg", views.public_qr, name="qr"),
    path("<path:code>", views.public_lot, name="lot"),
]
