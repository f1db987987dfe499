"""« Structures membres », the federation's side of joining: its members and pending
invitations (names are fine here: a federation knows who joined, it never sees values
per member), inviting a structure, resending or cancelling an invitation, removing a
member. Every member of the federation reads; its responsables manage."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pharmagarde.core.access import org_view
from pharmagarde.core.registry import FEDERATIONS

from .. import services
from ..access import get_federationmember_or_404
from ..models import FederationMember

PAGE_SIZE = 50
Status = FederationMember.Status


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Adresse électronique du responsable de la structure"),
        help_text=gettext_lazy("Le titulaire, le gérant ou le pharmacien responsable : "
                               "lui seul peut accepter au nom de sa structure."),
        error_messages={"required": gettext_lazy("Indiquez l'adresse du responsable."),
                        "invalid": gettext_lazy("Cette adresse n'est pas valide : vérifiez-"
                                                "la, par exemple titulaire@pharmacie.fr.")})


def _optional_url(name: str, slug: str) -> str:
    """The remote members' pages are another part's (remote views): linked when they
    exist."""
    try:
        return reverse(name, args=[slug])
    except NoReverseMatch:
        return ""


@org_view(audience=FEDERATIONS)
def federation_members(request):
    rows = FederationMember.objects.filter(organisation=request.organisation)
    members = rows.filter(status=Status.MEMBER).select_related("member").order_by(
        "member__name", "label", "pk")
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    invitations = Paginator(rows.filter(status=Status.INVITED).order_by("invited_email", "pk"),
                            PAGE_SIZE).get_page(request.GET.get("invitations"))
    slug = request.organisation.slug
    return render(request, "federation/members.html", {
        "page": page, "invitations": invitations, "now": timezone.now(),
        "member_count": page.paginator.count, "invitation_count": invitations.paginator.count,
        "remote_add_url": _optional_url("federation_remote_add", slug),
        "import_url": _optional_url("federation_import", slug),
    })


@org_view(audience=FEDERATIONS, manage=True)
def federation_invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_invite(acting_user=request.user, federation=request.organisation,
                                   email=form.cleaned_data["email"], request=request)
        except ValidationError as error:
            # A dict of errors lands next to its fields.
            form.add_error(None, error)
        else:
            messages.success(request, _("L'invitation est envoyée à %(email)s.")
                             % {"email": form.cleaned_data["email"]})
            return redirect("federation_members", org_slug=request.organisation.slug)
    return render(request, "federation/invite.html", {
        "form": form, "validity_days": services.INVITATION_VALIDITY.days})


def _answer(request, member_id, service, done: str):
    member = get_federationmember_or_404(request, member_id)
    try:
        service(acting_user=request.user, member=member, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"name": member.member or member.invited_email
                                          or member})
    return redirect("federation_members", org_slug=request.organisation.slug)


@org_view(audience=FEDERATIONS, manage=True)
@require_POST
def federation_invitation_resend(request, federationmember_id):
    return _answer(request, federationmember_id, services.invitation_resend,
                   _("Une nouvelle invitation est envoyée à %(name)s."))


@org_view(audience=FEDERATIONS, manage=True)
@require_POST
def federation_invitation_cancel(request, federationmember_id):
    return _answer(request, federationmember_id, services.invitation_cancel,
                   _("L'invitation de %(name)s est annulée."))


@org_view(audience=FEDERATIONS, manage=True)
@require_POST
def federation_member_remove(request, federationmember_id):
    return _answer(request, federationmember_id, services.member_remove,
                   _("%(name)s ne fait plus partie de la fédération."))


urlpatterns = [
    path("membres/", federation_members, name="federation_members"),
    path("membres/inviter/", federation_invite, name="federation_invite"),
    path("membres/<int:federationmember_id>/renvoyer/", federation_invitation_resend,
         name="federation_invitation_resend"),
    path("membres/<int:federationmember_id>/annuler/", federation_invitation_cancel,
         name="federation_invitation_cancel"),
    path("membres/<int:federationmember_id>/retirer/", federation_member_remove,
         name="federation_member_remove"),
]
