"""Impact assessments (AIPD): the list, the screening of a processing (is one required?),
a new assessment, one assessment with its four parts and their progress, the edit page of
each part, the measures, finishing, validating, and the PDF in the CNIL tool's structure.

The register's roles read (READ_ROLES); the responsable and the DPO write (WRITE_ROLES).
"""

import copy

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pharmagarde.core import audit, documents
from pharmagarde.core.access import org_view

from .. import dpia as method
from .. import dpia_services as services
from ..access import get_dpia_or_404, get_dpiameasure_or_404, get_processing_or_404
from ..models import Dpia, DpiaMeasure, PrivacyProfile, PrivacyVersion, Processing
from ..roles import READ_ROLES, WRITE_ROLES

PAGE_SIZE = 50
LEVEL_CHOICES = [("", gettext_lazy("Pas encore évaluée")),
                 *((level, f"{level} — {label}") for level, label in method.LEVELS.items())]
TEXTAREA = {"rows": 4}


# ----------------------------------------------------------------------------- forms

class ScreeningForm(forms.Form):
    """One yes/no question per criterion (a checkbox each: unticked is « non »)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in method.CRITERIA:
            self.fields[criterion.id] = forms.BooleanField(
                label=criterion.question, help_text=criterion.help, required=False)


class DpiaNewForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Titre de l'analyse"), max_length=200,
        help_text=gettext_lazy("Par exemple : Dossier patient et délivrance."),
        error_messages={"required": gettext_lazy("Donnez un titre à l'analyse.")})
    processing = forms.ModelChoiceField(
        label=gettext_lazy("Traitement étudié"), queryset=Processing.objects.none(),
        required=False, empty_label=gettext_lazy("Aucun en particulier"),
        help_text=gettext_lazy("Le contexte est alors prérempli à partir du registre."),
        error_messages={"invalid_choice": gettext_lazy("Choisissez un traitement de la "
                                                       "liste.")})

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["processing"].queryset = Processing.objects.filter(
            organisation=organisation)


def _text_field(text, *, max_length=3000):
    return forms.CharField(label=text.label, help_text=text.help, required=False,
                           max_length=max_length, widget=forms.Textarea(attrs=TEXTAREA),
                           error_messages={"max_length": gettext_lazy(
                               "Ce texte est trop long : %(limit_value)s caractères au "
                               "plus.")})


def _level_field(label):
    return forms.TypedChoiceField(
        label=label, choices=LEVEL_CHOICES, coerce=int, empty_value=None, required=False,
        error_messages={"invalid_choice": gettext_lazy("Choisissez un niveau de 1 "
                                                       "(négligeable) à 4 (maximale).")})


class PartForm(forms.Form):
    """The fields of one part (dpia.PARTS): its texts, and for the risks the two levels.
    `values()` gives what dpia_services.dpia_update takes; `initial_of(dpia)` the same
    fields read from an assessment (the form's start, and the other version of a
    conflict)."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, part: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.part = part
        if part == "contexte":
            self.fields["title"] = forms.CharField(
                label=gettext_lazy("Titre de l'analyse"), max_length=200,
                error_messages={"required": gettext_lazy("Donnez un titre à l'analyse.")})
            for text in method.CONTEXT:
                self.fields[text.id] = _text_field(text)
        elif part == "principes":
            for principle in method.PRINCIPLES:
                self.fields[principle.id] = _text_field(principle)
        elif part == "risques":
            for risk in method.RISKS:
                for text in method.RISK_TEXTS:
                    self.fields[f"{risk.id}__{text.id}"] = _text_field(text)
                self.fields[f"{risk.id}__severity"] = _level_field(_("Gravité"))
                self.fields[f"{risk.id}__likelihood"] = _level_field(_("Vraisemblance"))
        else:
            self.fields["dpo_opinion"] = _text_field(method.Text(
                "dpo_opinion", gettext_lazy("Avis du DPO"),
                gettext_lazy("L'avis du délégué à la protection des données, s'il y en a "
                             "un, et la suite que vous lui donnez.")))
            self.fields["people_opinion"] = _text_field(method.Text(
                "people_opinion", gettext_lazy("Avis des personnes concernées"),
                gettext_lazy("Comment vous avez recueilli l'avis des personnes ou de leurs "
                             "représentants (patients, salariés), ou pourquoi vous ne "
                             "l'avez pas demandé.")))

    def groups(self):
        """[(heading, help, [bound fields])] in the order of the page."""
        if self.part == "principes":
            return [(heading, "", [self[p.id] for p in method.PRINCIPLES if p.group == group])
                    for group, heading in method.PRINCIPLE_GROUPS.items()]
        if self.part == "risques":
            return [(risk.title, risk.help,
                     [self[name] for name in self.fields if name.startswith(f"{risk.id}__")])
                    for risk in method.RISKS]
        return [("", "", list(self.visible_fields()))]

    @staticmethod
    def initial_of(dpia: Dpia, part: str) -> dict:
        initial = {"revision": dpia.revision}
        if part == "contexte":
            initial.update(title=dpia.title, **{t.id: dpia.context.get(t.id, "")
                                                for t in method.CONTEXT})
        elif part == "principes":
            initial.update({p.id: dpia.principles.get(p.id, "") for p in method.PRINCIPLES})
        elif part == "risques":
            for risk in method.RISKS:
                values = dpia.risks.get(risk.id) or {}
                for text in method.RISK_TEXTS:
                    initial[f"{risk.id}__{text.id}"] = values.get(text.id, "")
                for name in ("severity", "likelihood"):
                    initial[f"{risk.id}__{name}"] = method.level_of(values, name)
        else:
            initial.update(dpo_opinion=dpia.dpo_opinion, people_opinion=dpia.people_opinion)
        return initial

    def values(self) -> dict:
        data = self.cleaned_data
        if self.part != "risques":
            return {name: data[name] for name in self.fields if name != "revision"}
        return {risk.id: {name.split("__", 1)[1]: data[name] for name in self.fields
                          if name.startswith(f"{risk.id}__")}
                for risk in method.RISKS}

    def conflict_rows(self, current: Dpia) -> list[tuple[str, str, str]]:
        """(label, the saved value, the value typed here) for each field that differs."""
        theirs = self.initial_of(current, self.part)
        rows = []
        for name, field in self.fields.items():
            if name == "revision" or theirs.get(name) == self.cleaned_data.get(name):
                continue
            label = field.label
            if self.part == "risques":
                label = f"{method.RISKS_BY_ID[name.split('__')[0]].title} — {field.label}"
            rows.append((label, _display(theirs.get(name)),
                         _display(self.cleaned_data.get(name))))
        return rows


