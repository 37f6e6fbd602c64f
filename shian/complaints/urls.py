from django.urls import path

from . import views, views_participation

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
    path("surveys/", views_participation.surveys, name="surveys"),
    path("votes/", views_participation.votes, name="votes"),
    path("votes/<int:pk>/publish/", views_participation.vote_publish, name="vote_publish"),
    path("lists/", views_participation.lists, name="lists"),
    path("lists/<int:pk>/reply/", views_participation.list_reply, name="list_reply"),
    path("lists/<int:pk>/answer/", views_participation.list_answer, name="list_answer"),
    path("checks/", views_participation.checks, name="checks"),
]
