"""The information notices (art. 13 GDPR), written from the register: one for the patients
and customers (displayed in the pharmacy or handed out), one for the staff (with the video
protection and, when used, the phishing tests they are told of beforehand: Code du travail,
art. L. 1222-4).

Which processings a notice covers is read from their « personnes concernées »: a line that
names patients, customers or visitors puts the processing in the patients' notice; one that
names employees, staff, candidates, interns or temps in the staff notice. The notice page
lists the processings it took, so the DPO sees why and can change the register. Processings
marked as not in use are left out; those still « à confirmer » are included and flagged.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import LegalBasis, PrivacyProfile, Processing

PATIENTS, STAFF = "patients", "personnel"
AUDIENCES = (PATIENTS, STAFF)

_WORDS = {
    PATIENTS: re.compile(r"patient|client|usager|visiteur|public|aidant|parent",
                         re.IGNORECASE),
    STAFF: re.compile(r"salari|personnel|employ|candidat|stagiaire|int[ée]rim|apprenti|"
                      r"collaborat|agent|équipe|equipe", re.IGNORECASE),
}

# What the legal basis means for the person, in plain words.
BASIS_WORDS = {
    LegalBasis.CONSENT: gettext_lazy("votre consentement, que vous pouvez retirer à tout moment"),
    LegalBasis.CONTRACT: gettext_lazy("le contrat qui nous lie"),
    LegalBasis.LEGAL_OBLIGATION: gettext_lazy("une obligation que la loi nous impose"),
    LegalBasis.VITAL: gettext_lazy("la protection de votre vie ou de votre santé"),
    LegalBasis.PUBLIC_TASK: gettext_lazy("une mission d'intérêt public"),
    LegalBasis.LEGITIMATE: gettext_lazy("notre intérêt légitime"),
}


def audiences(processing: Processing) -> set[str]:
    people = processing.people
    return {audience for audience, words in _WORDS.items() if words.search(people)}


@dataclass
class NoticeEntry:
    processing: Processing
    basis: str
    retentions: list
    to_confirm: bool
    is_video: bool = False


@dataclass
class Notice:
    audience: str
    profile: PrivacyProfile
    entries: list[NoticeEntry] = field(default_factory=list)
    video: bool = False
    # The video protection is a processing of the register: its section says it there.
    video_in_entries: bool = False
    phishing: bool = False
    transfers: bool = False
    missing: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.audience == PATIENTS:
            return _("Vos données personnelles dans notre structure")
        return _("Information du personnel sur ses données personnelles")


def _is_video(processing: Processing) -> bool:
    return processing.key.startswith("video") or "vidéo" in processing.name.lower()


def notice(organisation, audience: str) -> Notice:
    """The notice for `audience`: two queries (the profile, the processings with their
    retention periods)."""
    profile = (PrivacyProfile.objects.filter(organisation=organisation).first()
               or PrivacyProfile(organisation=organisation))
    processings = (Processing.objects.filter(organisation=organisation)
                   .exclude(in_use=False).prefetch_related("retentions").order_by("number"))
    result = Notice(audience=audience, profile=profile)
    for processing in processings:
        if audience not in audiences(processing):
            continue
        result.entries.append(NoticeEntry(
            processing=processing,
            basis=str(BASIS_WORDS.get(processing.legal_basis, "")),
            retentions=list(processing.retentions.all()),
            to_confirm=processing.in_use is None, is_video=_is_video(processing)))
        result.video_in_entries = result.video_in_entries or _is_video(processing)
        result.video = result.video or result.video_in_entries
        result.transfers = result.transfers or processing.transfers == "oui"
    if profile.video_surveillance:
        result.video = True
    result.phishing = audience == STAFF and bool(profile.phishing_tests)
    if not profile.controller:
        result.missing.append(_("le nom du responsable du traitement"))
    if not profile.contact:
        result.missing.append(_("l'adresse pour exercer ses droits"))
    if not result.entries:
        result.missing.append(_("les traitements qui concernent ces personnes"))
    return result
