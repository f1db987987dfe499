"""Answering a federation's invitation (/mes-structures/federations/invitation/<token>/):
the person it is addressed to, signed in, reads exactly what will be shared, picks one of
the organisations where they are responsable (never a federation) and accepts, or
declines."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core.access import account_view, memberships_allowing

from .. import services
from ..selectors import shared_metrics

RESPONSABLES = frozenset({"responsable"})


class AnswerForm(forms.Form):
    organisation = forms.TypedChoiceField(
        label=gettext_lazy("La structure qui rejoint la fédération"), coerce=int,
        widget=forms.RadioSelect, required=False,
        error_messages={"invalid_choice": gettext_lazy(
            "Choisissez une des structures dont vous êtes responsable.")})
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")],
                                 widget=forms.HiddenInput)

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(m.organisation_id, m.organisation.name)
                                               for m in memberships]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "accept" and not data.get("organisation"):
            self.add_error("organisation", _("Choisissez la structure qui rejoint la "
                                             "fédération."))
        return data


def _invalid(request, error):
    return render(request, "core/invitation_invalid.html", {"error": error}, status=410)


@account_view
def federation_invitation(request, token):
    try:
        member = services.find_invitation(token)
    except services.InvitationError as error:
        return _invalid(request, error)
    allowed = memberships_allowing(request, roles=RESPONSABLES)
    form = AnswerForm(request.POST or None, memberships=allowed)
    if request.method == "POST" and form.is_valid():
        organisations = {m.organisation_id: m.organisation for m in allowed}
        try:
            if form.cleaned_data["decision"] == "decline":
                services.invitation_decline(acting_user=request.user, token=token,
                                            request=request)
                messages.success(request, _("Vous avez refusé l'invitation de %(name)s.")
                                 % {"name": member.organisation.name})
                return redirect("home")
            organisation = organisations[form.cleaned_data["organisation"]]
            services.invitation_accept(acting_user=request.user, token=token,
                                       organisation=organisation, request=request)
        except services.InvitationError as error:
            return _invalid(request, error)
        messages.success(request, _("%(org)s a rejoint la fédération %(name)s.")
                         % {"org": organisation.name, "name": member.organisation.name})
        return redirect("federation_mine", org_slug=organisation.slug)
    return render(request, "federation/invitation.html", {
        "member": member, "form": form, "allowed": allowed, "metrics": shared_metrics(),
        "addressed_to_user": member.invited_email.lower() == (request.user.email or "").lower(),
    })
