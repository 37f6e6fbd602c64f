from django.contrib import admin
from django.urls import include, path

from shian.api import api

urlpatterns = [
    path("", include("shian.web.urls")),
    path("registry/", include("shian.registry.urls")),
    path("reports/", include("shian.reports.urls")),
    path("jobs/", include("shian.jobs.urls")),
    path("plan/", include("shian.planning.urls")),
    path("index/", include("shian.metrics.urls")),
    path("risk/", include("shian.risk.urls")),
    path("inspections/", include("shian.inspections.urls")),
    path("sampling/", include("shian.sampling.urls")),
    path("trace/", include("shian.trace.urls")),
    path("t/", include("shian.trace.urls_public")),
    path("enforcement/", include("shian.enforcement.urls")),
    path("penalties/", include("shian.enforcement.urls_public")),
    path("complaints/", include("shian.complaints.urls")),
    path("ts/", include("shian.complaints.urls_public")),
    path("incidents/", include("shian.incidents.urls")),
    path("sources/", include("shian.sources.urls")),
    path("workforce/", include("shian.workforce.urls")),
    path("schools/", include("shian.schools.urls")),
    path("portal/", include("shian.portal.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
