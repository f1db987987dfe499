from django.urls import path

from . import views

urlpatterns = [
    path("", views.assessment_list, name="assessment_list"),
]
