"""The data-protection overview: the register, the processors, the requests, the impact
assessments and the notices; and the profile (who the controller is, how to reach them)."""

from django.shortcuts import render
from django.urls import path

from pharmagarde.core.access import org_view

from ..models import Dpia, PersonRequest, PrivacyProfile, Processing, Processor
from ..roles import NOTICE_ROLES, READ_ROLES


@org_view(roles=NOTICE_ROLES)
def privacy_home(request):
    organisation = request.organisation
    context = {"reads_register": request.membership.role in READ_ROLES}
    if context["reads_register"]:
        context.update({
            "profile": PrivacyProfile.objects.filter(organisation=organisation).first(),
            "processings": Processing.objects.filter(organisation=organisation).count(),
            "processors": Processor.objects.filter(organisation=organisation).count(),
            "open_requests": PersonRequest.objects.filter(organisation=organisation,
                                                          answered_on=None).count(),
            "dpias": Dpia.objects.filter(organisation=organisation).count(),
        })
    return render(request, "privacy/home.html", context)


urlpatterns = [
    path("", privacy_home, name="privacy_home"),
]
