from django.urls import path

from . import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_new, name="new"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/update/", views.incident_update, name="update"),
    path("<int:pk>/report/", views.incident_report_sent, name="report"),
    path("<int:pk>/close/", views.incident_close, name="close"),
    path("drills/", views.drill_list, name="drills"),
]