def _display(value) -> str:
    if value in (None, ""):
        return "—"
    return f"{value} — {method.LEVELS[value]}" if isinstance(value, int) else str(value)


class MeasureForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Mesure"), max_length=300,
        help_text=gettext_lazy("Par exemple : un compte nominatif par personne sur le "
                               "logiciel de la pharmacie."),
        error_messages={"required": gettext_lazy("Décrivez la mesure."),
                        "max_length": gettext_lazy("300 caractères au plus : gardez "
                                                   "l'essentiel.")})
    state = forms.ChoiceField(
        label=gettext_lazy("État"), choices=DpiaMeasure.State.choices,
        initial=DpiaMeasure.State.PLANNED, widget=forms.RadioSelect,
        help_text=gettext_lazy("Une mesure prévue devient une action du plan d'action une "
                               "fois l'analyse terminée."),
        error_messages={"required": gettext_lazy("Dites si la mesure existe déjà ou si "
                                                 "elle est prévue."),
                        "invalid_choice": gettext_lazy("Choisissez « Existante » ou "
                                                       "« Prévue ».")})
    risks = forms.MultipleChoiceField(
        label=gettext_lazy("Risques que la mesure réduit"),
        choices=[(risk.id, risk.title) for risk in method.RISKS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Cochez au moins un risque que cette "
                                                 "mesure réduit."),
                        "invalid_choice": gettext_lazy("Choisissez parmi les trois "
                                                       "risques.")})


