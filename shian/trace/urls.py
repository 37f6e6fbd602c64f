from django.urls import path

from . import views

app_name = "trace"
urlpatterns = [
    path("", views.home, name="home"),
    path("lots/export.xlsx", views.lot_export, name="lot_export"),
    path("lots/<int:pk>/", views.lot_detail, name="lot_detail"),
    path("lots/<int:pk>/trace.xlsx", views.lot_fsma, name="lot_fsma"),
    path("lots/<int:pk>/samples/", views.sample_link, name="sample_link"),
    path("capture/", views.capture, name="capture"),
    path("capture/template.xlsx", views.capture_template, name="capture_template"),
    path("recalls/", views.recall_list, name="recall_list"),
    path("recalls/new/", views.recall_new, name="recall_new"),
    path("recalls/<int:pk>/", views.recall_detail, name="recall_detail"),
    path("recalls/<int:pk>/trace.xlsx", views.recall_fsma, name="recall_fsma"),
    path("coverage/", views.coverage, name="coverage"),
    path("queries/", views.queries, name="queries"),
    path("cold-chain/", views.cold_chain, name="cold_chain"),
    path("cold-chain/export.xlsx", views.cold_chain_export, name="cold_chain_export"),
]
