"""The backups and their restore tests: each backup of the inventory with its status, one
backup's page (the 3-2-1-1-0 rule, its tests, the restore-time trend, the form to log a
test), logging a test, a test's page with its evidence files."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core.access import org_view
from pharmagarde.core.files import check_upload, download_response
from pharmagarde.core.i18n import translated
from pharmagarde.inventory.access import get_item_or_404
from pharmagarde.inventory.kinds import KINDS_BY_SLUG
from pharmagarde.inventory.models import Backup
from pharmagarde.lib.uploads import UploadError, display_name, storage_name

from .. import restore_services, restore_status
from ..access import get_restoreevidence_or_404, get_restoretest_or_404
from ..models import CriticalActivity, RestoreTest

BACKUPS = KINDS_BY_SLUG["sauvegardes"]
PAGE_SIZE = 50


def not_in_future(value: datetime.date):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("Cette date est dans le futur : notez le test une fois "
                                      "qu'il a eu lieu."))


class RestoreForm(forms.Form):
    backup = forms.ModelChoiceField(
        label=gettext_lazy("Sauvegarde testée"), queryset=Backup.objects.none(),
        error_messages={
            "required": gettext_lazy("Choisissez la sauvegarde que vous avez testée."),
            "invalid_choice": gettext_lazy("Choisissez une sauvegarde de la liste.")})
    tested_on = forms.DateField(
        label=gettext_lazy("Date du test"), validators=[not_in_future],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": gettext_lazy("Indiquez la date du test."),
                        "invalid": gettext_lazy("Indiquez une date, par exemple "
                                                "05/01/2026.")})
    what = forms.CharField(
        label=gettext_lazy("Ce qui a été restauré"), max_length=200,
        help_text=gettext_lazy("Par exemple : la base du LGO de la veille, sur le poste de "
                               "secours."),
        error_messages={"required": gettext_lazy("Dites ce qui a été restauré.")})
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Durée de la restauration, en minutes"), min_value=1,
        max_value=60 * 24 * 60,
        help_text=gettext_lazy("Du début de la restauration au moment où l'on a pu "
                               "retravailler : 90 pour une heure et demie."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": gettext_lazy("Indiquez la durée en minutes."),
                        "invalid": gettext_lazy("Indiquez une durée en minutes, avec des "
                                                "chiffres seulement, par exemple 45."),
                        "min_value": gettext_lazy("La durée est d'au moins une minute."),
                        "max_value": gettext_lazy("Plus de 60 jours : vérifiez la durée, "
                                                  "en minutes.")})
    result = forms.ChoiceField(
        label=gettext_lazy("Résultat"), choices=RestoreTest.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choisissez le résultat du test.")})
    activity = forms.ModelChoiceField(
        label=gettext_lazy("Activité concernée"), queryset=CriticalActivity.objects.none(),
        required=False, empty_label=gettext_lazy("Aucune en particulier"),
        help_text=gettext_lazy("Sa durée d'interruption maximale admissible (DMIA) sert de "
                               "repère pour la durée de restauration."),
        error_messages={"invalid_choice": gettext_lazy("Choisissez une activité de la "
                                                       "liste.")})
    performed_by = forms.CharField(label=gettext_lazy("Fait par"), max_length=150,
                                   required=False,
                                   help_text=gettext_lazy("La personne ou le prestataire."))
    notes = forms.CharField(label=gettext_lazy("Remarques"), max_length=3000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=gettext_lazy("Ce qui a manqué, ce qu'il faut "
                                                   "améliorer."))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["backup"].queryset = Backup.objects.filter(organisation=organisation)
        self.fields["activity"].queryset = CriticalActivity.objects.filter(
            organisation=organisation)


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Preuve du test"),
        help_text=gettext_lazy("Compte rendu du prestataire, capture d'écran, photo… (PDF, "
                               "image, texte ou document bureautique)."),
        error_messages={"required": gettext_lazy("Choisissez un fichier."),
                        "empty": gettext_lazy("Ce fichier est vide.")})


@org_view
def backup_list(request):
    """Every backup of the inventory with its status. Five queries, whatever the number."""
    backups = Backup.objects.filter(organisation=request.organisation).order_by("what", "pk")
    page = Paginator(backups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "continuity/backup_list.html", {
        "page": page,
        "rows": restore_status.statuses(page.object_list, timezone.localdate()),
        "inventory_kind": BACKUPS.slug,
    })


@org_view
def backup_detail(request, backup_id):
    backup = get_item_or_404(request, BACKUPS, backup_id)
    today = timezone.localdate()
    status = restore_status.status_of(backup, restore_status.tests_of([backup])[backup.pk],
                                      today)
    form = None
    if request.membership.can_write:
        form = RestoreForm(organisation=request.organisation,
                           initial={"backup": backup.pk, "tested_on": today,
                                    "what": backup.what})
    return render(request, "continuity/backup_detail.html", {
        "status": status, "backup": backup, "form": form,
        "chart": mark_safe(status.chart()),  # noqa: S308 - escaped by restore_status
        "inventory_kind": BACKUPS.slug,
    })


@org_view(write=True)
def restore_add(request):
    """Log a restore test (?sauvegarde=<id> chooses the backup)."""
    organisation = request.organisation
    if request.method == "POST":
        form = RestoreForm(request.POST, organisation=organisation)
        if form.is_valid():
            data = form.cleaned_data
            test = restore_services.restore_log(
                acting_user=request.user, organisation=organisation, backup=data["backup"],
                activity=data["activity"], tested_on=data["tested_on"], what=data["what"],
                duration_minutes=data["duration_minutes"], result=data["result"],
                performed_by=data["performed_by"], notes=data["notes"], request=request)
            messages.success(request, _("Test de restauration enregistré. Joignez-y une "
                                        "preuve si vous en avez une : compte rendu, capture "
                                        "d'écran."))
            return redirect("continuity_restore", organisation.slug, test.pk)
    else:
        initial = {"tested_on": timezone.localdate()}
        chosen = request.GET.get("sauvegarde", "")
        backup = (Backup.objects.filter(organisation=organisation, pk=chosen).first()
                  if chosen.isdigit() else None)
        if backup is not None:
            initial.update(backup=backup.pk, what=backup.what)
        form = RestoreForm(organisation=organisation, initial=initial)
    return render(request, "continuity/restore_form.html", {"form": form},
                  status=422 if form.errors else 200)


@org_view
def restore_detail(request, restoretest_id):
    """A test and its evidence; a POST (not for the read-only role) attaches a file."""
    test = get_restoretest_or_404(request, restoretest_id)
    form = EvidenceForm() if request.membership.can_write else None
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid() or getattr(request, "upload_too_large", False):
            uploaded = form.cleaned_data.get("file")
            try:
                content_type = check_upload(request, uploaded)
                name = display_name(uploaded.name)
                restore_services.evidence_add(
                    acting_user=request.user, test=test, uploaded=uploaded,
                    content_type=content_type, stored_name=storage_name(name),
                    original_name=name, request=request)
            except UploadError as error:
                form.errors.pop("file", None)
                form.add_error("file", translated(error.args[0]))
            except ValidationError as invalid:
                form.add_error("file", " ".join(invalid.messages))
            else:
                messages.success(request, _("Preuve ajoutée au test."))
                return redirect("continuity_restore", request.organisation.slug, test.pk)
    return render(request, "continuity/restore_detail.html", {
        "test": test, "form": form, "evidence": list(test.evidence.all()),
        "duration": restore_status.duration_label(test.duration_minutes),
        "dmia": restore_status.duration_label(test.activity.max_outage_hours * 60)
        if test.activity and test.activity.max_outage_hours is not None else "",
    }, status=422 if form is not None and form.errors else 200)


@org_view
def restoreevidence_download(request, restoreevidence_id):
    return download_response(get_restoreevidence_or_404(request, restoreevidence_id))


urlpatterns = [
    path("sauvegardes/", backup_list, name="continuity_backups"),
    path("sauvegardes/<int:backup_id>/", backup_detail, name="continuity_backup"),
    path("tests/ajouter/", restore_add, name="continuity_restore_add"),
    path("tests/<int:restoretest_id>/", restore_detail, name="continuity_restore"),
    path("tests/preuves/<int:restoreevidence_id>/", restoreevidence_download,
         name="continuity_restore_evidence"),
]
