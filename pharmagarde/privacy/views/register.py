"""The register of processing activities (art. 30 GDPR), under registre/: the list with
each processing's completeness, one processing with its history, adding, editing (with its
retention periods as a formset, versioned), confirming and removing one, prefilling the
register from the organisation's kind, its yearly review, and its exports (PDF, Excel).

The responsable and the DPO write (roles.WRITE_ROLES); the référent and the auditor read.
"""

import copy

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from pharmagarde.core import audit, documents
from pharmagarde.core.access import org_view
from pharmagarde.core.exports import attachment
from pharmagarde.diagnostic.selectors import latest_completed
from pharmagarde.inventory.models import Device, Software

from .. import catalogue, register_checks, register_exports, register_services
from ..access import get_processing_or_404
from ..models import PrivacyProfile, PrivacyVersion, Processing, Processor, Retention
from ..register_services import Links, ProcessingConflict, RetentionValues
from ..roles import READ_ROLES, WRITE_ROLES

PAGE_SIZE = 50
# The PDF shows this many processings (WeasyPrint lays out a few a second); Excel has all.
PDF_LIMIT = 200

_CHOOSE = gettext_lazy("Choisissez une réponse de la liste.")


class ProcessingForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    themes = forms.MultipleChoiceField(
        label=gettext_lazy("Thèmes du diagnostic qui protègent ce traitement"),
        required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("Choisissez des thèmes de la liste.")})

    class Meta:
        model = Processing
        fields = ["name", "in_use", "purpose", "legal_basis", "legal_basis_detail",
                  "health_data", "special_basis", "nir", "people", "data_categories",
                  "recipients", "transfers", "transfer_details", "security_measures",
                  "themes", "software", "devices", "processors"]
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 4}) for name in (
                "purpose", "people", "data_categories", "recipients", "transfer_details",
                "security_measures")},
            "software": forms.CheckboxSelectMultiple,
            "devices": forms.CheckboxSelectMultiple,
            "processors": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "name": {"required": gettext_lazy("Donnez un nom au traitement, par exemple "
                                              "« Dispensation des médicaments »."),
                     "max_length": gettext_lazy("150 caractères au plus.")},
            **{name: {"invalid_choice": _CHOOSE} for name in (
                "in_use", "legal_basis", "special_basis", "transfers")},
            **{name: {"invalid_choice": gettext_lazy("Choisissez dans la liste."),
                      "invalid_pk_value": gettext_lazy("Choisissez dans la liste.")}
               for name in ("software", "devices", "processors")},
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].initial = self.instance.revision
        self.fields["themes"].choices = list(register_exports.theme_titles().items())
        self.fields["software"].queryset = Software.objects.filter(
            organisation=organisation).order_by("name", "pk")
        self.fields["devices"].queryset = Device.objects.filter(
            organisation=organisation).order_by("name", "pk")
        self.fields["processors"].queryset = Processor.objects.filter(
            organisation=organisation)
        for name in ("in_use", "legal_basis", "special_basis", "transfers"):
            self.fields[name].choices = [("", _("— À préciser —")),
                                         *self.fields[name].choices[1:]]
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length:
                field.error_messages["max_length"] = _(
                    "%(limit)s caractères au plus.") % {"limit": field.max_length}

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields
                if name not in ("software", "devices", "processors")}

    def links(self) -> Links:
        return Links(software=list(self.cleaned_data["software"]),
                     devices=list(self.cleaned_data["devices"]),
                     processors=list(self.cleaned_data["processors"]))


class RetentionForm(forms.Form):
    data = forms.CharField(label=gettext_lazy("Données"), max_length=200, required=False,
                           error_messages={"max_length": gettext_lazy("200 caractères au "
                                                                      "plus.")})
    duration = forms.CharField(
        label=gettext_lazy("Durée de conservation"), max_length=200, required=False,
        error_messages={"max_length": gettext_lazy("200 caractères au plus.")})
    reference = forms.CharField(
        label=gettext_lazy("Référence"), max_length=300, required=False,
        help_text=gettext_lazy("Le texte qui fixe la durée, ou la raison de votre choix."),
        error_messages={"max_length": gettext_lazy("300 caractères au plus.")})
    to_check = forms.BooleanField(label=gettext_lazy("À vérifier"), required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        filled = data.get("data") or data.get("duration") or data.get("reference")
        if filled and not data.get("data"):
            self.add_error("data", _("Dites quelles données sont conservées."))
        if filled and not data.get("duration"):
            self.add_error("duration", _("Indiquez la durée, par exemple « 5 ans après le "
                                         "départ du salarié »."))
        return data


RetentionFormSet = forms.formset_factory(RetentionForm, extra=2, can_delete=True,
                                         max_num=30, validate_max=True)


def retention_formset(request, processing: Processing | None):
    initial = [{"data": row.data, "duration": row.duration, "reference": row.reference,
                "to_check": row.to_check}
               for row in (processing.retentions.all() if processing else ())]
    return RetentionFormSet(request.POST or None, initial=initial, prefix="retentions")


def retention_values(formset) -> list[RetentionValues]:
    return [RetentionValues(data=form.cleaned_data["data"],
                            duration=form.cleaned_data["duration"],
                            reference=form.cleaned_data["reference"],
                            to_check=form.cleaned_data["to_check"])
            for form in formset.forms
            if form.cleaned_data.get("data") and not form.cleaned_data.get("DELETE")]


def _display(field, value) -> str:
    if value in (None, "", []):
        return "—"
    if hasattr(value, "all"):  # a queryset of linked items
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, bool) and not getattr(field, "choices", None):
        return _("Oui") if value else _("Non")
    choices = dict(getattr(field, "choices", None) or ())
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    return str(choices.get(value, value))


