"""Data protection's part of the audit packs: the register of processing (art. 30), the
processors and their contracts (art. 28), people's requests (art. 12 and 15 to 22), the
impact assessments (art. 35) and the information notices (art. 13), the staff's included.

Each part is counted by the app's own rules (register_checks, processor_services.findings,
request_services.state, notices.notice), in a fixed number of queries whatever the size of
the register. Requesters' names never appear: the pack shows dates, rights and states.
"""


from django.db.models import F, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pharmagarde.core.packs import (
    CNIL,
    COFRAC,
    GENERAL,
    NIS2,
    Evidence,
    Facts,
    PackRequest,
    Paragraph,
    Section,
    Table,
    day_text,
    local_day,
)
from pharmagarde.lib.dates import add_months

from . import notices, processor_services, register_checks, request_services
from .models import Dpia, PersonRequest, PrivacyProfile, Processing, Processor, Retention

REGISTER, PROCESSORS, REQUESTS, DPIAS, NOTICES = (
    "privacy.register", "privacy.processors", "privacy.requests", "privacy.dpia",
    "privacy.notices")
REFERENCES = {
    REGISTER: ("RGPD, art. 30",),
    PROCESSORS: ("RGPD, art. 28(3)", "NIS 2, art. 21(2)(d)", "ISO 15189:2022 § 7.6.5"),
    REQUESTS: ("RGPD, art. 12(3)",),
    DPIAS: ("RGPD, art. 35",),
    NOTICES: ("RGPD, art. 13 et 14", "RGPD, art. 13 ; code du travail, art. L. 1222-4"),
}


def _yes(value) -> str:
    return {True: _("oui"), False: _("non"), None: _("à confirmer")}[value]


def _profile(pack: PackRequest) -> PrivacyProfile:
    return (PrivacyProfile.objects.filter(organisation=pack.organisation).first()
            or PrivacyProfile(organisation=pack.organisation))


def register(pack: PackRequest) -> Section:
    profile = _profile(pack)
    processings = list(Processing.objects.filter(organisation=pack.organisation)
                       .prefetch_related(Prefetch("retentions",
                                                  queryset=Retention.objects.all()))
                       .order_by("number"))
    summary = register_checks.register_summary(processings)
    active = [item for item in processings if register_checks.is_active(item)]
    confirmed = sum(1 for item in active if item.confirmed_at)
    blocks = []
    if not processings:
        blocks.append(Paragraph(_("Le registre des traitements est vide. Pharmagarde le "
                                  "préremplit avec les traitements habituels de votre type "
                                  "de structure : ouvrez « Données personnelles ».")))
    blocks += [
        Facts(((_("Traitements en usage ou à confirmer"), str(summary.total)),
               (_("Complets"), str(summary.complete)),
               (_("Relus et confirmés"), str(confirmed)),
               (_("Déclarés non mis en œuvre"), str(summary.not_in_use)),
               (_("Dernière revue du registre"), day_text(profile.register_reviewed_at)))),
        Table(columns=(_("N°"), _("Traitement"), _("Base légale"), _("Données de santé"),
                       _("Mis en œuvre"), _("Relu le"), _("À compléter")),
              rows=tuple((item.number, item.name, str(item.get_legal_basis_display()),
                          _yes(item.health_data), _yes(item.in_use), local_day(item.confirmed_at),
                          len(register_checks.problems(item))) for item in processings),
              caption=_("Le registre des activités de traitement"), sheet=_("Registre"),
              empty=_("Aucun traitement inscrit au registre.")),
    ]
    return Section(key=REGISTER, title=_("Registre des traitements"), order=60, blocks=blocks,
                   references=REFERENCES[REGISTER],
                   evidence=[Evidence(_("Revue du registre des traitements"),
                                      local_day(profile.register_reviewed_at))])


def processors(pack: PackRequest) -> Section:
    found = list(Processor.objects.filter(organisation=pack.organisation)
                 .prefetch_related(processor_services.accounts_with_mfa()).order_by("name"))
    rows, missing_clauses = [], 0
    for processor in found:
        problems = processor_services.findings(processor, pack.today)
        clauses = next((item for item in problems if item.key == "clauses"), None)
        missing_clauses += clauses is not None
        rows.append((processor.name, str(processor.get_service_display()),
                     processor.contract_signed_on, processor.reviewed_on,
                     clauses.detail if clauses else _("aucune"),
                     " ; ".join(str(item.text) for item in problems if item.key != "clauses")))
    starts = [processor.reviewed_on or processor.contract_signed_on for processor in found]
    oldest = None if not starts or None in starts else min(starts)
    return Section(
        key=PROCESSORS, title=_("Sous-traitants et contrats"), order=61,
        references=REFERENCES[PROCESSORS],
        blocks=[Facts(((_("Sous-traitants"), str(len(found))),
                       (_("Contrats où manquent des clauses"), str(missing_clauses)))),
                Table(columns=(_("Sous-traitant"), _("Service"), _("Contrat signé le"),
                               _("Dernière revue"), _("Clauses manquantes ou non vérifiées"),
                               _("Autres points")),
                      rows=tuple(rows), caption=_("Les sous-traitants et leurs contrats"),
                      sheet=_("Sous-traitants"),
                      empty=_("Aucun sous-traitant enregistré : ajoutez le prestataire "
                              "informatique, l'éditeur du logiciel métier, l'hébergeur."))],
        evidence=[Evidence(_("Revue du plus ancien contrat de sous-traitance"), oldest,
                           detail=_("un contrat n'a ni date de signature ni revue")
                           if None in starts else "",
                           failed=ngettext("%(n)d contrat où manquent des clauses",
                                           "%(n)d contrats où manquent des clauses",
                                           missing_clauses) % {"n": missing_clauses}
                           if missing_clauses else "")])


