from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from ..models import Membership


@login_required
def home(request):
    """Send the user to the organisation they asked for, last used, or only have."""
    memberships = list(
        Membership.objects.filter(user=request.user).select_related("organisation")
    )
    slugs = [m.organisation.slug for m in memberships]
    wanted = request.GET.get("o") or request.session.get("current_org")
    if wanted in slugs:
        return redirect("dashboard", org_slug=wanted)
    if len(memberships) == 1:
        return redirect("dashboard", org_slug=slugs[0])
    return render(request, "core/home.html", {"memberships": memberships})
