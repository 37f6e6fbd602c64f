from django.contrib import admin
from django.urls import include, path

from shian.api import api

urlpatterns = [
    path("", include("shian.web.urls")),
    path("registry/", include("shian.registry.urls")),
    path("reports/", include("shian.reports.urls")),
    path("plan/", include("shian.planning.urls")),
    path("index/", include("shian.metrics.urls")),
    path("risk/", include("shian.risk.urls")),
    path("inspections/", include("shian.inspections.urls")),
    path("sampling/", include("shian.sampling.urls")),
    path("trace/", include("shian.trace.urls")),
    path("t/", include("shian.trace.urls_public")),
    path("schools/", include("shian.schools.urls")),
    path("portal/", include("shian.portal.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
