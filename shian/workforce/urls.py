from django.urls import path

from shian.core import unitrecords_web as web

from . import views
from .kinds import KINDS

app_name = "workforce"
bound = {"registry": KINDS, "ns": app_name}

urlpatterns = [
    path("", views.home, name="home"),
    path("coordinators/", views.coordinators, name="coordinators"),
    path("inspector-hours/", views.inspector_hours, name="inspector_hours"),
    path("r/<slug:slug>/", web.kind_list, bound, name="kind_list"),
    path("r/<slug:slug>/new/", web.kind_new, bound, name="kind_new"),
    path("r/<slug:slug>/import/", web.kind_import, bound, name="kind_import"),
    path("r/<slug:slug>/export.xlsx", web.kind_export, bound, name="kind_export"),
    path("r/<slug:slug>/template.xlsx", web.kind_template, bound, name="kind_template"),
    path("r/<slug:slug>/<str:pk>/", web.kind_detail, bound, name="kind_detail"),
]
