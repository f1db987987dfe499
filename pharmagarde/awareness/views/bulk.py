"""Awareness across one's organisations, under /mes-structures/sensibilisation/
(core.access.account_view): assigning a module to the staff of several organisations, and
preparing the same phishing campaign as a draft in several of them.

Each page offers the organisations where the user's own role may do it (roles.MANAGE_ROLES,
not read only: core.access.memberships_allowing), shows a preview (how many people in
each), then acts on confirmation through bulk_services, and lists per organisation what
was done or why not on a result page it redirects to (kept in the session under a one-time
key: reloading it does nothing again). An organisation id in the POST outside those is
refused and said so; nothing is done there."""

import dataclasses
import datetime
import secrets

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from pharmagarde.core.access import account_view, memberships_allowing

from .. import bulk_services, library, modules
from ..roles import MANAGE_ROLES
from . import training

ALL_STAFF, BY_JOB = "tous", "fonction"
# The results kept in the session, the latest last; the oldest are dropped beyond KEPT.
RESULTS_KEY = "awareness_bulk_results"
KEPT = 5


class OrganisationsField(forms.MultipleChoiceField):
    """The organisations chosen, as ids. Any id is taken, so that one outside the choices
    (a forged POST) is answered in the result, organisation by organisation, rather than
    by an error that hides which one was refused."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        values = super().to_python(value)
        # isascii: "²".isdigit() is True, and int("²") fails.
        if any(not (item.isascii() and item.isdigit()) or len(item) > 18 for item in values):
            raise forms.ValidationError(_("Choisissez des structures de la liste."))
        return values

    def valid_value(self, value):
        return True

    def clean(self, value):
        return [int(item) for item in super().clean(value)]


class BulkForm(forms.Form):
    """The organisations to act in, among `allowed` (the memberships whose role may)."""

    organisations = OrganisationsField(
        label=gettext_lazy("Structures"),
        error_messages={"required": gettext_lazy("Choisissez au moins une structure.")})
    # Why an organisation the user belongs to, but where their role may not, is refused.
    refused_text = ""

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed
        self.fields["organisations"].choices = [
            (m.organisation_id, m.organisation.name) for m in allowed]

    def chosen(self) -> list:
        """The organisations chosen among those allowed, in the order of the page."""
        wanted = set(self.cleaned_data["organisations"])
        return [m.organisation for m in self.allowed if m.organisation_id in wanted]

    def refused(self, memberships) -> list:
        return bulk_services.refusals(memberships, self.allowed,
                                      self.cleaned_data["organisations"],
                                      refused_text=str(self.refused_text))


class AssignForm(BulkForm):
    module = forms.ChoiceField(
        label=gettext_lazy("Module"),
        error_messages={"required": gettext_lazy("Choisissez un module."),
                        "invalid_choice": gettext_lazy("Choisissez un module de la liste.")})
    # The date and its rule (not in the past) are those of the one-organisation form.
    due_on = training.AssignForm.base_fields["due_on"]
    clean_due_on = training.AssignForm.clean_due_on
    target = forms.ChoiceField(
        label=gettext_lazy("Qui"), widget=forms.RadioSelect, initial=ALL_STAFF,
        choices=[(ALL_STAFF, gettext_lazy("Toute l'équipe encore présente de chaque "
                                          "structure")),
                 (BY_JOB, gettext_lazy("Les personnes d'une fonction"))],
        error_messages={"required": gettext_lazy("Choisissez qui suit le module."),
                        "invalid_choice": gettext_lazy("Choisissez qui suit le module.")})
    job = forms.ChoiceField(
        label=gettext_lazy("Fonction"), required=False,
        help_text=gettext_lazy("Telle que la liste du personnel de chaque structure la décrit."),
        error_messages={"invalid_choice": gettext_lazy("Choisissez une fonction de la "
                                                       "liste.")})
    field_order = ["module", "due_on", "target", "job", "organisations"]
    refused_text = gettext_lazy("Votre rôle dans cette structure ne permet pas d'assigner des "
                                "formations : rien n'y a été fait.")

    def __init__(self, *args, allowed, jobs, today: datetime.date, **kwargs):
        super().__init__(*args, allowed=allowed, **kwargs)
        self.today = today
        self.fields["module"].choices = [("", _("Choisissez…"))] + [
            (module.key, module.title) for module in modules.modules()]
        self.fields["job"].choices = [("", _("Choisissez…"))] + [(job, job) for job in jobs]

    def clean(self):
        data = super().clean()
        if data.get("target") == BY_JOB and not data.get("job") and not self.has_error("job"):
            self.add_error("job", _("Choisissez la fonction des personnes visées."))
        if data.get("target") != BY_JOB:
            data["job"] = ""
        return data


class CampaignForm(BulkForm):
    template = forms.ChoiceField(
        label=gettext_lazy("Faux message envoyé"),
        error_messages={"required": gettext_lazy("Choisissez le modèle."),
                        "invalid_choice": gettext_lazy("Choisissez un modèle de la liste.")})
    name = forms.CharField(
        label=gettext_lazy("Nom de la campagne"), max_length=150, required=False,
        help_text=gettext_lazy("Pour vous : l'équipe ne le voit pas. Vide : le nom du "
                               "modèle et la date."))
    field_order = ["template", "name", "organisations"]
    refused_text = gettext_lazy("Votre rôle dans cette structure ne permet pas de préparer "
                                "des campagnes : rien n'y a été fait.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", _("Choisissez…"))] + [
            (item.key, f"{item.name} ({item.difficulty_label})")
            for item in library.templates()]

    def campaign_name(self) -> str:
        data = self.cleaned_data
        return data["name"].strip() or _("%(template)s — %(date)s") % {
            "template": library.template(data["template"]).name,
            "date": timezone.localdate().strftime("%d/%m/%Y")}


def _allowed(request) -> list:
    allowed = memberships_allowing(request, roles=MANAGE_ROLES, write=True)
    if not allowed:
        raise PermissionDenied(_("Votre rôle ne permet cela dans aucune de vos structures : "
                                 "il faut y être responsable ou référent cybersécurité."))
    return allowed


def portfolio_links(request) -> list[tuple[str, str]]:
    """The links to these pages on the page across one's organisations
    (core.portfolio.account_links): none where the user's role allows them nowhere."""
    if not memberships_allowing(request, roles=MANAGE_ROLES, write=True):
        return []
    return [(_("Assigner un module à plusieurs structures"), reverse("awareness_bulk_assign")),
            (_("Préparer une campagne dans plusieurs structures"),
             reverse("awareness_bulk_campaign"))]