def requests(pack: PackRequest) -> Section:
    today = pack.today
    found = list(PersonRequest.objects.filter(organisation=pack.organisation)
                 .filter(received_on__gt=add_months(today, -12), received_on__lte=today)
                 .order_by("-received_on", "-id"))
    rows, late, answered_late = [], 0, 0
    for item in found:
        state = request_services.state(item, today)
        late += state.code == "late"
        answered_late += bool(item.answered_on and item.answered_on > state.deadline)
        rows.append((item.received_on, str(item.get_right_display()), state.deadline,
                     item.answered_on, str(state.label)))
    return Section(
        key=REQUESTS, title=_("Demandes d'exercice des droits"), order=62,
        references=REFERENCES[REQUESTS],
        blocks=[Facts(((_("Demandes reçues ces douze derniers mois"), str(len(found))),
                       (_("Sans réponse, délai dépassé"), str(late)),
                       (_("Répondues après le délai"), str(answered_late)))),
                Table(columns=(_("Reçue le"), _("Droit exercé"), _("À répondre avant le"),
                               _("Répondue le"), _("État")),
                      rows=tuple(rows), sheet=_("Demandes"),
                      caption=_("Les demandes des douze derniers mois (sans les noms)"),
                      empty=_("Aucune demande reçue ces douze derniers mois."))],
        evidence=[Evidence(_("Suivi des demandes"), today, max_age_months=None,
                           detail=_("tenu dans Pharmagarde"), failed=_late_reason(
                               late, answered_late))])


def _late_reason(late: int, answered_late: int) -> str:
    """Why the requests' evidence is not met (art. 12(3)): « » when every answer was on
    time."""
    reasons = []
    if late:
        reasons.append(ngettext("%(n)d demande sans réponse après le délai",
                                "%(n)d demandes sans réponse après le délai", late)
                       % {"n": late})
    if answered_late:
        reasons.append(ngettext("%(n)d demande répondue après le délai",
                                "%(n)d demandes répondues après le délai", answered_late)
                       % {"n": answered_late})
    return " ; ".join(reasons)


def dpias(pack: PackRequest) -> Section:
    profile = _profile(pack)
    found = list(Dpia.objects.filter(organisation=pack.organisation)
                 .select_related("processing")
             # Never-validated ones last, on SQLite as on PostgreSQL (which puts NULL first
             # in a descending order).
             .order_by(F("validated_on").desc(nulls_last=True), "-id"))
    validated = [item for item in found if item.status == Dpia.Status.VALIDATED
                 and item.validated_on]
    blocks = [Facts(((_("Analyses d'impact"), str(len(found))),
                     (_("Validées"), str(len(validated))),
                     (_("Chiffre d'affaires au-delà du seuil de la CNIL (officine)"),
                      _yes(profile.turnover_over_threshold)))),
              Table(columns=(_("Analyse"), _("Traitement étudié"), _("État"), _("Validée le")),
                    rows=tuple((item.title, item.processing.name if item.processing else "",
                                str(item.get_status_display()), item.validated_on)
                               for item in found),
                    caption=_("Les analyses d'impact (AIPD)"), sheet=_("AIPD"),
                    empty=_("Aucune analyse d'impact."))]
    if validated:
        evidence = Evidence(_("Dernière analyse d'impact validée"), validated[0].validated_on,
                            max_age_months=36)
    elif profile.turnover_over_threshold is False and not found:
        evidence = Evidence(_("Analyse d'impact"), pack.today, max_age_months=None,
                            detail=_("non requise d'après le profil de la structure"))
    else:
        evidence = Evidence(_("Analyse d'impact validée"), None)
    return Section(key=DPIAS, title=_("Analyses d'impact"), order=63, blocks=blocks,
                   references=REFERENCES[DPIAS], evidence=[evidence])


def information(pack: PackRequest) -> Section:
    profile = _profile(pack)
    reviewed = local_day(profile.register_reviewed_at)
    rows, evidence = [], []
    for audience, label in ((notices.PATIENTS, _("Patients et clients")),
                            (notices.STAFF, _("Personnel"))):
        notice = notices.notice(pack.organisation, audience)
        rows.append((label, len(notice.entries), _yes(notice.video),
                     _yes(notice.phishing) if audience == notices.STAFF else "",
                     " ; ".join(notice.missing) or _("rien")))
        evidence.append(Evidence(_("Notice d'information : %(who)s") % {"who": label},
                                 None if notice.missing else reviewed,
                                 detail=_("il manque %(what)s") % {
                                     "what": ", ".join(notice.missing)}
                                 if notice.missing else ""))
    return Section(
        key=NOTICES, title=_("Information des personnes et du personnel"), order=64,
        references=REFERENCES[NOTICES],
        blocks=[Paragraph(_("Les notices sont rédigées à partir du registre : elles sont "
                            "à jour quand le registre a été revu.")),
                Table(columns=(_("Notice"), _("Traitements couverts"), _("Vidéoprotection"),
                               _("Exercices d'hameçonnage annoncés"), _("Il manque")),
                      rows=tuple(rows), caption=_("Les notices d'information"),
                      sheet=_("Notices"))],
        evidence=evidence)


BUILDERS = {REGISTER: (register, frozenset({GENERAL, CNIL})),
            PROCESSORS: (processors, frozenset({GENERAL, CNIL, COFRAC, NIS2})),
            REQUESTS: (requests, frozenset({GENERAL, CNIL})),
            DPIAS: (dpias, frozenset({GENERAL, CNIL})),
            NOTICES: (information, frozenset({GENERAL, CNIL}))}


def sections(pack: PackRequest) -> list[Section]:
    return [build(pack) for build, regimes in BUILDERS.values() if pack.regime in regimes]
