"""« Mes fédérations », a member organisation's side: the federations it belongs to, its
place in each (its own values next to the published figures of the same snapshot every
reader sees), the invitations waiting for its responsable (answered here by the
responsable they are addressed to, as from the mail's link), and leaving."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from pharmagarde.core.access import org_view

from .. import selectors, services
from ..access import get_own_federation_or_404, get_pending_invitation_or_404
from ..apps import READERS

ACCEPT, DECLINE = "accept", "decline"


@org_view(roles=READERS)
def federation_mine(request):
    email = (request.user.email or "").lower()
    invitations = [(invitation, request.membership.can_manage
                    and invitation.invited_email.lower() == email)
                   for invitation in selectors.pending_invitations(request.organisation)]
    return render(request, "federation/mine.html", {
        "places": selectors.places(request.organisation, timezone.now()),
        "invitations": invitations,
        "metrics": selectors.shared_metrics() if any(mine for _i, mine in invitations)
        else [],
    })


@org_view(manage=True)
@require_POST
def federation_invitation_answer(request, federationmember_id):
    """Accept (for this organisation) or decline an invitation from « Mes fédérations »:
    the same services and checks as the mail's link (invitation.py)."""
    invitation = get_pending_invitation_or_404(request, federationmember_id)
    decision = request.POST.get("decision")
    name = invitation.organisation.name
    try:
        if decision == ACCEPT:
            services.invitation_accept(acting_user=request.user, invitation=invitation,
                                       organisation=request.organisation, request=request)
            messages.success(request, _("%(org)s a rejoint la fédération %(name)s.")
                             % {"org": request.organisation.name, "name": name})
        elif decision == DECLINE:
            services.invitation_decline(acting_user=request.user, invitation=invitation,
                                        request=request)
            messages.success(request, _("Vous avez refusé l'invitation de %(name)s.")
                             % {"name": name})
        else:
            messages.error(request, _("Choisissez d'accepter ou de refuser l'invitation."))
    except services.InvitationError as error:
        messages.error(request, str(error))
    return redirect("federation_mine", org_slug=request.organisation.slug)


@org_view(manage=True)
@require_POST
def federation_leave(request, federationmember_id):
    membership = get_own_federation_or_404(request, federationmember_id)
    try:
        services.member_leave(acting_user=request.user, member=membership, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Votre structure a quitté la fédération %(name)s.")
                         % {"name": membership.organisation.name})
    return redirect("federation_mine", org_slug=request.organisation.slug)


@org_view
@require_safe
def federation_awareness_rates(request):
    """The published phishing rates of the organisation's federations, the fragment the
    awareness results load (htmx): a page of its own, so that the results page keeps its
    query budget and awareness imports nothing of the federations."""
    return render(request, "federation/_awareness_rates.html", {
        "federations": selectors.phishing_rates(request.organisation)})


def dashboard_card(request) -> dict | None:
    """The members' dashboard card, when the organisation belongs to a federation."""
    if request.membership.role not in READERS:
        return None
    names = [m.organisation.name for m in selectors.memberships_of(request.organisation)]
    return {"names": names} if names else None


urlpatterns = [
    path("mes-federations/", federation_mine, name="federation_mine"),
    path("mes-federations/<int:federationmember_id>/quitter/", federation_leave,
         name="federation_leave"),
    path("mes-federations/invitations/<int:federationmember_id>/", federation_invitation_answer,
         name="federation_invitation_answer"),
    path("mes-federations/hameconnage/", federation_awareness_rates,
         name="federation_awareness_rates"),
]
