"""The continuity app's overview: the plan, the backups' restore tests, the exercises."""

from django.shortcuts import render
from django.urls import path

from pharmagarde.core.access import org_view

from ..models import ContinuityPlan, CriticalActivity, Exercise, RestoreTest


@org_view
def continuity_home(request):
    organisation = request.organisation
    return render(request, "continuity/home.html", {
        "plan": ContinuityPlan.objects.filter(organisation=organisation).first(),
        "activities": CriticalActivity.objects.filter(organisation=organisation).count(),
        "last_test": RestoreTest.objects.filter(organisation=organisation).first(),
        "last_exercise": Exercise.objects.filter(organisation=organisation).first(),
    })


urlpatterns = [
    path("", continuity_home, name="continuity_home"),
]
