"""Public pages (no login): penalty decisions currently published (45号令) and typical cases."""

from django.urls import path

from . import views

app_name = "enforcement_public"
urlpatterns = [
    path("", views.public_publications, name="publications"),
    path("export.xlsx", views.public_publications_xlsx, name="publications_xlsx"),
    path("typical/", views.public_typical, name="typical"),
]
