from django.shortcuts import render
from django.urls import path

from pharmagarde.core.access import org_view
from pharmagarde.core.registry import FEDERATIONS


@org_view(audience=FEDERATIONS)
def federation_members(request):
    return render(request, "federation/members.html", {})


urlpatterns = [path("membres/", federation_members, name="federation_members")]
