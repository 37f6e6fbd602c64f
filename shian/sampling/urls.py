from django.urls import path

from . import views

app_name = "sampling"
urlpatterns = [
    path("", views.sample_list, name="sample_list"),
    path("export.xlsx", views.sample_export, name="sample_export"),
    path("<int:pk>/", views.sample_detail, name="sample_detail"),
    path("<int:pk>/status/", views.sample_status, name="sample_status"),
    path("<int:pk>/disposal/", views.disposal_open, name="disposal_open"),
    path("results/import/", views.results_import, name="results_import"),
    path("results/template.xlsx", views.results_template, name="results_template"),
    path("unqualified/", views.unqualified_list, name="unqualified_list"),
    path("disposal/<int:pk>/", views.disposal_detail, name="disposal_detail"),
    path("disposal/<int:pk>/step/", views.disposal_step, name="disposal_step"),
    path("disposal/<int:pk>/close/", views.disposal_close, name="disposal_close"),
]