# ----------------------------------------------------------------------------- pages

def _screenable(organisation):
    """The processings with health data, whose screening the empty list points to."""
    return Processing.objects.filter(organisation=organisation, health_data=True).only(
        "pk", "name", "number", "dpia_screening")[:50]


@org_view(roles=READ_ROLES)
def dpia_list(request):
    """The assessments with their state, processing and highest risk: four queries,
    whatever their number."""
    dpias = (Dpia.objects.filter(organisation=request.organisation)
             .select_related("processing").order_by("-updated_at", "-id"))
    page = Paginator(dpias, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(dpia, method.highest(dpia.risks)) for dpia in page.object_list]
    return render(request, "privacy/dpia_list.html", {
        "page": page, "rows": rows, "levels": method.LEVELS,
        "processings": _screenable(request.organisation),
        "can_write": request.membership.role in WRITE_ROLES,
    })


@org_view(roles=READ_ROLES)
def dpia_screening(request, processing_id):
    """Is an assessment required for this processing? The helper's questions, prefilled
    from the last answers (or from the processing's health data), and its conclusion."""
    processing = get_processing_or_404(request, processing_id)
    stored = processing.dpia_screening or {}
    initial = stored.get("answers") or {method.HEALTH_CRITERION: processing.health_data}
    return render(request, "privacy/dpia_screening.html", {
        "processing": processing, "form": ScreeningForm(initial=initial), "stored": stored,
        "can_write": request.membership.role in WRITE_ROLES,
        "officine_over_threshold": services.officine_over_threshold(request.organisation),
        "profile_known": PrivacyProfile.objects.filter(
            organisation=request.organisation,
            turnover_over_threshold__isnull=False).exists(),
        "dpias": list(processing.dpias.all()),
    })


@org_view(roles=WRITE_ROLES, write=True)
@require_POST
def dpia_screening_save(request, processing_id):
    processing = get_processing_or_404(request, processing_id)
    form = ScreeningForm(request.POST)
    form.is_valid()  # checkboxes: anything but a ticked box reads as « non »
    services.screening_save(acting_user=request.user, processing=processing,
                            answers=form.cleaned_data, request=request)
    messages.success(request, _("Conclusion enregistrée sur le traitement."))
    return redirect("privacy_dpia_screening", request.organisation.slug, processing.pk)


@org_view(roles=WRITE_ROLES, write=True)
def dpia_new(request):
    """A new assessment; ?processing=<id> (of the organisation only) chooses the one
    studied, whose register entry prefills the context."""
    organisation = request.organisation
    form = DpiaNewForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        dpia = services.dpia_create(acting_user=request.user, organisation=organisation,
                                    title=form.cleaned_data["title"],
                                    processing=form.cleaned_data["processing"],
                                    request=request)
        messages.success(request, _("Analyse d'impact commencée. Complétez ses quatre "
                                    "parties, dans l'ordre ou non."))
        return redirect("privacy_dpia", organisation.slug, dpia.pk)
    if request.method != "POST":
        chosen = request.GET.get("processing", "")
        processing = (Processing.objects.filter(organisation=organisation, pk=chosen).first()
                      if chosen.isdigit() else None)
        if processing is not None:
            form = DpiaNewForm(organisation=organisation, initial={
                "processing": processing.pk,
                "title": _("Analyse d'impact — %(name)s") % {"name": processing.name}})
    return render(request, "privacy/dpia_new.html", {"form": form},
                  status=422 if form.errors else 200)


