from django.urls import path

from . import views

app_name = "schools"

urlpatterns = [
    path("", views.school_list, name="list"),
    path("export.xlsx", views.school_export, name="export"),
    path("import/", views.school_import_page, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.school_detail, name="detail"),
    path("<int:pk>/meals/", views.meals, name="meals"),
    path("open-kitchen/", views.open_kitchen_list, name="open_kitchen"),
    path("open-kitchen/<int:business_pk>/", views.open_kitchen_edit, name="open_kitchen_edit"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/export.xlsx", views.certificate_export, name="certificate_export"),
    path("certificates/new/<int:business_pk>/", views.certificate_new, name="certificate_new"),
]
