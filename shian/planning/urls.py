from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("", views.plan_home, name="home"),
    path("<int:year>/", views.overview, name="overview"),
    path("<int:year>/targets/<int:target_id>/", views.target_detail, name="target"),
    path("<int:year>/reports/", views.report_list, name="reports"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("<int:year>/notices/", views.notice_list, name="notices"),
    path("<int:year>/figures/", views.figure_list, name="figures"),
    path("<int:year>/sampling/", views.sampling_plan, name="sampling"),
    path("<int:year>/sampling/cells/", views.sampling_cells, name="sampling_cells"),
]
