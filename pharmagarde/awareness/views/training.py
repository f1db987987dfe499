"""The e-learning under /o/<org_slug>/sensibilisation/formation/: the training dashboard
and its Excel export (read by READ_ROLES), assigning modules (MANAGE_ROLES), « Mes
formations » and the module pages (every member, through the Person their account is linked
to), and the certificates."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from pharmagarde.core import audit, documents
from pharmagarde.core.access import org_view
from pharmagarde.core.exports import attachment
from pharmagarde.core.models import Person

from .. import modules, training_services
from ..access import get_assignment_or_404
from ..models import Assignment, StaffGroup
from ..roles import MANAGE_ROLES, READ_ROLES

PAGE_SIZE = 50
# ?etat= on the dashboard.
STATES = {
    "": gettext_lazy("Tout le monde"),
    "en-retard": gettext_lazy("En retard"),
    "a-faire": gettext_lazy("Un module à faire"),
    "a-jour": gettext_lazy("À jour"),
}
DATE_INPUT = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
              "input_formats": ["%Y-%m-%d", "%d/%m/%Y"]}


# ------------------------------------------------------------------------------- forms

class QuizForm(forms.Form):
    """One field per question: radio buttons, or check boxes when several choices are
    right. Every question needs an answer."""

    def __init__(self, *args, module: modules.Module, **kwargs):
        super().__init__(*args, **kwargs)
        self.module = module
        for number, question in enumerate(module.questions, start=1):
            choices = [(choice.id, choice.text) for choice in question.choices]
            kind = forms.MultipleChoiceField if question.multiple else forms.ChoiceField
            widget = (forms.CheckboxSelectMultiple if question.multiple
                      else forms.RadioSelect)
            self.fields[question.id] = kind(
                label=f"{number}. {question.text}", choices=choices, widget=widget,
                help_text=_("Plusieurs réponses sont justes : cochez-les toutes.")
                if question.multiple else "",
                error_messages={"required": _("Répondez à cette question."),
                                "invalid_choice": _("Choisissez une réponse de la liste."),
                                "invalid_list": _("Choisissez une réponse de la liste.")})

    def answers(self) -> dict[str, set[str]]:
        return {key: set(value) if isinstance(value, list) else {value}
                for key, value in self.cleaned_data.items()}


class ModuleChoiceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class PersonChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, person):
        return f"{person} — {person.job}" if person.job else str(person)


class AssignForm(forms.Form):
    modules = ModuleChoiceField(
        label=gettext_lazy("Modules"),
        error_messages={"required": gettext_lazy("Choisissez au moins un module."),
                        "invalid_choice": gettext_lazy("Choisissez des modules de la "
                                                       "liste.")})
    people = PersonChoiceField(
        label=gettext_lazy("Personnes"), queryset=Person.objects.none(), required=False,
        error_messages={"invalid_choice": gettext_lazy("Choisissez des personnes de la "
                                                       "liste."),
                        "invalid_pk_value": gettext_lazy("Choisissez des personnes de la "
                                                         "liste.")})
    groups = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Groupes"), queryset=StaffGroup.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("Choisissez des groupes de la "
                                                       "liste."),
                        "invalid_pk_value": gettext_lazy("Choisissez des groupes de la "
                                                         "liste.")})
    jobs = forms.MultipleChoiceField(
        label=gettext_lazy("Fonctions"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Toute l'équipe de ces fonctions, telle que l'annuaire du "
                               "personnel la décrit."),
        error_messages={"invalid_choice": gettext_lazy("Choisissez des fonctions de la "
                                                       "liste.")})
    due_on = forms.DateField(
        label=gettext_lazy("À faire avant le"),
        error_messages={"required": gettext_lazy("Indiquez la date avant laquelle le module "
                                                 "est à faire."),
                        "invalid": gettext_lazy("Indiquez une date, par exemple "
                                                "05/01/2026.")}, **DATE_INPUT)

    def __init__(self, *args, organisation, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation, self.today = organisation, today
        self.fields["modules"].choices = [(module.key, module.title)
                                          for module in modules.modules()]
        self.fields["people"].queryset = training_services.directory(organisation,
                                                                     today=today)
        self.fields["groups"].queryset = StaffGroup.objects.filter(organisation=organisation)
        self.fields["jobs"].choices = [(job, job) for job in
                                       training_services.jobs(organisation)]

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < self.today:
            raise forms.ValidationError(_("Cette date est passée : choisissez une date à "
                                          "venir."))
        return due_on

    def clean(self):
        data = super().clean()
        if not (data.get("people") or data.get("groups") or data.get("jobs")) \
                and not self.has_error("people"):
            self.add_error("people", _("Choisissez au moins une personne, un groupe ou une "
                                       "fonction."))
        return data

    def targets(self) -> list[Person]:
        data = self.cleaned_data
        chosen = {person.pk: person for person in data["people"]}
        for group in data["groups"].prefetch_related("members"):
            chosen.update({person.pk: person for person in group.members.all()})
        if data["jobs"]:
            chosen.update({person.pk: person for person in Person.objects.filter(
                organisation=self.organisation, job__in=data["jobs"])})
        return list(chosen.values())


# ---------------------------------------------------------------------------- dashboard

def _dashboard_people(request, today):
    job = request.GET.get("fonction", "")
    state = request.GET.get("etat", "")
    if state not in STATES:
        state = ""
    people = training_services.directory(request.organisation, today=today, job=job,
                                         state=state)
    return people, job, state


@org_view(roles=READ_ROLES)
@require_safe
def awareness_training(request):
    """Who is due, late, done; each module's progress. Five queries, whatever the size."""
    today = timezone.localdate()
    people, job, state = _dashboard_people(request, today)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {key: value for key, value in (("fonction", job), ("etat", state)) if value}
    return render(request, "awareness/training_dashboard.html", {
        "page": page, "rows": training_services.person_rows(page.object_list, today=today),
        "module_rows": training_services.module_rows(request.organisation),
        "states": STATES.items(), "state": state, "job": job,
        "jobs": training_services.jobs(request.organisation), "year": today.year,
        "querystring": urlencode(filters), "filters": filters,
        "manages": request.membership.role in MANAGE_ROLES,
    })


