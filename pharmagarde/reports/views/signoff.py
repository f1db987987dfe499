"""The management's approval of the action plan (NIS2 art. 20): the plan as it stands,
a comment and a confirmation; the history of approvals. Responsables only."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core.access import org_view

from .. import selectors, services
from ..models import SignOff

PAGE_SIZE = 20


class SignOffForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Commentaire"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Facultatif : les moyens accordés, les priorités retenues, "
                               "la date de la prochaine revue."),
        error_messages={"max_length": gettext_lazy(
            "Ce commentaire est trop long : %(limit_value)s caractères au plus.")})
    # The digest of the plan the page showed: what the responsable approves.
    # Missing or different: refused as a changed plan (services.PlanChanged).
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    confirm = forms.BooleanField(
        label=gettext_lazy("J'approuve ce plan d'action au nom de la direction."),
        error_messages={"required": gettext_lazy(
            "Cochez la case pour confirmer l'approbation.")})


@org_view(manage=True)
def reports_signoff(request):
    organisation = request.organisation
    form = SignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.signoff_record(organisation=organisation, acting_user=request.user,
                                    comment=form.cleaned_data["comment"],
                                    expected_digest=form.cleaned_data["digest"],
                                    request=request)
        except services.PlanChanged as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("L'approbation du plan est enregistrée. Elle "
                                        "figurera dans chaque dossier de preuves."))
            return redirect("reports_signoff", organisation.slug)
    summary = selectors.plan_summary(organisation)
    digest = selectors.plan_digest(summary)
    if form.is_bound:
        # Shown again: the plan as it is now, with its digest, to be read and approved.
        form.data = form.data.copy()
        form.data["digest"] = digest
    else:
        form.initial["digest"] = digest
    history = Paginator(SignOff.objects.filter(organisation=organisation), PAGE_SIZE)
    page = history.get_page(request.GET.get("page"))
    latest = selectors.latest_signoff(organisation)
    return render(request, "reports/signoff.html", {
        "form": form, "summary": summary, "rows": selectors.summary_rows(summary),
        "page": page, "latest": latest,
        "changed": latest is not None and latest.plan_digest != digest})


urlpatterns = [path("approbation/", reports_signoff, name="reports_signoff")]
