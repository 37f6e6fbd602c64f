from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("export.xlsx", views.inspection_export, name="export"),
    path("ping", views.ping, name="ping"),
    path("start/", views.inspection_start, name="start"),
    path("new/", views.inspection_new, name="new"),
    path("<int:pk>/", views.inspection_form, name="form"),
    path("<int:pk>/record.xlsx", views.inspection_record_export, name="record_export"),
    path("photos/<int:pk>/", views.finding_photo, name="photo"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/export.xlsx", views.rectification_export, name="rectification_export"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
]
