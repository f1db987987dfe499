"""The project's URLs plus a bare view: the baseline every benchmark divides by."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("pharmagarde.urls")),
]
