"""The emergency contacts of an organisation: the public ones we prefill, the slots the
structure fills itself, and the lists the pages and the reflex sheets show.

Public contacts (PUBLIC_CONTACTS) are written by us from the services' public sites, as of
2026: numbers and addresses that are the same for every structure. Check them once a year.
The slots (SLOTS) are the contacts only the structure knows (its IT provider, its software
vendor, its insurer…): never rows until someone fills them, shown as « à compléter ».

Prefilling, decided once for all:
- `contacts_prefill(organisation)` writes the public contacts of the organisation's kind
  (CERT Santé only for laboratories and PUI) when the organisation has no contact at all:
  on the first visit of the list, of its printed page or of a reflex sheet. It is
  idempotent: a second call, or a second visitor at the same moment, adds nothing.
- A public contact the structure removed is not forced back while its list holds anything:
  the list offers it again (`offered_again`), one click fills the form with it. A list
  emptied of every contact is prefilled again on the next visit: an empty list of
  emergency numbers helps no one at 1 am.
- A structure keeps at most MAX_CONTACTS contacts: the list and the printed page stay one
  query and one page.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pharmagarde.core import audit
from pharmagarde.core.models import Organisation

from .models import EmergencyContact

Kind = EmergencyContact.Kind
MAX_CONTACTS = 100

# The order of the list and of the printed page: who is called first comes first.
KIND_ORDER = {kind: 10 * position for position, kind in enumerate([
    Kind.IT_PROVIDER, Kind.SOFTWARE_VENDOR, Kind.HOST, Kind.POLICE, Kind.INSURER,
    Kind.CYBERMALVEILLANCE, Kind.CERT_SANTE, Kind.CNIL, Kind.DPO, Kind.ARS, Kind.ORDRE,
    Kind.OTHER], start=1)}


@dataclass(frozen=True)
class PublicContact:
    kind: str
    name: str
    phone: str = ""
    website: str = ""
    notes: str = ""
    organisation_kinds: tuple[str, ...] = ()  # empty: every kind of organisation

    def applies(self, organisation_kind: str) -> bool:
        return not self.organisation_kinds or organisation_kind in self.organisation_kinds

    def covered_by(self, contact: EmergencyContact) -> bool:
        """Whether `contact` takes this public contact's place in a list: one of the same
        kind (« autre » holds several: the same number)."""
        if contact.kind != self.kind:
            return False
        return self.kind != Kind.OTHER or digits(contact.phone) == digits(self.phone)

    def as_initial(self) -> dict:
        return {"kind": self.kind, "name": str(self.name), "phone": self.phone,
                "website": self.website, "notes": str(self.notes)}


PUBLIC_CONTACTS = (
    PublicContact(
        kind=Kind.POLICE, name=_("Police ou gendarmerie"), phone="17",
        website="https://www.masecurite.interieur.gouv.fr",
        notes=_("Le 17 en cas d'urgence. Plainte au commissariat, à la brigade ou en ligne "
                "sur Ma Sécurité (vol d'appareil) ; dans les 72 heures si vous êtes assuré "
                "contre le risque cyber.")),
    PublicContact(
        kind=Kind.CYBERMALVEILLANCE, name=_("Cybermalveillance.gouv.fr"),
        phone="0 805 805 817", website="https://www.cybermalveillance.gouv.fr",
        notes=_("Le dispositif public d'assistance aux victimes : conseils, diagnostic en "
                "ligne, prestataires proches de chez vous. Appel gratuit.")),
    PublicContact(
        kind=Kind.CERT_SANTE, name=_("CERT Santé (Agence du numérique en santé)"),
        website="https://signalement.social-sante.gouv.fr",
        notes=_("Signalement sur le portail des événements sanitaires indésirables : "
                "« professionnel de santé », puis « incident de sécurité des systèmes "
                "d'information ». Équipe joignable jour et nuit."),
        organisation_kinds=("lbm", "pui")),
    PublicContact(
        kind=Kind.CNIL, name=_("CNIL — notification d'une violation de données"),
        website="https://notifications.cnil.fr",
        notes=_("À notifier dans les 72 heures quand la violation présente un risque pour "
                "les personnes. Guides et explications : www.cnil.fr.")),
    PublicContact(
        kind=Kind.ORDRE, name=_("Ordre national des pharmaciens"),
        website="https://www.ordre.pharmacien.fr",
        notes=_("Conseils et coordonnées de votre conseil de l'Ordre.")),
    PublicContact(
        kind=Kind.OTHER, name=_("Aide aux victimes (France Victimes)"), phone="116 006",
        notes=_("Écoute et accompagnement des victimes, y compris d'une cyberattaque. "
                "Appel gratuit, 7 jours sur 7.")),
)

# The contacts only the structure knows, with what to write down.
SLOTS = {
    Kind.IT_PROVIDER: _("Le numéro d'assistance de votre prestataire informatique et votre "
                        "numéro de client."),
    Kind.SOFTWARE_VENDOR: _("L'assistance de l'éditeur de votre logiciel métier (logiciel "
                            "d'officine, du laboratoire ou de la PUI)."),
    Kind.HOST: _("L'hébergeur de vos données ou de votre site, s'il n'est pas l'éditeur."),
    Kind.INSURER: _("Votre assureur et le numéro du contrat : un sinistre cyber se déclare "
                    "vite."),
    Kind.ARS: _("Le point de contact de votre agence régionale de santé pour les "
                "signalements."),
    Kind.DPO: _("Votre délégué à la protection des données, s'il y en a un."),
}

# Loosely: digits, spaces, dots and dashes, a « + » first.
PHONE = re.compile(r"^\+?[0-9][0-9 .-]*$")


def digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())


def tel_uri(phone: str) -> str:
    """The `tel:` link of a phone number as typed (« 0 805 805 817 »)."""
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + digits(phone)


def public_contacts(organisation_kind: str) -> list[PublicContact]:
    return [entry for entry in PUBLIC_CONTACTS if entry.applies(organisation_kind)]


def public_contact(organisation_kind: str, kind: str) -> PublicContact | None:
    """The public contact of `kind` for this kind of organisation (the first of « autre »)."""
    return next((entry for entry in public_contacts(organisation_kind) if entry.kind == kind),
                None)


def contacts_prefill(organisation: Organisation) -> int:
    """Write the public contacts of an organisation that has no contact at all; returns
    how many were written (0: it had some already). One audit entry says where they came
    from."""
    with transaction.atomic():
        # Two first visits at once: the second waits here, then finds the rows.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if EmergencyContact.objects.filter(organisation=organisation).exists():
            return 0
        # Written in the site's language, whoever visits first.
        with translation.override(settings.LANGUAGE_CODE):
            rows = [EmergencyContact(organisation=organisation, kind=entry.kind,
                                     name=str(entry.name), phone=entry.phone,
                                     website=entry.website, notes=str(entry.notes),
                                     order=KIND_ORDER[entry.kind], public=True)
                    for entry in public_contacts(organisation.kind)]
        EmergencyContact.objects.bulk_create(rows)
        audit.record("incident.contact_saved", organisation=organisation,
                     actor_label="Pharmagarde",
                     details={"contacts publics préremplis": len(rows)})
    return len(rows)


def organisation_contacts(organisation: Organisation) -> list[EmergencyContact]:
    """Every contact of the organisation in the order of the list, prefilled on the first
    visit, each with its `tel` link. One query once prefilled."""
    rows = _contacts(organisation)
    if not rows and contacts_prefill(organisation):
        rows = _contacts(organisation)
    return rows


def _contacts(organisation):
    rows = list(EmergencyContact.objects.filter(organisation=organisation)
                .order_by("order", "name", "id")[:MAX_CONTACTS])
    for contact in rows:
        contact.tel = tel_uri(contact.phone) if contact.phone else ""
    return rows


def missing_slots(contacts: list[EmergencyContact]) -> list[tuple[str, str, str]]:
    """(kind, label, what to write down) of each slot no contact fills yet."""
    present = {contact.kind for contact in contacts}
    return [(kind, Kind(kind).label, hint) for kind, hint in SLOTS.items()
            if kind not in present]


def offered_again(organisation_kind: str,
                  contacts: list[EmergencyContact]) -> list[PublicContact]:
    """The public contacts that no contact of the list covers: removed by the structure,
    offered again, never forced back."""
    return [entry for entry in public_contacts(organisation_kind)
            if not any(entry.covered_by(contact) for contact in contacts)]


def called(contacts: list[EmergencyContact],
           kinds: list[str]) -> list[tuple[str, list[EmergencyContact]]]:
    """For each contact kind a reflex sheet calls, in the order given: its label and the
    organisation's contacts of that kind (none: a line to fill in by hand)."""
    return [(Kind(kind).label, [contact for contact in contacts if contact.kind == kind])
            for kind in kinds]