def _hours(row) -> float:
    return float(row.hours)


@org_view(roles=READ_ROLES)
@require_safe
def awareness_training_xlsx(request):
    today = timezone.localdate()
    people, _job, _state = _dashboard_people(request, today)
    rows = training_services.person_rows(people, today=today)
    columns = [
        documents.Column(_("Nom"), 22, lambda row: row.person.last_name),
        documents.Column(_("Prénom"), 18, lambda row: row.person.first_name),
        documents.Column(_("Fonction"), 20, lambda row: row.person.job),
        documents.Column(_("Modules à faire"), 12, lambda row: row.due),
        documents.Column(_("Modules en retard"), 12, lambda row: row.late),
        documents.Column(_("Modules réussis"), 12, lambda row: row.done),
        documents.Column(_("Score moyen (%)"), 12, lambda row: row.score),
        documents.Column(_("Heures de formation en %(year)s") % {"year": today.year}, 14,
                         _hours),
    ]
    content = documents.xlsx([documents.Sheet(_("Formation"), columns, rows)],
                             title=_("Suivi de la formation — %(name)s")
                             % {"name": request.organisation.name})
    audit.record("awareness.training_exported", actor=request.user,
                 organisation=request.organisation, request=request,
                 details={"format": "xlsx", "rows": len(rows)})
    response = HttpResponse(content, content_type=documents.XLSX_TYPE)
    response["Content-Disposition"] = attachment("suivi-formation", "xlsx")
    return response


@org_view(roles=MANAGE_ROLES, write=True)
def awareness_training_assign(request):
    today = timezone.localdate()
    form = AssignForm(request.POST or None, organisation=request.organisation, today=today,
                      initial={"due_on": today + datetime.timedelta(days=30)})
    if request.method == "POST" and form.is_valid():
        people = form.targets()
        count = sum(training_services.assign(
            acting_user=request.user, organisation=request.organisation, people=people,
            module=key, due_on=form.cleaned_data["due_on"], request=request)
            for key in form.cleaned_data["modules"])
        if count:
            messages.success(request, ngettext(
                "%(count)d formation assignée.", "%(count)d formations assignées.", count)
                % {"count": count})
        else:
            messages.info(request, _("Rien de nouveau à assigner : ces personnes ont déjà ces "
                                     "modules à faire, ou ont quitté la structure."))
        return redirect("awareness_training", request.organisation.slug)
    return render(request, "awareness/training_assign.html", {"form": form})


# ------------------------------------------------------------------- one's own training

def own_person(request) -> Person | None:
    """The directory's record of the signed-in member in this organisation, if any."""
    return Person.objects.filter(organisation=request.organisation, user=request.user).first()


