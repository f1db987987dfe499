from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import services
from ..access import org_view
from ..forms import OrganisationForm
from ..registry import ALL


@login_required
def organisation_new(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        organisation = services.organisation_create(
            acting_user=request.user, request=request, **fields
        )
        messages.success(request, _("La structure « %(name)s » est créée. Vous en êtes le "
                                    "responsable.") % {"name": organisation.name})
        return redirect("dashboard", org_slug=organisation.slug)
    return render(request, "core/organisation_form.html", {"form": form, "creating": True})


@org_view(manage=True, audience=ALL)
def organisation_edit(request):
    form = OrganisationForm(request.POST or None, instance=request.organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_update(acting_user=request.user, organisation=form.instance,
                                     changed=form.changed_data, request=request)
        messages.success(request, _("La fiche de la structure est enregistrée."))
        return redirect("organisation_edit", org_slug=request.organisation.slug)
    return render(request, "core/organisation_form.html", {"form": form})
