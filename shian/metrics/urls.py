from django.urls import path

from . import views

app_name = "metrics"
urlpatterns = [
    path("", views.index_home, name="home"),
    path("<int:year>/q<int:quarter>/", views.index_quarter, name="quarter"),
    path("run/", views.index_action, name="action"),
    path("towns/<str:code>/", views.town_page, name="town"),
    path("units/<slug:code>/", views.unit_page, name="unit"),
]
