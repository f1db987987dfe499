from django.shortcuts import render

from pharmagarde.core.access import org_view


@org_view
def assessment_list(request):
    assessments = request.organisation.assessments.all()
    return render(request, "diagnostic/assessment_list.html", {"assessments": assessments})
