"""The requests people make about their data (art. 15–22 GDPR): the log with each
request's deadline, its Excel export, logging one, one request with its timeline and its
answer letters (each printable), correcting it, extending its deadline, recording the
answer. Written by the DPO and the responsable, read by the référent and the auditor."""

import copy
import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from pharmagarde.core import audit, documents
from pharmagarde.core.access import org_view
from pharmagarde.core.exports import attachment

from .. import answers, request_services
from ..access import get_request_or_404
from ..models import PersonRequest, PrivacyProfile, Processing
from ..roles import READ_ROLES, WRITE_ROLES

PAGE_SIZE = 50
# ?etat= on the list: which requests it shows.
FILTERS = {
    "": gettext_lazy("Toutes"),
    "ouvertes": gettext_lazy("À traiter"),
    "en-retard": gettext_lazy("En retard"),
    "repondues": gettext_lazy("Répondues"),
}
DATE_INPUT = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
              "input_formats": ["%Y-%m-%d", "%d/%m/%Y"]}
INVALID_DATE = gettext_lazy("Indiquez une date, par exemple 05/01/2026.")
PROOF_HELP = gettext_lazy(
    "Quand vous avez dû demander un justificatif d'identité, le délai d'un mois ne court "
    "qu'à partir du jour où vous l'avez reçu. Tant qu'il n'est pas arrivé, l'échéance "
    "affichée est provisoire : elle repartira de zéro à son arrivée.")


def date_field(label, *, required=True, help_text="", required_message=""):
    return forms.DateField(label=label, required=required, help_text=help_text,
                           error_messages={"required": required_message,
                                           "invalid": INVALID_DATE}, **DATE_INPUT)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class RequestForm(forms.ModelForm):
    """Logging a request, or correcting it (with its revision)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    received_on = date_field(PersonRequest._meta.get_field("received_on").verbose_name,
                             required_message=gettext_lazy("Indiquez quand la demande vous "
                                                           "est parvenue."))
    identity_received_on = date_field(
        PersonRequest._meta.get_field("identity_received_on").verbose_name, required=False,
        help_text=PROOF_HELP)

    class Meta:
        model = PersonRequest
        fields = list(request_services.EDITABLE)
        widgets = {"details": forms.Textarea(attrs={"rows": 4}),
                   "requester": forms.RadioSelect, "identity": forms.RadioSelect}
        field_classes = {"handled_by": MemberChoiceField}
        error_messages = {
            "requester_name": {"required": gettext_lazy("Écrivez le nom de la personne.")},
            "right": {"required": gettext_lazy("Choisissez le droit que la personne exerce."),
                      "invalid_choice": gettext_lazy("Choisissez un droit de la liste.")},
            "requester": {"invalid_choice": gettext_lazy("Choisissez qui demande.")},
            "identity": {"invalid_choice": gettext_lazy("Choisissez où en est la "
                                                        "vérification d'identité.")},
            "processing": {"invalid_choice": gettext_lazy("Choisissez un traitement du "
                                                          "registre.")},
            "handled_by": {"invalid_choice": gettext_lazy("Choisissez une personne de la "
                                                          "structure.")},
        }
        help_texts = {
            "identity": gettext_lazy("Ne demandez un justificatif qu'en cas de doute sérieux "
                                     "sur l'identité : par exemple une demande par courriel "
                                     "d'une adresse que vous ne connaissez pas."),
            "details": gettext_lazy("Ce que la personne demande, avec ses mots ; pas ses "
                                    "données de santé."),
            "processing": gettext_lazy("Le traitement du registre que la demande concerne, "
                                       "s'il y en a un : la lettre d'accès reprend ses "
                                       "finalités, ses destinataires et ses durées."),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].initial = self.instance.revision
        self.fields["processing"].queryset = Processing.objects.filter(
            organisation=organisation)
        self.fields["processing"].empty_label = _("Aucun en particulier")
        self.fields["handled_by"].queryset = get_user_model().objects.filter(
            memberships__organisation=organisation,
            memberships__role__in=WRITE_ROLES | {"referent"}).order_by("email").distinct()
        self.fields["handled_by"].empty_label = _("Personne pour l'instant")
        self.fields["requester"].required = True
        self.fields["identity"].required = True

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in request_services.EDITABLE}


class ExtendForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    extension_reason = forms.CharField(
        label=PersonRequest._meta.get_field("extension_reason").verbose_name,
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Pourquoi il faut plus de temps : une demande complexe (des "
                               "années d'historique à réunir…) ou l'une de nombreuses "
                               "demandes reçues en même temps. La personne doit le savoir."))
    extension_notified_on = date_field(
        PersonRequest._meta.get_field("extension_notified_on").verbose_name,
        required=False,
        help_text=gettext_lazy("La personne doit être prévenue, avec les raisons, avant la "
                               "fin du premier mois. Un modèle de lettre est proposé sur la "
                               "page de la demande."))


class AnswerForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    answered_on = date_field(
        PersonRequest._meta.get_field("answered_on").verbose_name,
        required_message=gettext_lazy("Indiquez la date d'envoi de la réponse."))
    outcome = forms.ChoiceField(
        label=PersonRequest._meta.get_field("outcome").verbose_name,
        choices=PersonRequest.Outcome.choices, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choisissez l'issue de la demande."),
                        "invalid_choice": gettext_lazy("Choisissez l'issue de la demande.")})
    answer_notes = forms.CharField(
        label=PersonRequest._meta.get_field("answer_notes").verbose_name, max_length=3000,
        required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Ce que vous avez répondu ; en cas de refus, même partiel, "
                               "les raisons données à la personne."))


def _invalid(form, error: ValidationError) -> None:
    """A service's ValidationError shown next to its field (or above the form)."""
    form.add_error(None, error)


