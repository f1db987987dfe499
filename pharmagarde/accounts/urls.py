from django.urls import path

from . import views

urlpatterns = [
    path("mon-compte/", views.account_settings, name="account_settings"),
    path("double-authentification-requise/", views.mfa_required, name="mfa_required"),
]
