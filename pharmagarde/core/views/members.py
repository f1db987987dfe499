from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..access import get_membership_or_404, org_view
from ..forms import RoleForm
from ..registry import ALL


@org_view(audience=ALL)
def member_list(request):
    organisation = request.organisation
    memberships = (organisation.memberships.select_related("user")
                   .order_by("user__email"))
    invitations = (organisation.invitations.filter(accepted_at__isnull=True)
                   .select_related("invited_by") if request.membership.can_manage else [])
    return render(request, "core/member_list.html", {
        "memberships": memberships,
        "invitations": invitations,
        "role_form": RoleForm(),
    })


@org_view(manage=True, write=True, audience=ALL)
@require_POST
def member_role(request, membership_id):
    membership = get_membership_or_404(request, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un rôle dans la liste."))
        return redirect("member_list", org_slug=request.organisation.slug)
    try:
        services.membership_change_role(acting_user=request.user, membership=membership,
                                        role=form.cleaned_data["role"], request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Le rôle de %(email)s est maintenant « %(role)s ».") % {
            "email": membership.user.email, "role": membership.get_role_display()})
    return redirect("member_list", org_slug=request.organisation.slug)


@org_view(manage=True, write=True, audience=ALL)
@require_POST
def member_remove(request, membership_id):
    membership = get_membership_or_404(request, membership_id)
    leaving_myself = membership.user_id == request.user.id
    try:
        services.membership_remove(acting_user=request.user, membership=membership,
                                   request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("member_list", org_slug=request.organisation.slug)
    if leaving_myself:
        messages.success(request, _("Vous avez quitté la structure."))
        return redirect("home")
    messages.success(request, _("%(email)s n'a plus accès à la structure.")
                     % {"email": membership.user.email})
    return redirect("member_list", org_slug=request.organisation.slug)