def _detail_context(dpia: Dpia) -> dict:
    """What the page and the PDF show: the parts with their progress, the measures by
    risk, the map, the planned measures (the action plan)."""
    measures = list(dpia.measures.all())
    progress = method.progress(context=dpia.context, principles=dpia.principles,
                               risks=dpia.risks, has_measures=bool(measures),
                               dpo_opinion=dpia.dpo_opinion,
                               people_opinion=dpia.people_opinion)
    risks = [{"risk": risk, "values": dpia.risks.get(risk.id) or {},
              "severity": method.level_of(dpia.risks.get(risk.id) or {}, "severity"),
              "likelihood": method.level_of(dpia.risks.get(risk.id) or {}, "likelihood"),
              "high": method.is_high(dpia.risks.get(risk.id) or {}),
              "texts": [(text, (dpia.risks.get(risk.id) or {}).get(text.id, ""))
                        for text in method.RISK_TEXTS],
              "measures": [m for m in measures if risk.id in m.risks]}
             for risk in method.RISKS]
    return {
        "dpia": dpia, "measures": measures, "risks": risks, "levels": method.LEVELS,
        "parts": [(part, *progress[part.slug]) for part in method.PARTS],
        "context_texts": [(text, dpia.context.get(text.id, "")) for text in method.CONTEXT],
        "principle_groups": [
            (heading, [(p, dpia.principles.get(p.id, "")) for p in method.PRINCIPLES
                       if p.group == group])
            for group, heading in method.PRINCIPLE_GROUPS.items()],
        "risk_map": method.risk_map(dpia.risks),
        "planned": [m for m in measures if m.state == DpiaMeasure.State.PLANNED],
        "risk_titles": {risk.id: risk.title for risk in method.RISKS},
    }


@org_view(roles=READ_ROLES)
def dpia_detail(request, dpia_id):
    dpia = get_dpia_or_404(request, dpia_id)
    context = _detail_context(dpia)
    context.update(
        can_write=request.membership.role in WRITE_ROLES,
        problems=services.validation_problems(dpia)
        if dpia.status != Dpia.Status.VALIDATED else [],
        versions=PrivacyVersion.objects.filter(
            organisation=request.organisation, record_type="dpia",
            record_id=dpia.pk).select_related("author")[:50])
    return render(request, "privacy/dpia_detail.html", context)


@org_view(roles=WRITE_ROLES, write=True)
def dpia_edit(request, dpia_id, part):
    dpia = get_dpia_or_404(request, dpia_id)
    if part not in method.PARTS_BY_SLUG:
        raise Http404
    form = PartForm(request.POST or None, part=part,
                    initial=PartForm.initial_of(dpia, part))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.dpia_update(acting_user=request.user, dpia=dpia, part=part,
                                 values=form.values(), revision=form.cleaned_data["revision"],
                                 request=request)
        except services.DpiaConflict as error:
            current = error.current
            conflict = {"rows": form.conflict_rows(current)}
            # Shown again with this person's values and the saved revision: saving again,
            # after reading, is a deliberate choice to replace the other version.
            data = request.POST.copy()
            data["revision"] = current.revision
            form = PartForm(data, part=part, initial=PartForm.initial_of(current, part))
            form.is_valid()
            dpia = copy.copy(current)
        else:
            messages.success(request, _("« %(part)s » enregistrée.") % {
                "part": method.PARTS_BY_SLUG[part].title})
            return redirect("privacy_dpia", request.organisation.slug, dpia.pk)
    return render(request, "privacy/dpia_edit.html", {
        "dpia": dpia, "form": form, "part": method.PARTS_BY_SLUG[part],
        "conflict": conflict, "levels": method.LEVELS,
    }, status=409 if conflict else 422 if form.errors else 200)


@org_view(roles=WRITE_ROLES, write=True)
def dpia_measure_new(request, dpia_id):
    """Add a measure (?risque=<id> ticks the risk it is added from)."""
    dpia = get_dpia_or_404(request, dpia_id)
    chosen = request.GET.get("risque")
    form = MeasureForm(request.POST or None,
                       initial={"risks": [chosen] if chosen in method.RISKS_BY_ID else []})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.measure_add(acting_user=request.user, dpia=dpia, text=data["text"],
                             state=data["state"], risks=data["risks"], request=request)
        messages.success(request, _("Mesure ajoutée."))
        return redirect("privacy_dpia", request.organisation.slug, dpia.pk)
    return render(request, "privacy/dpia_measure_form.html", {"dpia": dpia, "form": form},
                  status=422 if form.errors else 200)


