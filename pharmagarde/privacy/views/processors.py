"""The processors and their contracts (art. 28 GDPR): the list, one processor (its clause
checklist with the model clauses to copy, its remote access, the inventory items it uses,
its findings and history), adding, changing, reviewing and removing one, and the page of
every model clause to send to a provider. Read by READ_ROLES, written by WRITE_ROLES."""

import copy

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pharmagarde.core.access import org_view
from pharmagarde.core.versioning import display_value
from pharmagarde.inventory.models import Account, Software

from .. import processor_services as services
from ..access import get_processor_or_404
from ..contracts import CLAUSES, REMOTE_CONDITIONS, applicable_clauses, checklist
from ..models import PrivacyVersion, Processor
from ..roles import READ_ROLES, WRITE_ROLES

PAGE_SIZE = 50
DATE_INPUT = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
              "input_formats": ["%Y-%m-%d", "%d/%m/%Y"]}
INVALID_DATE = gettext_lazy("Indiquez une date, par exemple 05/01/2026.")
NOT_CHECKED = gettext_lazy("Pas vérifié")
DONT_KNOW = gettext_lazy("Je ne sais pas")


def _true(value: str) -> bool:
    return value == "True"


def answer_field(label, *, help_text="", unknown=NOT_CHECKED):
    """Oui / Non / <unknown> as radio buttons: True, False or None."""
    return forms.TypedChoiceField(
        label=label, help_text=help_text, required=False, coerce=_true, empty_value=None,
        choices=[("True", gettext_lazy("Oui")), ("False", gettext_lazy("Non")),
                 ("", unknown)],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("Choisissez une des réponses "
                                                       "proposées.")})


def label(name: str):
    return Processor._meta.get_field(name).verbose_name


def inventory_field(name: str, *, help_text, refused):
    """Checkboxes over the organisation's own inventory items (set in the form's
    __init__); any other id is refused with `refused`."""
    return forms.ModelMultipleChoiceField(
        label=label(name), help_text=help_text, required=False,
        queryset=Processor._meta.get_field(name).related_model.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": refused, "invalid_pk_value": refused})


def not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("Cette date est dans le futur."))


class ProcessorForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    hds_certified = answer_field(
        label("hds_certified"),
        help_text=Processor._meta.get_field("hds_certified").help_text,
        unknown=DONT_KNOW)
    outside_eea = answer_field(label("outside_eea"), unknown=DONT_KNOW)
    remote_access = answer_field(
        label("remote_access"),
        help_text=gettext_lazy("Le prestataire se connecte-t-il à vos postes ou à vos "
                               "serveurs depuis ses locaux (prise en main, VPN) ?"),
        unknown=DONT_KNOW)
    contract_signed_on = forms.DateField(
        label=label("contract_signed_on"), required=False,
        validators=[not_in_future], error_messages={"invalid": INVALID_DATE}, **DATE_INPUT)
    reviewed_on = forms.DateField(
        label=label("reviewed_on"), required=False,
        validators=[not_in_future], error_messages={"invalid": INVALID_DATE},
        help_text=gettext_lazy("La dernière fois que quelqu'un a relu le contrat."),
        **DATE_INPUT)
    review_every_months = forms.IntegerField(
        label=label("review_every_months"), min_value=1,
        max_value=60, initial=12,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": gettext_lazy("Indiquez tous les combien de mois revoir "
                                                 "le contrat, par exemple 12."),
                        "invalid": gettext_lazy("Indiquez un nombre de mois, en chiffres, "
                                                "par exemple 12."),
                        "min_value": gettext_lazy("Au moins un mois."),
                        "max_value": gettext_lazy("Au plus 60 mois (cinq ans).")})
    software = inventory_field(
        "software", help_text=gettext_lazy("Les logiciels de votre inventaire que ce "
                                           "prestataire fournit ou maintient."),
        refused=gettext_lazy("Choisissez des logiciels de votre inventaire."))
    accounts = inventory_field(
        "accounts", help_text=gettext_lazy("Les comptes de votre inventaire que ce "
                                           "prestataire utilise, par exemple son accès de "
                                           "prise en main à distance."),
        refused=gettext_lazy("Choisissez des comptes de votre inventaire."))

    class Meta:
        model = Processor
        fields = ["name", "service", "description", "contact", "health_data",
                  "hds_certified", "outside_eea", "contract_signed_on", "contract_reference",
                  "review_every_months", "reviewed_on", "remote_access", "software",
                  "accounts", "notes"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),
                   "notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"name": gettext_lazy("La société : « Pharmagest », « Dupont "
                                           "Informatique »…"),
                      "description": gettext_lazy("Par exemple : héberge la base du LGO et "
                                                  "ses sauvegardes.")}
        error_messages = {"name": {"required": gettext_lazy("Indiquez le nom du "
                                                            "prestataire.")},
                          "service": {"required": gettext_lazy("Choisissez le service "
                                                               "rendu."),
                                      "invalid_choice": gettext_lazy("Choisissez un service "
                                                                     "de la liste.")}}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].initial = self.instance.revision
        self.fields["software"].queryset = Software.objects.filter(organisation=organisation)
        self.fields["accounts"].queryset = (Account.objects.filter(organisation=organisation)
                                            .order_by("system", "login", "pk"))
        clauses = checklist(self.instance.clauses, CLAUSES)
        for clause in CLAUSES:
            self.fields[f"clause_{clause.id}"] = answer_field(
                clause.label, help_text=format_lazy("{} ({})", clause.explanation,
                                                    clause.article))
            self.initial.setdefault(f"clause_{clause.id}", clauses[clause.id])
        conditions = checklist(self.instance.remote_conditions, REMOTE_CONDITIONS)
        for condition in REMOTE_CONDITIONS:
            self.fields[f"remote_{condition.id}"] = answer_field(
                condition.label, help_text=condition.explanation)
            self.initial.setdefault(f"remote_{condition.id}", conditions[condition.id])

    def fieldset(self, *names):
        return [self[name] for name in names]

    def clause_fields(self):
        return [self[f"clause_{clause.id}"] for clause in CLAUSES]

    def remote_fields(self):
        return [self[f"remote_{condition.id}"] for condition in REMOTE_CONDITIONS]

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.FIELDS}

    def clauses(self) -> dict:
        return {clause.id: self.cleaned_data[f"clause_{clause.id}"] for clause in CLAUSES}

    def remote_conditions(self) -> dict:
        return {condition.id: self.cleaned_data[f"remote_{condition.id}"]
                for condition in REMOTE_CONDITIONS}


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label=gettext_lazy("Contrat revu le"), validators=[not_in_future],
        error_messages={"required": gettext_lazy("Indiquez la date de la revue."),
                        "invalid": INVALID_DATE}, **DATE_INPUT)


