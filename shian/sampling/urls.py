from django.urls import path

from . import views

app_name = "sampling"
urlpatterns = [
    path("", views.sample_list, name="sample_list"),
    path("export.xlsx", views.sample_export, name="sample_export"),
    path("<int:pk>/", views.sample_detail, name="sample_detail"),
    path("<int:pk>/status/", views.sample_status, name="sample_status"),
    path("<int:pk>/on-site/", views.sample_on_site, name="sample_on_site"),
    path("<int:pk>/form.xlsx", views.sample_form_xlsx, name="sample_form_xlsx"),
    path("photos/<int:pk>/", views.sample_photo, name="sample_photo"),
    path("<int:pk>/disposal/", views.disposal_open, name="disposal_open"),
    path("results/import/", views.results_import, name="results_import"),
    path("results/template.xlsx", views.results_template, name="results_template"),
    # public (no login): 食品安全监督抽检信息公告
    path("public/", views.public_list, name="public_list"),
    path("public/export.xlsx", views.public_export, name="public_export"),
    path("unqualified/", views.unqualified_list, name="unqualified_list"),
    path("labs/", views.lab_list, name="lab_list"),
    path("limits/", views.limit_explain, name="limit_explain"),
    path("labs/export.xlsx", views.lab_export, name="lab_export"),
    path("disposal/<int:pk>/", views.disposal_detail, name="disposal_detail"),
    path("disposal/<int:pk>/step/", views.disposal_step, name="disposal_step"),
    path("disposal/<int:pk>/close/", views.disposal_close, name="disposal_close"),
    path("quick-tests/", views.quick_test_list, name="quick_test_list"),
    path("quick-tests/export.xlsx", views.quick_test_export, name="quick_test_export"),
    path("quick-tests/new/", views.quick_test_new, name="quick_test_new"),
    path("quick-tests/import/", views.quick_test_import, name="quick_test_import"),
    path("quick-tests/template.xlsx", views.quick_test_template, name="quick_test_template"),
    path("quick-tests/<int:pk>/", views.quick_test_detail, name="quick_test_detail"),
    path("quick-tests/<int:pk>/notify/", views.quick_test_notify, name="quick_test_notify"),
    path("quick-tests/<int:pk>/objection/", views.quick_test_objection, name="quick_test_objection"),
    path("quick-tests/<int:pk>/retest/", views.quick_test_retest, name="quick_test_retest"),
    path("quick-tests/<int:pk>/confirm/", views.quick_test_confirm, name="quick_test_confirm"),
    path("quick-tests/<int:pk>/followup/", views.quick_test_followup, name="quick_test_followup"),
]
