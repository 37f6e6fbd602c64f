from django.urls import path

from . import views

urlpatterns = [
    path("audit/", views.audit_list, name="audit_list"),
    path("account/", views.account, name="account"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
