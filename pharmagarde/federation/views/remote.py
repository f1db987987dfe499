"""Federations across servers (signing.py, remote_services.py).

- In a member organisation, « Partager avec une fédération sur un autre serveur »: its
  public key and fingerprint, the values a file would carry, and the signed file for the
  federation identifier typed.
- In a federation, « Ajouter une structure d'un autre serveur » (its public key and a
  label) and « Importer des agrégats signés » (the file; every refusal next to the field).

Responsables only, on both sides."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pharmagarde.core.access import org_view
from pharmagarde.core.metrics import RATE, SHARE
from pharmagarde.core.registry import FEDERATIONS

from .. import remote_services as services
from .. import signing
from .. import values as federation_values
from ..models import Contribution

PAGE_SIZE = 25
# A real file is a few kilobytes (a few dozen numbers).
MAX_FILE_BYTES = 256 * 1024


class ExportForm(forms.Form):
    federation = forms.CharField(
        label=gettext_lazy("Identifiant de la fédération"), max_length=40,
        help_text=gettext_lazy("Il commence par PGF- ; la fédération vous l'a donné. Le "
                               "fichier ne servira qu'à elle."),
        error_messages={"required": gettext_lazy("Indiquez l'identifiant que la fédération "
                                                 "vous a donné.")})


class RemoteAddForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Nom dans votre liste"), max_length=150,
        help_text=gettext_lazy("Pour vous y retrouver, par exemple « Pharmacie de la Gare, "
                               "Rennes ». Il reste sur ce serveur."),
        error_messages={"required": gettext_lazy("Donnez un nom à cette structure.")})
    public_key = forms.CharField(
        label=gettext_lazy("Clé publique de la structure"), max_length=200,
        help_text=gettext_lazy("44 caractères, affichés sur sa page « Partager avec une "
                               "fédération ». Vérifiez l'empreinte avec elle, par téléphone."),
        error_messages={"required": gettext_lazy("Collez la clé publique de la structure.")})


class ImportForm(forms.Form):
    # Not required by the field: a file cut short by the upload limit is missing too, and
    # says so (clean_document).
    document = forms.FileField(
        label=gettext_lazy("Fichier d'agrégats signés (.json)"), required=False,
        help_text=gettext_lazy("Le fichier que la structure a téléchargé sur son serveur."),
        error_messages={"empty": gettext_lazy("Ce fichier est vide.")})

    def __init__(self, *args, too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.fields["document"].widget.attrs["accept"] = ".json,application/json"

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if upload is None and not self.too_large:
            raise ValidationError(_("Choisissez le fichier reçu de la structure."))
        if self.too_large or upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("Ce fichier est trop gros pour un fichier d'agrégats "
                                    "(%(limit)s Ko au plus) : ce n'en est pas un.")
                                  % {"limit": MAX_FILE_BYTES // 1024})
        return upload


def _posted(request):
    """The form's data on POST, even empty (an empty POST shows its errors)."""
    return request.POST if request.method == "POST" else None


def preview_rows(found: dict) -> list[dict]:
    """What the file would carry, in words: each metric of the catalogue with a value."""
    catalogue = federation_values.catalogue()
    rows = []
    for key, metric in catalogue.items():
        if key not in found:
            continue
        value = found[key]
        if metric.kind == SHARE:
            shown = _("oui") if value else _("non")
        elif metric.kind == RATE:
            shown = _("%(count)s sur %(total)s") % {"count": value[0], "total": value[1]}
        else:
            shown = number_format(value, decimal_pos=0 if value == int(value) else 1)
        rows.append({"key": key, "label": metric.label, "value": shown})
    return rows


