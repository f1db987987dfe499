from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..access import get_invitation_or_404, org_view
from ..forms import InvitationForm
from ..registry import ALL


@org_view(manage=True, audience=ALL)
def invitation_new(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                acting_user=request.user, organisation=request.organisation,
                email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Invitation envoyée à %(email)s. Le lien est valable "
                                        "%(days)d jours.") % {
                "email": invitation.email, "days": settings.INVITATION_VALIDITY_DAYS})
            return redirect("member_list", org_slug=request.organisation.slug)
    return render(request, "core/invitation_form.html", {
        "form": form, "validity_days": settings.INVITATION_VALIDITY_DAYS})


@org_view(manage=True, write=True, audience=ALL)
@require_POST
def invitation_revoke(request, invitation_id):
    invitation = get_invitation_or_404(request, invitation_id)
    services.invitation_revoke(acting_user=request.user, invitation=invitation,
                               request=request)
    messages.success(request, _("L'invitation de %(email)s est annulée.")
                     % {"email": invitation.email})
    return redirect("member_list", org_slug=request.organisation.slug)


def invitation_accept(request, token):
    """Anyone with the link sees whom it invites; accepting needs an account (any e-mail)."""
    try:
        invitation = services.find_invitation(token)
    except services.InvitationError as error:
        return render(request, "core/invitation_invalid.html", {"error": error}, status=410)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect("account_login")
        return _accept(request, token)
    return render(request, "core/invitation_accept.html", {"invitation": invitation})


@login_required
def _accept(request, token):
    try:
        membership = services.invitation_accept(acting_user=request.user, token=token,
                                                request=request)
    except services.InvitationError as error:
        return render(request, "core/invitation_invalid.html", {"error": error}, status=410)
    messages.success(request, _("Bienvenue dans %(org)s.") % {"org": membership.organisation})
    return redirect("dashboard", org_slug=membership.organisation.slug)
