from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("grades/", views.grade_list, name="grade_list"),
    path("grades/export.xlsx", views.grade_export, name="grade_export"),
    path("grades/<int:business_id>/", views.grade_detail, name="grade_detail"),
    path("plan/<int:year>/", views.plan_view, name="plan"),
    path("draws/", views.draw_list, name="draw_list"),
    path("draws/<str:code>/", views.draw_detail, name="draw_detail"),
]
