from django.shortcuts import render

from pharmagarde.core.access import org_view


@org_view
def action_list(request):
    actions = request.organisation.actions.select_related("owner")
    return render(request, "actions/action_list.html", {"actions": actions})