@org_view(manage=True)
def federation_share(request):
    organisation = request.organisation
    form = ExportForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            data = services.aggregate_export(organisation=organisation,
                                             acting_user=request.user,
                                             federation=form.cleaned_data["federation"],
                                             request=request)
        except ValidationError as error:
            form.add_error("federation", error)
        else:
            response = HttpResponse(data, content_type="application/json; charset=utf-8")
            name = f"agregats-{timezone.localdate():%Y-%m-%d}.json"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    # Reading the page writes nothing: the key is made on « Créer la clé de signature »
    # (federation_key_create) or by the first export.
    key = services.signing_key_find(organisation=organisation)
    return render(request, "federation/remote_share.html", {
        "form": form, "public_key": key.public_key if key else "",
        "fingerprint": signing.fingerprint_display(signing.fingerprint(key.public_key))
        if key else "",
        "rows": preview_rows(services.aggregate_preview(organisation=organisation)),
        "organisation_facts": {"kind": organisation.get_kind_display(),
                               "region": organisation.get_region_display(),
                               "size_band": organisation.get_size_band_display()},
    })


@org_view(manage=True)
@require_POST
def federation_key_create(request):
    key = services.signing_key_get(organisation=request.organisation,
                                   acting_user=request.user, request=request)
    messages.success(request, _("Votre clé de signature est prête (empreinte "
                                "%(fingerprint)s) : donnez la clé publique à la fédération.")
                     % {"fingerprint": signing.fingerprint_display(
                         signing.fingerprint(key.public_key))})
    return redirect("federation_share", org_slug=request.organisation.slug)


@org_view(manage=True)
@require_POST
def federation_key_replace(request):
    key = services.signing_key_replace(organisation=request.organisation,
                                       acting_user=request.user, request=request)
    messages.success(request, _("Votre nouvelle clé est prête (empreinte %(fingerprint)s). "
                                "Les fichiers signés par l'ancienne seront refusés : donnez "
                                "la nouvelle clé publique à chaque fédération, qui doit "
                                "ajouter la structure à nouveau.")
                     % {"fingerprint": signing.fingerprint_display(
                         signing.fingerprint(key.public_key))})
    return redirect("federation_share", org_slug=request.organisation.slug)


@org_view(audience=FEDERATIONS, manage=True)
def federation_remote_add(request):
    form = RemoteAddForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            member = services.remote_member_add(
                federation=request.organisation, acting_user=request.user,
                public_key=form.cleaned_data["public_key"], label=form.cleaned_data["label"],
                request=request)
        except ValidationError as error:
            form.add_error("public_key", error)
        else:
            messages.success(request, _("%(name)s est ajoutée (empreinte %(fingerprint)s). "
                                        "Importez maintenant le fichier qu'elle vous "
                                        "enverra.")
                             % {"name": member.label, "fingerprint":
                                signing.fingerprint_display(member.key_fingerprint)})
            return redirect("federation_import", org_slug=request.organisation.slug)
    return render(request, "federation/remote_add.html", {
        "form": form, "identifier": signing.federation_identifier(request.organisation)})


@org_view(audience=FEDERATIONS, manage=True)
def federation_import(request):
    form = ImportForm(_posted(request), request.FILES if request.method == "POST" else None,
                      too_large=getattr(request, "upload_too_large", False))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["document"]
        try:
            contribution = services.aggregate_import(
                federation=request.organisation, acting_user=request.user,
                data=upload.read(MAX_FILE_BYTES + 1), request=request)
        except ValidationError as error:
            form.add_error("document", error)
        else:
            messages.success(request, _("Les agrégats de %(name)s sont importés (valeurs au "
                                        "%(date)s).")
                             % {"name": contribution.federation_member,
                                "date": date_format(timezone.localtime(contribution.as_of),
                                                    "SHORT_DATETIME_FORMAT")})
            return redirect("federation_import", org_slug=request.organisation.slug)
    imports = (Contribution.objects.filter(organisation=request.organisation)
               .select_related("federation_member", "imported_by")
               .defer("document").order_by("-imported_at", "-id"))
    return render(request, "federation/remote_import.html", {
        "form": form, "identifier": signing.federation_identifier(request.organisation),
        "page": Paginator(imports, PAGE_SIZE).get_page(request.GET.get("page")),
    })


urlpatterns = [
    path("partager/", federation_share, name="federation_share"),
    path("partager/cle/", federation_key_create, name="federation_key_create"),
    path("partager/nouvelle-cle/", federation_key_replace, name="federation_key_replace"),
    path("membres/autre-serveur/", federation_remote_add, name="federation_remote_add"),
    path("membres/importer/", federation_import, name="federation_import"),
]