@org_view(roles=WRITE_ROLES, write=True)
@require_POST
def dpiameasure_state(request, dpiameasure_id):
    measure = get_dpiameasure_or_404(request, dpiameasure_id)
    state = request.POST.get("state", "")
    if state not in DpiaMeasure.State.values:
        messages.error(request, _("Choisissez « Existante » ou « Prévue »."))
    else:
        services.measure_set_state(acting_user=request.user, measure=measure, state=state,
                                   request=request)
        messages.success(request, _("Mesure mise à jour."))
    return redirect("privacy_dpia", request.organisation.slug, measure.dpia_id)


@org_view(roles=WRITE_ROLES, write=True)
@require_POST
def dpiameasure_delete(request, dpiameasure_id):
    measure = get_dpiameasure_or_404(request, dpiameasure_id)
    services.measure_delete(acting_user=request.user, measure=measure, request=request)
    messages.success(request, _("Mesure retirée."))
    return redirect("privacy_dpia", request.organisation.slug, measure.dpia_id)


def _revision(request) -> int | None:
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() else None


def _status_view(service, done_message):
    @org_view(roles=WRITE_ROLES, write=True)
    @require_POST
    def view(request, dpia_id):
        dpia = get_dpia_or_404(request, dpia_id)
        try:
            service(acting_user=request.user, dpia=dpia, revision=_revision(request),
                    request=request)
        except services.DpiaConflict:
            messages.error(request, _("Quelqu'un a modifié l'analyse entre-temps : relisez-"
                                      "la, puis recommencez."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done_message)
        return redirect("privacy_dpia", request.organisation.slug, dpia.pk)

    return view


dpia_finish = _status_view(services.dpia_finish, gettext_lazy(
    "Analyse terminée : ses mesures prévues sont dans le plan d'action. Il reste à la "
    "valider."))
dpia_validate = _status_view(services.dpia_validate, gettext_lazy("Analyse d'impact "
                                                                  "validée."))


@org_view(roles=READ_ROLES)
def dpia_pdf(request, dpia_id):
    """The assessment in the structure of the CNIL's PIA tool; audited once made."""
    dpia = get_dpia_or_404(request, dpia_id)
    context = {**_detail_context(dpia), "now": timezone.localtime()}
    return documents.pdf_response(
        request, "privacy/pdf/dpia.html", context, stem=f"analyse-impact-{dpia.pk}",
        unavailable="privacy/dpia_pdf_unavailable.html", unavailable_context={"dpia": dpia},
        audited=lambda: audit.record("privacy.dpia_exported", request=request,
                                     organisation=request.organisation, obj=dpia,
                                     details={"format": "pdf"}))


urlpatterns = [
    path("analyses-impact/", dpia_list, name="privacy_dpias"),
    path("analyses-impact/nouvelle/", dpia_new, name="privacy_dpia_new"),
    path("analyses-impact/traitements/<int:processing_id>/besoin/", dpia_screening,
         name="privacy_dpia_screening"),
    path("analyses-impact/traitements/<int:processing_id>/besoin/enregistrer/",
         dpia_screening_save, name="privacy_dpia_screening_save"),
    path("analyses-impact/<int:dpia_id>/", dpia_detail, name="privacy_dpia"),
    path("analyses-impact/<int:dpia_id>/modifier/<slug:part>/", dpia_edit,
         name="privacy_dpia_edit"),
    path("analyses-impact/<int:dpia_id>/mesures/ajouter/", dpia_measure_new,
         name="privacy_dpia_measure_new"),
    path("analyses-impact/mesures/<int:dpiameasure_id>/etat/", dpiameasure_state,
         name="privacy_dpiameasure_state"),
    path("analyses-impact/mesures/<int:dpiameasure_id>/supprimer/", dpiameasure_delete,
         name="privacy_dpiameasure_delete"),
    path("analyses-impact/<int:dpia_id>/terminer/", dpia_finish, name="privacy_dpia_finish"),
    path("analyses-impact/<int:dpia_id>/valider/", dpia_validate,
         name="privacy_dpia_validate"),
    path("analyses-impact/<int:dpia_id>/aipd.pdf", dpia_pdf, name="privacy_dpia_pdf"),
]
