"""The awareness overview: the campaigns, the training, and one's own modules."""

from django.shortcuts import render
from django.urls import path

from pharmagarde.core.access import org_view

from ..models import Assignment, Campaign
from ..roles import MANAGE_ROLES, READ_ROLES


@org_view
def awareness_home(request):
    organisation = request.organisation
    role = request.membership.role
    context = {"reads_results": role in READ_ROLES, "manages": role in MANAGE_ROLES}
    if context["reads_results"]:
        context["campaigns"] = Campaign.objects.filter(organisation=organisation).count()
        context["last_campaign"] = Campaign.objects.filter(organisation=organisation).first()
        context["open_assignments"] = Assignment.objects.filter(
            organisation=organisation, completed_at=None).count()
    context["mine"] = Assignment.objects.filter(
        organisation=organisation, person__user=request.user, completed_at=None).count()
    return render(request, "awareness/home.html", context)


urlpatterns = [
    path("", awareness_home, name="awareness_home"),
]
