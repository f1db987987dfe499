"""What the action plan views share: the filter form, safe redirects."""

from django.shortcuts import redirect

from pharmagarde.core.redirects import safe_next_path

from ..forms import ActionFilterForm
from ..selectors import actions_for, filter_actions


def filter_form(request, **kwargs):
    return ActionFilterForm(request.GET or None, organisation=request.organisation, **kwargs)


def filtered_actions(request, with_menus=True):
    """The filter form and the organisation's actions it selects (sorted)."""
    form = filter_form(request, with_menus=with_menus)
    return form, filter_actions(actions_for(request.organisation), form.filters)


def querystring_without_page(request):
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return querystring.urlencode()


def redirect_back(request, default_name, **kwargs):
    """To `next` when it is a page of this organisation's plan, else to the named URL."""
    target = safe_next_path(request, request.POST.get("next"),
                            within=f"/o/{request.organisation.slug}/plan/")
    if target:
        return redirect(target)
    return redirect(default_name, org_slug=request.organisation.slug, **kwargs)
