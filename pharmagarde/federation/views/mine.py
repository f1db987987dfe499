from django.shortcuts import render
from django.urls import path

from pharmagarde.core.access import org_view
from pharmagarde.core.registry import MEMBERS


@org_view(audience=MEMBERS)
def federation_mine(request):
    return render(request, "federation/mine.html", {})


urlpatterns = [path("mes-federations/", federation_mine, name="federation_mine")]
