from django.urls import path

from . import views

urlpatterns = [
    path("mon-compte/", views.account_settings, name="account_settings"),
]
