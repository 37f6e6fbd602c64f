"""The public pages: file a complaint or report without logging in, follow it by its code."""

from django.urls import path

from . import views, views_participation

app_name = "complaints_public"
urlpatterns = [
    path("", views.public_file, name="file"),
    path("track/", views.public_track, name="track"),
    path("lists/", views_participation.public_lists, name="lists"),
    path("vote/<int:pk>/", views_participation.public_vote, name="vote"),
]
