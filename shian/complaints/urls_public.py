"""The public pages: file a complaint or report without logging in, follow it by its code."""

from django.urls import path

from . import views

app_name = "complaints_public"
urlpatterns = [
    path("", views.public_file, name="file"),
    path("track/", views.public_track, name="track"),
]