def _answer(value) -> str:
    return {True: _("Oui"), False: _("Non")}.get(value, _("Pas vérifié"))


def conflict_rows(current: Processor, form: ProcessorForm) -> list[tuple]:
    """(label, the saved value, the value this person typed) for each field that differs."""
    rows = []
    yours = copy.copy(current)
    for name, value in form.values().items():
        if getattr(current, name) != value:
            setattr(yours, name, value)
            rows.append((form.fields[name].label, display_value(current, name),
                         display_value(yours, name)))
    saved = {**{f"clause_{key}": value for key, value in
                checklist(current.clauses, CLAUSES).items()},
             **{f"remote_{key}": value for key, value in
                checklist(current.remote_conditions, REMOTE_CONDITIONS).items()}}
    for name, value in saved.items():
        if form.cleaned_data[name] != value:
            rows.append((form.fields[name].label, _answer(value),
                         _answer(form.cleaned_data[name])))
    for name in ("software", "accounts"):
        theirs, typed = set(getattr(current, name).all()), set(form.cleaned_data[name])
        if theirs != typed:
            rows.append((form.fields[name].label, services._names(theirs),
                         services._names(typed)))
    return rows


def _can_edit(request) -> bool:
    return request.membership.role in WRITE_ROLES


@org_view(roles=READ_ROLES)
def processor_list(request):
    """The processors with their findings: four queries whatever their number."""
    processors = Processor.objects.filter(organisation=request.organisation)
    service = request.GET.get("service", "")
    if service in Processor.Service.values:
        processors = processors.filter(service=service)
    page = Paginator(processors.order_by("name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = list(page.object_list)
    prefetch_related_objects(rows, services.accounts_with_mfa())
    today = timezone.localdate()
    counts = services.finding_counts(rows, today)
    return render(request, "privacy/processor_list.html", {
        "page": page, "today": today, "service": service,
        "services": Processor.Service.choices,
        "querystring": f"service={service}" if service else "",
        "rows": [(processor, counts[processor.pk]) for processor in rows],
        "filtered": bool(service), "can_edit": _can_edit(request),
    })


def _render_detail(request, processor, review_form=None, status=200):
    today = timezone.localdate()
    answers = checklist(processor.clauses, CLAUSES)
    return render(request, "privacy/processor_detail.html", {
        "processor": processor, "today": today,
        "clauses": [(clause, answers[clause.id]) for clause in
                    applicable_clauses(health_data=processor.health_data)],
        "conditions": [(condition, answer) for condition, answer in
                       zip(REMOTE_CONDITIONS,
                           checklist(processor.remote_conditions, REMOTE_CONDITIONS).values(),
                           strict=True)],
        "software": list(processor.software.all()),
        "accounts": list(processor.accounts.all()),
        "processings": list(processor.processings.all()),
        "findings": services.findings(processor, today),
        "versions": (PrivacyVersion.objects.filter(
            organisation=request.organisation, record_type="processor",
            record_id=processor.pk).select_related("author")[:50]),
        "can_edit": _can_edit(request),
        "review_form": review_form or ReviewForm(initial={"reviewed_on": today}),
    }, status=status)


@org_view(roles=READ_ROLES)
def processor_detail(request, processor_id):
    return _render_detail(request, get_processor_or_404(request, processor_id))


def _render_form(request, form, processor=None, conflict=None):
    return render(request, "privacy/processor_form.html", {
        "form": form, "processor": processor, "conflict": conflict,
        "services": Processor.Service,
    }, status=409 if conflict else 422 if form.errors else 200)


@org_view(roles=WRITE_ROLES, write=True)
def processor_new(request):
    organisation = request.organisation
    form = ProcessorForm(request.POST or None, organisation=organisation,
                         instance=Processor(organisation=organisation))
    if request.method == "POST" and form.is_valid():
        processor = services.processor_create(
            acting_user=request.user, organisation=organisation, values=form.values(),
            clauses=form.clauses(), remote_conditions=form.remote_conditions(),
            software=form.cleaned_data["software"], accounts=form.cleaned_data["accounts"],
            request=request)
        messages.success(request, _("« %(name)s » est ajouté aux sous-traitants.")
                         % {"name": processor.name})
        return redirect("privacy_processor", organisation.slug, processor.pk)
    return _render_form(request, form)


@org_view(roles=WRITE_ROLES, write=True)
def processor_edit(request, processor_id):
    processor = get_processor_or_404(request, processor_id)
    organisation = request.organisation
    # The form works on its own copy: the service compares the saved values with its own.
    form = ProcessorForm(request.POST or None, organisation=organisation,
                         instance=Processor.objects.get(pk=processor.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.processor_update(
                acting_user=request.user, processor=processor, values=form.values(),
                clauses=form.clauses(), remote_conditions=form.remote_conditions(),
                software=form.cleaned_data["software"],
                accounts=form.cleaned_data["accounts"],
                revision=form.cleaned_data["revision"], request=request)
        except services.ProcessorConflict as error:
            current = error.current
            rows = conflict_rows(current, form)
            # Shown again with this person's values and the saved revision: saving again,
            # after reading, is a deliberate choice to replace the other version.
            data = request.POST.copy()
            data["revision"] = current.revision
            form = ProcessorForm(data, organisation=organisation, instance=current)
            form.is_valid()
            return _render_form(request, form, processor, conflict={"rows": rows})
        messages.success(request, _("Fiche de « %(name)s » enregistrée.")
                         % {"name": processor.name})
        return redirect("privacy_processor", organisation.slug, processor.pk)
    return _render_form(request, form, processor)


@org_view(roles=WRITE_ROLES, write=True)
@require_POST
def processor_review(request, processor_id):
    processor = get_processor_or_404(request, processor_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, processor, review_form=form, status=422)
    services.processor_review(acting_user=request.user, processor=processor,
                              reviewed_on=form.cleaned_data["reviewed_on"], request=request)
    messages.success(request, _("Revue du contrat notée. La prochaine est à faire avant le "
                                "%(date)s.") % {"date": processor.review_due_on.strftime(
                                    "%d/%m/%Y")})
    return redirect("privacy_processor", request.organisation.slug, processor.pk)


@org_view(roles=WRITE_ROLES, write=True)
def processor_delete(request, processor_id):
    processor = get_processor_or_404(request, processor_id)
    if request.method == "POST":
        services.processor_delete(acting_user=request.user, processor=processor,
                                  request=request)
        messages.success(request, _("« %(name)s » est retiré des sous-traitants.")
                         % {"name": processor.name})
        return redirect("privacy_processors", request.organisation.slug)
    return render(request, "privacy/processor_delete.html", {
        "processor": processor, "processings": list(processor.processings.all())})


@org_view(roles=READ_ROLES)
def model_clauses(request):
    return render(request, "privacy/processor_clauses.html",
                  {"clauses": CLAUSES, "conditions": REMOTE_CONDITIONS})


urlpatterns = [
    path("sous-traitants/", processor_list, name="privacy_processors"),
    path("sous-traitants/ajouter/", processor_new, name="privacy_processor_new"),
    path("sous-traitants/clauses-types/", model_clauses, name="privacy_model_clauses"),
    path("sous-traitants/<int:processor_id>/", processor_detail, name="privacy_processor"),
    path("sous-traitants/<int:processor_id>/modifier/", processor_edit,
         name="privacy_processor_edit"),
    path("sous-traitants/<int:processor_id>/revue/", processor_review,
         name="privacy_processor_review"),
    path("sous-traitants/<int:processor_id>/supprimer/", processor_delete,
         name="privacy_processor_delete"),
]
