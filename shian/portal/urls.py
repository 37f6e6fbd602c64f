from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
    path("samples/<int:pk>/", views.sample_detail, name="sample"),
    path("self-inspections/new/", views.self_inspection_new, name="self_inspection_new"),
    path("self-inspections/<int:pk>/file/", views.self_inspection_file, name="self_inspection_file"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("review/rectifications/", views.review_rectifications, name="review_rectifications"),
    path("review/rectifications/<int:pk>/", views.review_rectification, name="review_rectification"),
    path("review/self-inspections/", views.review_self_inspections, name="review_self_inspections"),
    path("review/self-inspections/<int:pk>/", views.review_self_inspection, name="review_self_inspection"),
    path("accounts/new/<int:business_pk>/", views.account_new, name="account_new"),
    path("register/", views.register, name="register"),
    path("review/accounts/", views.review_accounts, name="review_accounts"),
    path("review/accounts/<int:pk>/", views.review_account, name="review_account"),
]
