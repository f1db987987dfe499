"""Sending profiles: the SMTP servers campaigns go through, their presets, saving one (the
password encrypted, never shown back) and testing it (a real connection and one message to
the person testing, the outcome kept on the profile and explained in plain French).

The test runs in the request, not in a task: it is one short connection, the person waits
for its answer, and no task ever carries the profile's password (encrypted or not)."""

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core import audit, crypto
from pharmagarde.core.concurrency import RevisionConflict, claim_revision

from . import sending
from .models import SendingProfile

PURPOSE = "awareness.smtp"
# What changes the connection: a profile tested before must be tested again.
CONNECTION_FIELDS = ("host", "port", "security", "username", "from_address")
FIELDS = ("name", *CONNECTION_FIELDS, "rate_per_minute")


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    host: str
    port: int
    security: str
    rate_per_minute: int
    note: str


# Conservative figures, below the limits the providers published when we wrote them: a
# campaign that stays under them is not cut off halfway as a spammer.
PRESETS = (
    Preset("microsoft365", gettext_lazy("Microsoft 365 (Exchange Online)"),
           "smtp.office365.com", 587, SendingProfile.Security.STARTTLS, 20,
           gettext_lazy("Microsoft limite un compte à 30 messages par minute et 10 000 "
                        "destinataires par jour ; l'envoi SMTP authentifié doit être "
                        "activé pour ce compte.")),
    Preset("google", gettext_lazy("Gmail ou Google Workspace"),
           "smtp.gmail.com", 587, SendingProfile.Security.STARTTLS, 10,
           gettext_lazy("Google limite à 2 000 messages par jour avec Workspace, 500 avec "
                        "un compte Gmail ; il faut un mot de passe d'application.")),
    Preset("ovhcloud", gettext_lazy("OVHcloud (MX Plan, e-mail Pro)"),
           "ssl0.ovh.net", 465, SendingProfile.Security.TLS, 3,
           gettext_lazy("OVHcloud limite l'hébergement mail à environ 200 messages par "
                        "heure et par compte.")),
    Preset("orange", gettext_lazy("Orange (messagerie Orange ou Orange Pro)"),
           "smtp.orange.fr", 465, SendingProfile.Security.TLS, 2,
           gettext_lazy("Orange limite fortement les envois d'une boîte personnelle : "
                        "réservez-la à une petite équipe.")),
    Preset("local", gettext_lazy("Relais local de la structure (sans limite)"),
           "localhost", 25, SendingProfile.Security.NONE, 0,
           gettext_lazy("Un serveur de messagerie interne qui relaie sans limite de débit ; "
                        "sans chiffrement, à n'utiliser que sur le réseau local.")),
)
PRESETS_BY_KEY = {preset.key: preset for preset in PRESETS}


class ProfileConflict(RevisionConflict):
    """Someone else saved the profile since the form was shown."""


def revised_save(model, *, organisation, row, fields: dict, revision: int | None,
                 conflict: type, also=None) -> tuple:
    """Create a row of `model` with `fields`, or update `row` if it is still at `revision`
    (else `conflict`). Returns (the row, the names of the fields changed): nothing is
    written when none changed. `also(changed)` gives more fields for an update to write.
    The awareness services' one way to save what a form edits."""
    if row is None:
        return model.objects.create(organisation=organisation, **fields), sorted(fields)
    changed = sorted(name for name, value in fields.items() if getattr(row, name) != value)
    if changed:
        claim_revision(model.objects.all(), row.pk, revision, conflict=conflict,
                       **fields, **(also(changed) if also else {}))
        row.refresh_from_db()
    return row, changed


def profile_save(*, acting_user, organisation, values: dict, password: str = "",
                 profile: SendingProfile | None = None, revision: int | None = None,
                 request=None) -> SendingProfile:
    """Create a profile or update `profile` (if still at `revision`). `values` holds FIELDS;
    an empty `password` keeps the current one. A change of the connection clears the last
    test: the profile must be tested again before a campaign uses it."""
    if profile is not None and profile.organisation_id != organisation.pk:
        raise ValueError("Ce profil n'est pas de cette structure.")
    fields = {name: values[name] for name in FIELDS}
    if password:
        fields["password"] = crypto.encrypt(password, purpose=PURPOSE)
    def untested(changed):
        if password or any(name in CONNECTION_FIELDS for name in changed):
            return {"tested_at": None, "test_ok": None, "test_message": ""}
        return {}

    with transaction.atomic():
        profile, changed = revised_save(SendingProfile, organisation=organisation,
                                        row=profile, fields=fields, revision=revision,
                                        conflict=ProfileConflict, also=untested)
        if not changed:
            return profile
        audit.record("awareness.profile_saved", actor=acting_user, organisation=organisation,
                     obj=profile, request=request,
                     details={"champs": ", ".join(name for name in changed
                                                  if name != "password"),
                              "mot_de_passe_change": "oui" if password else "non"})
    return profile