def conflict_rows(form: ProcessingForm, current: Processing) -> list[tuple]:
    """(label, the saved value, this person's value) of each field that differs."""
    rows = []
    for name in ProcessingForm.Meta.fields:
        field = form.fields[name]
        theirs, yours = getattr(current, name), form.cleaned_data.get(name)
        if name in ("software", "devices", "processors"):
            theirs, yours = theirs.all(), yours
            if {item.pk for item in theirs} == {item.pk for item in yours}:
                continue
        elif theirs == yours:
            continue
        rows.append((field.label, _display(field, theirs), _display(field, yours)))
    return rows


def _save(request, processing, form, formset):
    """Create or update from valid forms; the saved processing."""
    if processing is None:
        return register_services.processing_create(
            acting_user=request.user, organisation=request.organisation,
            values=form.values(), retentions=retention_values(formset), links=form.links(),
            request=request)
    register_services.processing_update(
        acting_user=request.user, processing=processing, values=form.values(),
        revision=form.cleaned_data["revision"], retentions=retention_values(formset),
        links=form.links(), request=request)
    return processing


def _edit(request, processing: Processing | None):
    organisation = request.organisation
    form = ProcessingForm(request.POST or None, organisation=organisation,
                          instance=copy.copy(processing) if processing else None)
    formset = retention_formset(request, processing)
    conflict = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = _save(request, processing, form, formset)
        except ProcessingConflict as error:
            current = error.current
            conflict = {"rows": conflict_rows(form, current)}
            # Shown again with this person's values and the saved revision: saving again,
            # after reading, is a deliberate choice to replace the other version.
            data = request.POST.copy()
            data["revision"] = current.revision
            form = ProcessingForm(data, organisation=organisation, instance=current)
            form.is_valid()
        except ValidationError as invalid:
            form.add_error(None, " ".join(invalid.messages))
        else:
            messages.success(request, _("Traitement « %(name)s » enregistré.") % {
                "name": saved.name})
            return redirect("privacy_processing", organisation.slug, saved.pk)
    invalid = bool(form.errors or formset.total_error_count())
    return render(request, "privacy/register_form.html",
                  {"processing": processing, "form": form, "formset": formset,
                   "conflict": conflict},
                  status=409 if conflict else 422 if invalid else 200)


def _profile(organisation) -> PrivacyProfile | None:
    return PrivacyProfile.objects.filter(organisation=organisation).select_related(
        "register_reviewed_by").first()


@org_view(roles=READ_ROLES)
def register_list(request):
    """Every processing with its completeness and processors; those not in use apart.
    Six queries, whatever the size of the register."""
    organisation = request.organisation
    processings = list(
        Processing.objects.filter(organisation=organisation)
        .prefetch_related(Prefetch("retentions", queryset=Retention.objects.order_by(
            "position", "id")), "processors").order_by("number"))
    for processing in processings:
        processing.problems = register_checks.problems(processing)
    active = [p for p in processings if register_checks.is_active(p)]
    page = Paginator(active, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "privacy/register_list.html", {
        "page": page,
        "not_in_use": [p for p in processings if not register_checks.is_active(p)],
        "summary": register_checks.register_summary(processings),
        "profile": _profile(organisation),
        "can_write": request.membership.role in WRITE_ROLES,
        "prefill_count": len(catalogue.entries_for(organisation.kind)),
    })


def _theme_rows(organisation, processing: Processing) -> list[tuple]:
    """(title, score of the latest completed assessment or None) of each linked theme."""
    latest = latest_completed(organisation)
    scores = latest.theme_scores if latest is not None else {}
    return [(register_exports.theme_label(theme), scores.get(theme))
            for theme in processing.themes]


