from django.shortcuts import render
from django.urls import path

from pharmagarde.core.access import org_view


@org_view
def reports_home(request):
    return render(request, "reports/home.html", {})


urlpatterns = [path("", reports_home, name="reports_home")]
