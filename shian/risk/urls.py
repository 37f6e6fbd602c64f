from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("grades/", views.grade_list, name="grade_list"),
    path("grades/export.xlsx", views.grade_export, name="grade_export"),
    path("grades/<int:business_id>/", views.grade_detail, name="grade_detail"),
    path("grades/<int:business_id>/events/", views.event_record, name="event_record"),
    path("plan/<int:year>/", views.plan_view, name="plan"),
    path("targeting/", views.targeting_list, name="targeting"),
    path("targeting/export.xlsx", views.targeting_export, name="targeting_export"),
    path("targeting/worklist.xlsx", views.targeting_worklist_export, name="targeting_worklist"),
    path("targeting/<int:business_id>/notes/", views.targeting_annotate, name="targeting_annotate"),
    path("draws/", views.draw_list, name="draw_list"),
    path("draws/new/", views.draw_new, name="draw_new"),
    path("visits/", views.my_visits, name="my_visits"),
    path("draws/<str:code>/", views.draw_detail, name="draw_detail"),
]