def _status(form, conflict=None) -> int:
    return 409 if conflict else 422 if form.errors else 200


def _writes(request) -> bool:
    return request.membership.role in WRITE_ROLES


# -------------------------------------------------------------------------------- the log

def _requests(organisation, etat: str, today: datetime.date):
    found = PersonRequest.objects.filter(organisation=organisation)
    if etat == "ouvertes":
        found = found.filter(answered_on=None)
    elif etat == "repondues":
        found = found.exclude(answered_on=None)
    elif etat == "en-retard":
        found = found.filter(pk__in=request_services.late_ids(organisation, today))
    # Open ones first, the oldest (the most urgent) on top; then the latest answers.
    return found.select_related("processing", "handled_by").order_by(
        F("answered_on").desc(nulls_first=True), "received_on", "number")


@org_view(roles=READ_ROLES)
def request_list(request):
    """The log, open requests first (four queries whatever its size)."""
    today = timezone.localdate()
    etat = request.GET.get("etat", "")
    if etat not in FILTERS:
        etat = ""
    page = Paginator(_requests(request.organisation, etat, today), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "privacy/request_list.html", {
        "page": page, "etat": etat, "filters": FILTERS.items(), "writes": _writes(request),
        "querystring": f"etat={etat}" if etat else "",
        "rows": [(item, request_services.state(item, today)) for item in page.object_list],
    })


def _yes(value: bool) -> str:
    return _("Oui") if value else _("Non")


def _columns(today: datetime.date) -> list[documents.Column]:
    Column = documents.Column
    return [
        Column(gettext_lazy("Numéro"), 9, lambda r: r.reference),
        Column(gettext_lazy("Reçue le"), 12, lambda r: r.received_on),
        Column(gettext_lazy("Reçue par"), 14, lambda r: r.channel),
        Column(gettext_lazy("Qui demande"), 18, lambda r: r.get_requester_display()),
        Column(gettext_lazy("Nom de la personne"), 22, lambda r: r.requester_name),
        Column(gettext_lazy("Droit exercé"), 24, lambda r: r.get_right_display()),
        Column(gettext_lazy("Ce qui est demandé"), 40, lambda r: r.details),
        Column(gettext_lazy("Traitement concerné"), 24,
               lambda r: r.processing.name if r.processing else ""),
        Column(gettext_lazy("Identité"), 20, lambda r: r.get_identity_display()),
        Column(gettext_lazy("Justificatif reçu le"), 12, lambda r: r.identity_received_on),
        Column(gettext_lazy("Délai prolongé"), 10, lambda r: _yes(r.extended)),
        Column(gettext_lazy("Motif de la prolongation"), 30, lambda r: r.extension_reason),
        Column(gettext_lazy("Personne prévenue le"), 12, lambda r: r.extension_notified_on),
        Column(gettext_lazy("Échéance"), 12, lambda r: request_services.deadline(r)),
        Column(gettext_lazy("Réponse envoyée le"), 12, lambda r: r.answered_on),
        Column(gettext_lazy("Issue"), 20, lambda r: r.get_outcome_display()),
        Column(gettext_lazy("Réponse apportée"), 40, lambda r: r.answer_notes),
        Column(gettext_lazy("Suivie par"), 22,
               lambda r: (r.handled_by.get_full_name() or r.handled_by.email)
               if r.handled_by else ""),
        Column(gettext_lazy("État"), 22, lambda r: request_services.state(r, today).label),
    ]


