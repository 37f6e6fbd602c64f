from django.urls import path

from . import views

app_name = "enforcement"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("export.xlsx", views.case_export, name="case_export"),
    path("new/", views.case_new, name="case_new"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/status/", views.case_status, name="case_status"),
    path("<int:pk>/facts/", views.case_facts, name="case_facts"),
    path("<int:pk>/decide/", views.case_decide, name="case_decide"),
    path("<int:pk>/act/", views.case_action, name="case_action"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("publications/", views.publication_list, name="publication_list"),
    path("publications/<int:pk>/", views.publication_act, name="publication_act"),
    path("listings/", views.listing_list, name="listing_list"),
    path("listings/<int:pk>/", views.listing_act, name="listing_act"),
    path("typical/", views.typical_list, name="typical_list"),
    path("filings/", views.filing_list, name="filing_list"),
    path("filings/export.<str:fmt>", views.filing_export, name="filing_export"),
    path("bans/", views.ban_check, name="ban_check"),
    path("credit/", views.credit_list, name="credit_list"),
    path("credit/<int:pk>/", views.credit_file, name="credit_file"),
    path("credit/<int:pk>/export.xlsx", views.credit_file_export, name="credit_file_export"),
]