@org_view
@require_safe
def awareness_my_training(request):
    person = own_person(request)
    assignments = []
    if person is not None:
        assignments = list(Assignment.objects.filter(person=person)
                           .order_by("completed_at", "due_on", "pk"))
    today = timezone.localdate()
    open_keys = {item.module for item in assignments if item.completed_at is None}
    return render(request, "awareness/training_mine.html", {
        "person": person, "today": today,
        "open": [(item, modules.module(item.module)) for item in assignments
                 if item.completed_at is None and item.module in modules.KEYS],
        "done": [(item, modules.module(item.module)) for item in assignments
                 if item.completed_at is not None and item.module in modules.KEYS],
        "catalogue": [module for module in modules.modules() if module.key not in open_keys],
    })


def get_module_or_404(key: str) -> modules.Module:
    if key not in modules.KEYS:
        raise Http404
    return modules.module(key)


@org_view
@require_POST
def awareness_module_start(request, key):
    module = get_module_or_404(key)
    person = own_person(request)
    if person is not None:
        training_services.start(person=person, module_key=module.key)
    return redirect("awareness_module", request.organisation.slug, module.key)


def module_page(request, *, module: modules.Module, assignment: Assignment | None,
                template: str, context: dict, **recording):
    """The lesson and the quiz (GET), or the graded attempt (POST): shared by the members'
    module page and the personal link. `recording`: what complete() needs besides the
    assignment, or no assignment at all when the attempt is not recorded."""
    form = QuizForm(request.POST or None, module=module)
    grade = None
    if request.method == "POST" and form.is_valid():
        if assignment is not None:
            grade = training_services.complete(assignment=assignment, answers=form.answers(),
                                               request=request, **recording)
        else:
            grade = modules.grade(module, form.answers())
    return render(request, template, {**context, "module": module, "form": form,
                                      "grade": grade, "assignment": assignment})


@org_view
def awareness_module(request, key):
    module = get_module_or_404(key)
    person = own_person(request)
    assignment = None
    if person is not None:
        mine = Assignment.objects.filter(person=person, module=module.key)
        # The open one, else the latest passed (NULLs sort differently across databases).
        last = (mine.filter(completed_at=None).first()
                or mine.order_by("-completed_at", "-pk").first())
        if request.method == "POST" and (last is None or last.completed_at is not None):
            last = training_services.start(person=person, module_key=module.key)
        assignment = last
    certificate_url = (reverse("awareness_certificate",
                               args=[request.organisation.slug, assignment.pk])
                       if assignment is not None else "")
    return module_page(request, module=module, assignment=assignment,
                       template="awareness/training_module.html",
                       context={"person": person, "certificate_url": certificate_url},
                       acting_user=request.user)


# ------------------------------------------------------------------------- certificates

def certificate_response(request, assignment: Assignment, *, acting_user=None,
                         actor_label: str = ""):
    """The PDF of a passed assignment (404 otherwise), audited."""
    if assignment.completed_at is None or assignment.module not in modules.KEYS:
        raise Http404
    module = modules.module(assignment.module)
    context = {"assignment": assignment, "module": module, "person": assignment.person,
               "current_organisation": assignment.organisation, "now": timezone.now()}
    return documents.pdf_response(
        request, "awareness/pdf/certificate.html", context,
        stem=f"attestation-{assignment.module}",
        audited=lambda: audit.record(
            "awareness.certificate_downloaded", actor=acting_user, actor_label=actor_label,
            organisation=assignment.organisation, obj=assignment, request=request,
            details={"module": assignment.module}))


@org_view
@require_safe
def awareness_certificate(request, assignment_id):
    """Readers of the training see everyone's; a member, their own."""
    assignment = get_assignment_or_404(request, assignment_id)
    if (request.membership.role not in READ_ROLES
            and assignment.person.user_id != request.user.pk):
        raise PermissionDenied(_("Cette attestation est celle d'une autre personne."))
    return certificate_response(request, assignment, acting_user=request.user)


urlpatterns = [
    path("formation/", awareness_training, name="awareness_training"),
    path("formation/export.xlsx", awareness_training_xlsx, name="awareness_training_xlsx"),
    path("formation/assigner/", awareness_training_assign, name="awareness_training_assign"),
    path("formation/mes-formations/", awareness_my_training, name="awareness_my_training"),
    path("formation/modules/<slug:key>/", awareness_module, name="awareness_module"),
    path("formation/modules/<slug:key>/commencer/", awareness_module_start,
         name="awareness_module_start"),
    path("formation/<int:assignment_id>/attestation.pdf", awareness_certificate,
         name="awareness_certificate"),
]
