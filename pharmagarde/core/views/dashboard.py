from django.shortcuts import render

from ..access import org_view
from ..selectors import dashboard_diagnostic, dashboard_plan, dashboard_todo


@org_view
def dashboard(request):
    return render(request, "core/dashboard.html", {
        "todo": dashboard_todo(request),
        "diagnostic": dashboard_diagnostic(request.organisation),
        "plan": dashboard_plan(request.organisation),
    })