@org_view(roles=READ_ROLES)
def processing_detail(request, processing_id):
    processing = get_processing_or_404(request, processing_id)
    organisation = request.organisation
    versions = (PrivacyVersion.objects.filter(organisation=organisation,
                                              record_type="processing",
                                              record_id=processing.pk)
                .select_related("author")[:50])
    entry = catalogue.entry(organisation.kind, processing.key) if processing.key else None
    return render(request, "privacy/register_processing.html", {
        "processing": processing,
        "retentions": list(processing.retentions.all()),
        "processors": list(processing.processors.all()),
        "software": list(processing.software.all()),
        "devices": list(processing.devices.all()),
        "themes": _theme_rows(organisation, processing),
        "problems": register_checks.problems(processing),
        "versions": versions,
        "processor_hints": entry.processor_labels() if entry else [],
        "can_write": request.membership.role in WRITE_ROLES,
    })


@org_view(roles=WRITE_ROLES, write=True)
def processing_new(request):
    return _edit(request, None)


@org_view(roles=WRITE_ROLES, write=True)
def processing_edit(request, processing_id):
    return _edit(request, get_processing_or_404(request, processing_id))


@org_view(roles=WRITE_ROLES, write=True)
@require_POST
def processing_confirm(request, processing_id):
    processing = get_processing_or_404(request, processing_id)
    register_services.processing_confirm(acting_user=request.user, processing=processing,
                                         request=request)
    messages.success(request, _("« %(name)s » est relu et confirmé.") % {
        "name": processing.name})
    return redirect("privacy_processing", request.organisation.slug, processing.pk)


@org_view(roles=WRITE_ROLES, write=True)
def processing_delete(request, processing_id):
    """A confirmation page; the POST removes the processing."""
    processing = get_processing_or_404(request, processing_id)
    if request.method == "POST":
        register_services.processing_delete(acting_user=request.user, processing=processing,
                                            request=request)
        messages.success(request, _("« %(name)s » est retiré du registre.") % {
            "name": processing.name})
        return redirect("privacy_register", request.organisation.slug)
    return render(request, "privacy/register_delete.html", {"processing": processing})


@org_view(roles=WRITE_ROLES, write=True)
@require_POST
def register_prefill(request):
    created = register_services.register_prefill(
        acting_user=request.user, organisation=request.organisation, request=request)
    if created:
        messages.success(request, _("%(count)s traitements proposés ont été ajoutés au "
                                    "registre : relisez-les un par un.") % {"count": created})
    else:
        messages.info(request, _("Le registre a déjà été prérempli : ajoutez les "
                                 "traitements qui manquent un par un."))
    return redirect("privacy_register", request.organisation.slug)


@org_view(roles=WRITE_ROLES, write=True)
@require_POST
def register_review(request):
    register_services.register_review(acting_user=request.user,
                                      organisation=request.organisation, request=request)
    messages.success(request, _("Revue du registre notée. Prochaine revue dans un an."))
    return redirect("privacy_register", request.organisation.slug)


def _stem(request) -> str:
    return f"registre-traitements-{request.organisation.slug}"


@org_view(roles=READ_ROLES)
@require_safe
def register_xlsx(request):
    processings = register_exports.active(request.organisation)
    content = register_exports.register_xlsx(processings, title=request.organisation.name)
    audit.record("privacy.register_exported", request=request,
                 organisation=request.organisation, details={"format": "xlsx"})
    response = HttpResponse(content, content_type=documents.XLSX_TYPE)
    response["Content-Disposition"] = attachment(_stem(request), "xlsx")
    return response


@org_view(roles=READ_ROLES)
@require_safe
def register_pdf(request):
    organisation = request.organisation
    processings = list(register_exports.active(organisation)[:PDF_LIMIT + 1])
    context = {
        "profile": _profile(organisation) or PrivacyProfile(organisation=organisation),
        "entries": register_exports.register_entries(processings[:PDF_LIMIT]),
        "truncated": len(processings) > PDF_LIMIT, "limit": PDF_LIMIT,
        "not_in_use": Processing.objects.filter(organisation=organisation, in_use=False)
        .order_by("number"),
        "now": timezone.now(),
    }
    return documents.pdf_response(
        request, "privacy/pdf/register.html", context, stem=_stem(request),
        unavailable="privacy/register_unavailable.html",
        audited=lambda: audit.record("privacy.register_exported", request=request,
                                     organisation=organisation,
                                     details={"format": "pdf",
                                              "traitements": len(context["entries"])}))


urlpatterns = [
    path("registre/", register_list, name="privacy_register"),
    path("registre/preremplir/", register_prefill, name="privacy_register_prefill"),
    path("registre/revue/", register_review, name="privacy_register_review"),
    path("registre/ajouter/", processing_new, name="privacy_processing_new"),
    path("registre/export.pdf", register_pdf, name="privacy_register_pdf"),
    path("registre/export.xlsx", register_xlsx, name="privacy_register_xlsx"),
    path("registre/<int:processing_id>/", processing_detail, name="privacy_processing"),
    path("registre/<int:processing_id>/modifier/", processing_edit,
         name="privacy_processing_edit"),
    path("registre/<int:processing_id>/confirmer/", processing_confirm,
         name="privacy_processing_confirm"),
    path("registre/<int:processing_id>/supprimer/", processing_delete,
         name="privacy_processing_delete"),
]
