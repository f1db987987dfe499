"""The continuity plan: its page (prefilled with the activities of the organisation's kind
on the first visit of a member who can write), the checks of what is missing, the yearly
review, the crisis cell, and the form of each critical activity.

Every member reads the plan; those who can write (every role but the auditor) keep it.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pharmagarde.core.access import org_view
from pharmagarde.inventory.models import Device, Software

from .. import forms_paper, plan_services
from ..access import get_criticalactivity_or_404
from ..activities import MAX_HOURS, activity
from ..models import ContinuityPlan, CriticalActivity
from ..plan_checks import plan_activities, plan_checks


def visited_plan(request) -> ContinuityPlan | None:
    """The organisation's plan, prefilled on the first visit of a member who can write;
    None while nobody who can write has opened it."""
    plan = (ContinuityPlan.objects.select_related("reviewed_by")
            .filter(organisation=request.organisation).first())
    if plan is None and request.membership.can_write:
        plan_services.plan_prefill(organisation=request.organisation,
                                   acting_user=request.user, request=request)
        plan = (ContinuityPlan.objects.select_related("reviewed_by")
                .filter(organisation=request.organisation).first())
    return plan


# Forms --------------------------------------------------------------------------------------

def hours_field(model_field: str) -> forms.IntegerField:
    field = CriticalActivity._meta.get_field(model_field)
    return forms.IntegerField(
        label=field.verbose_name, help_text=field.help_text, required=False, min_value=0,
        max_value=MAX_HOURS, widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": gettext_lazy("Indiquez un nombre entier d'heures, par exemple 4."),
            "min_value": gettext_lazy("Un nombre d'heures ne peut pas être négatif."),
            "max_value": gettext_lazy("Au plus %(limit_value)s heures, soit un an.")})


class InventoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ActivityForm(forms.ModelForm):
    max_outage_hours = hours_field("max_outage_hours")
    max_data_loss_hours = hours_field("max_data_loss_hours")
    devices = InventoryChoiceField(
        queryset=Device.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Appareils nécessaires"),
        error_messages={"invalid_choice": gettext_lazy(
            "Choisissez parmi les appareils de l'inventaire de votre structure.")})
    software = InventoryChoiceField(
        queryset=Software.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Logiciels nécessaires"),
        error_messages={"invalid_choice": gettext_lazy(
            "Choisissez parmi les logiciels de l'inventaire de votre structure.")})
    paper_forms = forms.MultipleChoiceField(
        label=gettext_lazy("Formulaires papier du kit utilisés"), required=False,
        choices=forms_paper.choices(), widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Le kit imprimé contient une feuille de chacun, à "
                               "photocopier le jour venu."),
        error_messages={"invalid_choice": gettext_lazy(
            "Choisissez parmi les formulaires du kit.")})
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CriticalActivity
        fields = ["name", "description", "max_outage_hours", "max_data_loss_hours", "impact",
                  "impact_detail", "devices", "software", "dependencies",
                  "degraded_procedure", "roles", "return_to_normal", "paper_forms"]
        widgets = {name: forms.Textarea(attrs={"rows": rows}) for name, rows in [
            ("description", 2), ("impact_detail", 2), ("dependencies", 2),
            ("degraded_procedure", 8), ("roles", 4), ("return_to_normal", 5)]}
        error_messages = {"name": {"required": gettext_lazy("Donnez un nom à l'activité.")}}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["devices"].queryset = Device.objects.filter(
            organisation=organisation).order_by("name", "pk")
        self.fields["software"].queryset = Software.objects.filter(
            organisation=organisation).order_by("name", "pk")
        self.fields["impact"].choices = [("", _("Pas encore évalué")),
                                         *CriticalActivity.Impact.choices]
        self.fields["roles"].help_text = _("Une ligne par rôle : « Les préparateurs "
                                           "tiennent le registre de dispensation ».")
        if self.instance.pk and not self.is_bound:
            self.initial["revision"] = self.instance.revision

    @property
    def inventory_empty(self) -> bool:
        return not (self.fields["devices"].queryset.exists()
                    or self.fields["software"].queryset.exists())


class CrisisCellForm(forms.Form):
    crisis_cell = forms.CharField(
        label=ContinuityPlan._meta.get_field("crisis_cell").verbose_name, required=False,
        max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=ContinuityPlan._meta.get_field("crisis_cell").help_text,
        error_messages={"max_length": gettext_lazy(
            "Au plus %(limit_value)d caractères (vous en avez écrit %(show_value)d).")})


# Views --------------------------------------------------------------------------------------

@org_view
def continuity_plan(request):
    """The plan: its activities, what is missing, the review and the kit. A constant
    number of queries whatever the number of activities (at most MAX_ACTIVITIES)."""
    plan = visited_plan(request)
    activities = list(plan_activities(request.organisation)) if plan else []
    can_write = request.membership.can_write
    return render(request, "continuity/plan_detail.html", {
        "plan": plan, "activities": activities, "can_write": can_write,
        "checks": plan_checks(plan, activities, organisation=request.organisation,
                              now=timezone.now()) if plan else [],
        "crisis_form": CrisisCellForm(initial={"crisis_cell": plan.crisis_cell})
        if plan and can_write else None})


@org_view(write=True)
@require_POST
def continuity_plan_review(request):
    plan = visited_plan(request)
    plan_services.plan_review(acting_user=request.user, plan=plan, request=request)
    messages.success(request, _("Le plan est marqué comme revu aujourd'hui. Si vous l'avez "
                                "modifié, imprimez le nouveau kit."))
    return redirect("continuity_plan", request.organisation.slug)


@org_view(write=True)
def continuity_crisis_cell(request):
    plan = visited_plan(request)
    form = CrisisCellForm(request.POST or None, initial={"crisis_cell": plan.crisis_cell})
    if request.method == "POST" and form.is_valid():
        if plan_services.crisis_cell_save(acting_user=request.user, plan=plan,
                                          crisis_cell=form.cleaned_data["crisis_cell"],
                                          request=request):
            messages.success(request, _("Cellule de crise enregistrée."))
        return redirect(f"{_plan_url(request)}#cellule-de-crise")
    return render(request, "continuity/plan_crisis_cell.html", {"form": form},
                  status=422 if form.errors else 200)


def _plan_url(request):
    return reverse("continuity_plan", args=[request.organisation.slug])


@org_view(write=True)
def continuity_activity_add(request):
    visited_plan(request)
    activity_row = CriticalActivity(organisation=request.organisation)
    return _edit(request, activity_row)


@org_view(write=True)
def continuity_activity_edit(request, criticalactivity_id):
    return _edit(request, get_criticalactivity_or_404(request, criticalactivity_id))


def _edit(request, activity_row: CriticalActivity):
    created = activity_row.pk is None
    form = ActivityForm(request.POST or None, instance=activity_row,
                        organisation=request.organisation)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            saved = form.save(commit=False)
            try:
                plan_services.activity_save(
                    acting_user=request.user, activity=saved,
                    devices=form.cleaned_data["devices"],
                    software=form.cleaned_data["software"],
                    revision=None if created else form.cleaned_data["revision"],
                    request=request)
            except plan_services.ActivityConflict:
                status = 409
                form.add_error(None, _(
                    "Quelqu'un d'autre a modifié cette activité pendant que vous la "
                    "modifiiez. Rien n'a été enregistré : ouvrez-la à nouveau pour voir "
                    "sa version, puis refaites vos changements."))
            except (plan_services.TooManyActivities,
                    plan_services.ForeignInventoryItem) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Activité enregistrée : %(name)s.")
                                 % {"name": saved.name})
                return redirect("continuity_plan", request.organisation.slug)
    prefilled = activity(request.organisation.kind, activity_row.key) \
        if activity_row.key else None
    return render(request, "continuity/activity_form.html", {
        "form": form, "created": created, "activity": activity_row,
        "dependencies_hint": prefilled.dependencies_hint if prefilled else ""},
        status=status)


@org_view(write=True)
@require_POST
def continuity_activity_delete(request, criticalactivity_id):
    activity_row = get_criticalactivity_or_404(request, criticalactivity_id)
    plan_services.activity_delete(acting_user=request.user, activity=activity_row,
                                  request=request)
    messages.success(request, _("Activité retirée du plan : %(name)s.")
                     % {"name": activity_row.name})
    return redirect("continuity_plan", request.organisation.slug)


urlpatterns = [
    path("plan/", continuity_plan, name="continuity_plan"),
    path("plan/revu/", continuity_plan_review, name="continuity_plan_review"),
    path("plan/cellule-de-crise/", continuity_crisis_cell, name="continuity_crisis_cell"),
    path("plan/activites/ajouter/", continuity_activity_add, name="continuity_activity_add"),
    path("plan/activites/<int:criticalactivity_id>/", continuity_activity_edit,
         name="continuity_activity_edit"),
    path("plan/activites/<int:criticalactivity_id>/supprimer/", continuity_activity_delete,
         name="continuity_activity_delete"),
]