@org_view(roles=READ_ROLES)
@require_safe
def request_list_xlsx(request):
    """The whole log as Excel, by number; the export is audited (it names people)."""
    organisation = request.organisation
    rows = (PersonRequest.objects.filter(organisation=organisation)
            .select_related("processing", "handled_by").order_by("number")
            .iterator(chunk_size=500))
    content = documents.xlsx([documents.Sheet(_("Demandes"),
                                              _columns(timezone.localdate()), rows)],
                             title=_("Demandes d'exercice des droits — %(name)s")
                             % {"name": organisation.name})
    audit.record("privacy.requests_exported", request=request, organisation=organisation,
                 details={"format": "xlsx"})
    response = HttpResponse(content, content_type=documents.XLSX_TYPE)
    response["Content-Disposition"] = attachment(f"demandes-droits-{organisation.slug}",
                                                 "xlsx")
    return response


@org_view(roles=WRITE_ROLES, write=True)
def request_new(request):
    organisation = request.organisation
    form = RequestForm(request.POST or None, organisation=organisation,
                       initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            person_request = request_services.request_log(
                acting_user=request.user, organisation=organisation, **form.values(),
                request=request)
        except ValidationError as error:
            _invalid(form, error)
        else:
            messages.success(request, _("Demande %(ref)s enregistrée. Répondez au plus tard "
                                        "le %(day)s.") % {
                "ref": person_request.reference,
                "day": request_services.day_lazy(request_services.deadline(person_request))})
            return redirect("privacy_request", organisation.slug, person_request.pk)
    return render(request, "privacy/request_form.html", {"form": form},
                  status=_status(form))


# ----------------------------------------------------------------------------- one request

def timeline(person_request: PersonRequest, today: datetime.date) -> list[tuple]:
    """(date or None, text, done) of the request's steps, in order."""
    Identity = PersonRequest.Identity
    steps = [(person_request.received_on,
              _("Demande reçue (%(channel)s)") % {"channel": person_request.channel}
              if person_request.channel else _("Demande reçue"), True)]
    if person_request.identity != Identity.NOT_NEEDED:
        if person_request.identity_received_on:
            steps.append((person_request.identity_received_on,
                          _("Justificatif d'identité reçu : le délai d'un mois court de ce "
                            "jour"), True))
        elif person_request.identity == Identity.REQUESTED:
            steps.append((None, _("Justificatif d'identité demandé, pas encore reçu"),
                          False))
        else:
            steps.append((None, _("Identité vérifiée"), True))
    if person_request.extended:
        steps.append((person_request.extension_notified_on,
                      _("Personne prévenue de la prolongation de deux mois"), True))
    if person_request.answered_on:
        steps.append((person_request.answered_on,
                      _("Réponse envoyée : %(outcome)s")
                      % {"outcome": person_request.get_outcome_display().lower()}, True))
    else:
        steps.append((request_services.deadline(person_request),
                      _("Échéance provisoire de la réponse")
                      if request_services.awaiting_proof(person_request)
                      else _("Échéance de la réponse"), False))
    return steps


def _letters(request, person_request, today):
    return answers.letters(
        person_request, organisation=request.organisation,
        profile=PrivacyProfile.objects.filter(organisation=request.organisation).first(),
        today=today)


@org_view(roles=READ_ROLES)
def request_detail(request, personrequest_id):
    person_request = get_request_or_404(request, personrequest_id)
    today = timezone.localdate()
    letters = _letters(request, person_request, today)
    return render(request, "privacy/request_detail.html", {
        "person_request": person_request, "state": request_services.state(person_request,
                                                                          today),
        "timeline": timeline(person_request, today), "writes": _writes(request),
        "awaiting_proof": request_services.awaiting_proof(person_request),
        "can_extend": (not person_request.extended and person_request.answered_on is None
                       and today <= request_services.first_deadline(person_request)),
        "suggested": [letter for letter in letters if letter.suggested],
        "others": [letter for letter in letters if not letter.suggested],
    })


@org_view(roles=READ_ROLES)
@require_safe
def request_letter(request, personrequest_id, letter):
    """One answer letter, alone on its page, to print."""
    person_request = get_request_or_404(request, personrequest_id)
    found = next((item for item in _letters(request, person_request, timezone.localdate())
                  if item.slug == letter), None)
    if found is None:
        raise Http404
    return render(request, "privacy/request_letter.html",
                  {"person_request": person_request, "letter": found})


def _conflict_rows(form, current: PersonRequest) -> list[tuple]:
    """(label, the saved value, the value this person typed) for each field that differs."""
    rows = []
    for name in request_services.EDITABLE:
        theirs, yours = getattr(current, name), form.cleaned_data.get(name)
        if theirs != yours:
            field = form.fields[name]
            rows.append((field.label, _display(current, name, theirs),
                         _display(current, name, yours, field)))
    return rows


def _display(person_request, name, value, field=None) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if field is not None and hasattr(field, "label_from_instance"):
        return str(field.label_from_instance(value))
    choices = dict(PersonRequest._meta.get_field(name).flatchoices)
    return str(choices.get(value, value))


@org_view(roles=WRITE_ROLES, write=True)
def request_edit(request, personrequest_id):
    person_request = get_request_or_404(request, personrequest_id)
    organisation = request.organisation
    form = RequestForm(request.POST or None, instance=copy.copy(person_request),
                       organisation=organisation)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            request_services.request_update(
                acting_user=request.user, person_request=person_request,
                values=form.values(), revision=form.cleaned_data["revision"],
                request=request)
        except request_services.RequestConflict as error:
            current = error.current
            conflict = {"rows": _conflict_rows(form, current)}
            # Shown again with this person's values and the saved revision: saving again,
            # after reading, is a deliberate choice to replace the other version.
            data = request.POST.copy()
            data["revision"] = current.revision
            form = RequestForm(data, instance=current, organisation=organisation)
            form.is_valid()
        except ValidationError as error:
            _invalid(form, error)
        else:
            messages.success(request, _("Demande %(ref)s enregistrée.")
                             % {"ref": person_request.reference})
            return redirect("privacy_request", organisation.slug, person_request.pk)
    return render(request, "privacy/request_form.html",
                  {"form": form, "person_request": person_request, "conflict": conflict},
                  status=_status(form, conflict))


def _step_form(request, personrequest_id, *, form_class, initial, save, template, done):
    """The extension and the answer: a small form with the revision, a service, a
    message; a conflict shows the request as saved now."""
    person_request = get_request_or_404(request, personrequest_id)
    form = form_class(request.POST or None,
                      initial={"revision": person_request.revision, **initial(person_request)})
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            save(person_request, revision=data.pop("revision"), **data)
        except request_services.RequestConflict as error:
            conflict = error.current
        except ValidationError as error:
            _invalid(form, error)
        else:
            messages.success(request, done(person_request))
            return redirect("privacy_request", request.organisation.slug, person_request.pk)
    today = timezone.localdate()
    return render(request, template, {
        "person_request": person_request, "form": form, "conflict": conflict,
        "state": request_services.state(person_request, today),
        "first_deadline": request_services.first_deadline(person_request),
        "too_late": today > request_services.first_deadline(person_request),
    }, status=_status(form, conflict))


@org_view(roles=WRITE_ROLES, write=True)
def request_extend(request, personrequest_id):
    def save(person_request, *, revision, extension_reason, extension_notified_on):
        request_services.request_extend(
            acting_user=request.user, person_request=person_request,
            reason=extension_reason, notified_on=extension_notified_on, revision=revision,
            request=request)

    return _step_form(
        request, personrequest_id, form_class=ExtendForm, save=save,
        template="privacy/request_extend.html",
        initial=lambda r: {"extension_notified_on": timezone.localdate()},
        done=lambda r: _("Délai prolongé : répondez au plus tard le %(day)s.")
        % {"day": request_services.day_lazy(request_services.deadline(r))})


@org_view(roles=WRITE_ROLES, write=True)
def request_answer(request, personrequest_id):
    def save(person_request, *, revision, answered_on, outcome, answer_notes):
        request_services.request_answer(
            acting_user=request.user, person_request=person_request,
            answered_on=answered_on, outcome=outcome, answer_notes=answer_notes,
            revision=revision, request=request)

    return _step_form(
        request, personrequest_id, form_class=AnswerForm, save=save,
        template="privacy/request_answer.html",
        initial=lambda r: {"answered_on": r.answered_on or timezone.localdate(),
                           "outcome": r.outcome, "answer_notes": r.answer_notes},
        done=lambda r: _("Réponse à la demande %(ref)s enregistrée.")
        % {"ref": r.reference})


urlpatterns = [
    path("demandes/", request_list, name="privacy_requests"),
    path("demandes/export.xlsx", request_list_xlsx, name="privacy_requests_xlsx"),
    path("demandes/nouvelle/", request_new, name="privacy_request_new"),
    path("demandes/<int:personrequest_id>/", request_detail, name="privacy_request"),
    path("demandes/<int:personrequest_id>/modifier/", request_edit,
         name="privacy_request_edit"),
    path("demandes/<int:personrequest_id>/prolonger/", request_extend,
         name="privacy_request_extend"),
    path("demandes/<int:personrequest_id>/reponse/", request_answer,
         name="privacy_request_answer"),
    path("demandes/<int:personrequest_id>/lettres/<slug:letter>/", request_letter,
         name="privacy_request_letter"),
]
