"""The reporting mailbox: where the staff forward a suspicious e-mail, read by the worker
every 5 minutes (imap.py). The responsable and the référent set it and test it; the DPO and
the auditor see how it is set and when it was last read."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pharmagarde.core import audit
from pharmagarde.core.access import org_view

from .. import imap
from ..roles import MANAGE_ROLES, READ_ROLES


class MailboxForm(forms.Form):
    host = forms.CharField(
        label=gettext_lazy("Serveur IMAP"), max_length=200,
        help_text=gettext_lazy("Donné par votre messagerie, par exemple imap.example.fr "
                               "ou outlook.office365.com."),
        error_messages={"required": gettext_lazy("Indiquez l'adresse du serveur IMAP.")})
    port = forms.IntegerField(
        label=gettext_lazy("Port"), min_value=1, max_value=65535, initial=993,
        help_text=gettext_lazy("993 en général (avec TLS), 143 sans."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": gettext_lazy("Indiquez le port, par exemple 993."),
                        "invalid": gettext_lazy("Indiquez un nombre, par exemple 993."),
                        "min_value": gettext_lazy("Un port va de 1 à 65535."),
                        "max_value": gettext_lazy("Un port va de 1 à 65535.")})
    tls = forms.BooleanField(
        label=gettext_lazy("TLS implicite (connexion chiffrée dès le départ)"),
        required=False, initial=True,
        help_text=gettext_lazy("À laisser coché, sauf pour un serveur de votre réseau "
                               "local."))
    username = forms.CharField(
        label=gettext_lazy("Identifiant"), max_length=200,
        help_text=gettext_lazy("Souvent l'adresse de la boîte elle-même."),
        error_messages={"required": gettext_lazy("Indiquez l'identifiant de la boîte.")})
    password = forms.CharField(
        label=gettext_lazy("Mot de passe"), max_length=500, required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Enregistré chiffré, jamais affiché. Laissez vide pour "
                               "garder le mot de passe déjà enregistré."))
    folder = forms.CharField(
        label=gettext_lazy("Dossier"), max_length=100, initial="INBOX",
        help_text=gettext_lazy("INBOX est la boîte de réception."),
        error_messages={"required": gettext_lazy("Indiquez le dossier, par exemple "
                                                 "INBOX.")})
    enabled = forms.BooleanField(
        label=gettext_lazy("Relever la boîte toutes les 5 minutes"), required=False,
        initial=True)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, mailbox=None, **kwargs):
        if mailbox is not None:
            kwargs.setdefault("initial", {
                **{name: getattr(mailbox, name) for name in imap.FIELDS},
                "revision": mailbox.revision})
        super().__init__(*args, **kwargs)
        self.mailbox = mailbox

    def clean(self):
        data = super().clean()
        no_password_yet = self.mailbox is None or not self.mailbox.password
        if no_password_yet and not data.get("password") and "password" not in self.errors:
            self.add_error("password", _("Indiquez le mot de passe de la boîte."))
        return data


@org_view(roles=READ_ROLES)
def awareness_mailbox(request):
    can_edit = request.membership.role in MANAGE_ROLES
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("Votre rôle ne permet pas de régler la boîte de "
                                 "signalement."))
    mailbox = imap.mailbox_of(request.organisation)
    form = MailboxForm(request.POST or None, mailbox=mailbox) if can_edit else None
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            imap.mailbox_save(acting_user=request.user, organisation=request.organisation,
                              values={name: data[name] for name in imap.FIELDS},
                              password=data["password"], revision=data["revision"],
                              request=request)
        except imap.MailboxConflict as error:
            conflict = error.current
        else:
            messages.success(request, _("Boîte de signalement enregistrée. Utilisez "
                                        "« Tester » pour vérifier la connexion."))
            return redirect("awareness_mailbox", request.organisation.slug)
    status = 409 if conflict else 422 if form is not None and form.errors else 200
    return render(request, "awareness/mailbox.html", {
        "mailbox": mailbox, "form": form, "conflict": conflict, "can_edit": can_edit},
        status=status)


@org_view(roles=MANAGE_ROLES, write=True)
@require_POST
def awareness_mailbox_test(request):
    mailbox = imap.mailbox_of(request.organisation)
    if mailbox is None:
        messages.error(request, _("Enregistrez d'abord la boîte, puis testez-la."))
        return redirect("awareness_mailbox", request.organisation.slug)
    ok, text = imap.mailbox_test(mailbox)
    audit.record("awareness.mailbox_tested", organisation=request.organisation, obj=mailbox,
                 request=request, details={"resultat": "réussi" if ok else "échec"})
    (messages.success if ok else messages.error)(request, text)
    return redirect("awareness_mailbox", request.organisation.slug)


urlpatterns = [
    path("boite-de-signalement/", awareness_mailbox, name="awareness_mailbox"),
    path("boite-de-signalement/tester/", awareness_mailbox_test,
         name="awareness_mailbox_test"),
]