def _hidden(form) -> list[tuple[str, str]]:
    """The values of a previewed form, for its confirmation form."""
    return [(name, value) for name in form.fields for value in form.data.getlist(name)]


def _keep_result(request, result: dict) -> str:
    """Keep `result` (JSON-able) in the session under a new key, and return the key."""
    kept = request.session.get(RESULTS_KEY, {})
    key = secrets.token_urlsafe(12)
    kept[key] = result
    request.session[RESULTS_KEY] = dict(list(kept.items())[-KEPT:])
    return key


def _outcomes(items) -> list[dict]:
    return [dataclasses.asdict(item) for item in items]


def _bulk_page(request, form, *, template: str, preview, act):
    """The form (on GET, or with its errors), then its preview, then on confirmation a
    redirect to the result page: `preview()` and `act()` return what they add to the page
    (act: its title, summary, outcomes, and `campaigns`)."""
    if request.method != "POST" or not form.is_valid():
        return render(request, template, {"form": form}, status=422 if form.errors else 200)
    context = {"form": form, "refused": form.refused(request.memberships)}
    if "confirmer" not in request.POST:
        return render(request, template, {**context, "hidden": _hidden(form), **preview()})
    done = act()
    key = _keep_result(request, {
        "title": str(done["title"]), "summary": str(done["summary"]),
        "campaigns": bool(done.get("campaigns")), "outcomes": _outcomes(done["outcomes"]),
        "refused": _outcomes(context["refused"])})
    return redirect("awareness_bulk_result", key=key)


@account_view
@require_safe
def awareness_bulk_result(request, key):
    """What a confirmation did, organisation by organisation (its session's own keys)."""
    result = request.session.get(RESULTS_KEY, {}).get(key)
    if result is None:
        raise Http404(_("Ce résultat n'est plus disponible."))
    return render(request, "awareness/bulk_result.html", {
        **result,
        "outcomes": [bulk_services.Outcome(**item) for item in result["outcomes"]],
        "refused": [bulk_services.Outcome(**item) for item in result["refused"]]})


@account_view
def awareness_bulk_assign(request):
    allowed = _allowed(request)
    today = timezone.localdate()
    form = AssignForm(request.POST or None, allowed=allowed, today=today,
                      jobs=bulk_services.jobs([m.organisation for m in allowed]),
                      initial={"due_on": today + datetime.timedelta(days=30)})

    def preview():
        data = form.cleaned_data
        return {"module": modules.module(data["module"]), "preview": bulk_services.assign_preview(
            organisations=form.chosen(), module=data["module"], job=data["job"], today=today)}

    def act():
        data = form.cleaned_data
        outcomes = bulk_services.bulk_assign(
            acting_user=request.user, organisations=form.chosen(), module=data["module"],
            due_on=data["due_on"], job=data["job"], request=request)
        return {"title": _("Assignation de « %(module)s »")
                % {"module": modules.module(data["module"]).title},
                "outcomes": outcomes, "summary": bulk_services.summary(outcomes)}

    return _bulk_page(request, form, template="awareness/bulk_assign.html", preview=preview,
                      act=act)


@account_view
def awareness_bulk_campaign(request):
    form = CampaignForm(request.POST or None, allowed=_allowed(request))

    def preview():
        return {"name": form.campaign_name(), "preview": bulk_services.campaign_preview(
            organisations=form.chosen(), template_key=form.cleaned_data["template"])}

    def act():
        template = library.template(form.cleaned_data["template"])
        outcomes = bulk_services.bulk_campaign(
            acting_user=request.user, organisations=form.chosen(), template_key=template.key,
            name=form.campaign_name(), request=request)
        return {"title": _("Campagne « %(template)s »") % {"template": template.name},
                "outcomes": outcomes, "campaigns": True,
                "summary": bulk_services.summary(outcomes, campaigns=True)}

    return _bulk_page(request, form, template="awareness/bulk_campaign.html", preview=preview,
                      act=act)


urlpatterns = [
    path("formation/", awareness_bulk_assign, name="awareness_bulk_assign"),
    path("campagnes/", awareness_bulk_campaign, name="awareness_bulk_campaign"),
    path("resultat/<slug:key>/", awareness_bulk_result, name="awareness_bulk_result"),
]
