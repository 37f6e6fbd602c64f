from django.urls import path

from . import application_views, views

app_name = "registry"
urlpatterns = [
    path("businesses/", views.business_list, name="business_list"),
    path("businesses/export.xlsx", views.business_export, name="business_export"),
    path("businesses/new/", views.business_create, name="business_create"),
    path("businesses/<int:pk>/", views.business_detail, name="business_detail"),
    path("businesses/<int:pk>/edit/", views.business_edit, name="business_edit"),
    path("import/", views.business_import, name="business_import"),
    path("import/template.xlsx", views.import_template_download, name="import_template"),
    path("import/reports/<str:report_id>.xlsx", views.import_report_download, name="import_report"),
    path("applications/", application_views.application_list, name="application_list"),
    path("applications/export.xlsx", application_views.application_export, name="application_export"),
    path("applications/new/", application_views.application_new, name="application_new"),
    path("applications/<int:pk>/", application_views.application_detail, name="application_detail"),
    path(
        "applications/<int:pk>/transition/",
        application_views.application_transition,
        name="application_transition",
    ),
]
