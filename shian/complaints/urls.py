from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_new, name="new"),
    path("import/", views.complaint_import, name="import"),
    path("import/template.xlsx", views.complaint_import_template, name="import_template"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/take/", views.complaint_take, name="take"),
    path("<int:pk>/transition/", views.complaint_transition, name="transition"),
    path("<int:pk>/route/", views.complaint_route, name="route"),
    path("<int:pk>/reward/", views.complaint_reward, name="reward"),
]