def explain(error: BaseException) -> str:
    """What went wrong with the server, for someone who is not an IT person."""
    if isinstance(error, crypto.InvalidToken):
        return _("Le mot de passe enregistré ne peut plus être lu (la clé de chiffrement a "
                 "changé) : saisissez-le à nouveau.")
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return _("Le serveur a refusé l'identifiant ou le mot de passe. Vérifiez-les ; "
                 "Gmail et Microsoft 365 demandent souvent un mot de passe d'application.")
    if isinstance(error, smtplib.SMTPNotSupportedError) and "AUTH" in str(error):
        return _("Ce serveur n'accepte pas d'identification : laissez l'identifiant vide "
                 "(relais local), ou vérifiez le port et la sécurité.")
    if isinstance(error, smtplib.SMTPNotSupportedError | ssl.SSLError):
        return _("La connexion chiffrée a été refusée : essayez l'autre réglage de sécurité "
                 "(STARTTLS sur le port 587, TLS implicite sur le port 465).")
    if isinstance(error, smtplib.SMTPSenderRefused):
        return _("Le serveur refuse d'envoyer depuis l'adresse d'envoi : utilisez l'adresse "
                 "du compte, ou une adresse qu'il a le droit d'utiliser.")
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return _("Le serveur a refusé votre adresse comme destinataire du message de test.")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return _("Le serveur a coupé la connexion : le port ou le réglage de sécurité ne "
                 "correspond sans doute pas (465 va avec TLS implicite, 587 avec STARTTLS).")
    if isinstance(error, socket.gaierror):
        return _("Serveur introuvable : vérifiez son nom (par exemple smtp.office365.com).")
    if isinstance(error, TimeoutError | ConnectionError | OSError):
        return _("Serveur injoignable : vérifiez son nom et son port, et que le pare-feu "
                 "laisse sortir cette connexion.")
    if isinstance(error, smtplib.SMTPResponseException):
        detail = error.smtp_error.decode(errors="replace")[:150] \
            if isinstance(error.smtp_error, bytes) else str(error.smtp_error)[:150]
        return _("Le serveur a répondu par une erreur (%(code)s %(detail)s).") % {
            "code": error.smtp_code, "detail": detail}
    return _("L'envoi a échoué (%(error)s).") % {"error": str(error)[:150]}


def send_test(profile: SendingProfile, message: EmailMessage) -> None:
    """Connect through `profile` and send `message` (the SMTP or network error raised)."""
    connection = sending.smtp_connect(profile, timeout=15)
    try:
        connection.send_message(message, from_addr=profile.from_address)
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()


def test_message(profile: SendingProfile, to_address: str, *, subject: str,
                 body: str, sender: str = "") -> EmailMessage:
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = sender or profile.from_address
    message["To"] = to_address
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid(domain=profile.from_address.rpartition("@")[2] or None)
    message.set_content(body)
    return message


def profile_test(*, acting_user, profile: SendingProfile, to_address: str,
                 request=None) -> tuple[bool, str]:
    """Connect, send one message to `to_address`, and keep the outcome on the profile:
    (it worked, the message shown)."""
    message = test_message(
        profile, to_address,
        subject=_("Pharmagarde : test du profil d'envoi « %(name)s »") % {"name": profile.name},
        body=_("Ce message confirme que Pharmagarde peut envoyer des e-mails par le serveur "
               "%(host)s. Vous pouvez le supprimer.\n") % {"host": profile.host})
    try:
        send_test(profile, message)
    except (smtplib.SMTPException, OSError, crypto.InvalidToken) as error:
        ok, text = False, explain(error)
    else:
        ok, text = True, _("Message de test envoyé à %(address)s.") % {"address": to_address}
    with transaction.atomic():
        SendingProfile.objects.filter(pk=profile.pk).update(
            tested_at=timezone.now(), test_ok=ok, test_message=text[:300])
        audit.record("awareness.profile_tested", actor=acting_user,
                     organisation=profile.organisation, obj=profile, request=request,
                     details={"resultat": "réussi" if ok else "échoué"})
    profile.refresh_from_db()
    return ok, text
