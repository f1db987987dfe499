from django.shortcuts import render
from django.urls import path

from pharmagarde.core.access import org_view
from pharmagarde.core.registry import FEDERATIONS


@org_view(audience=FEDERATIONS)
def federation_dashboard(request):
    return render(request, "federation/dashboard.html", {})


urlpatterns = [path("", federation_dashboard, name="federation_dashboard")]
