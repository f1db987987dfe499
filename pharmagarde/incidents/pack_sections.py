"""The incidents' part of the audit packs: the register of incidents, the register of
personal data breaches (art. 33(5) GDPR) and, for NIS 2, the 24 h / 72 h / one month
deadlines of each incident, kept or missed.

The registers do not age (max_age None): what counts is that they are kept, here. The
breach register carries a second piece of evidence, the CNIL notifications within 72
hours, and the NIS 2 section its declarations on time: not met (Evidence.failed) when the
section's own figures say a notification was late with no reason given, or never made
once due. Each
section costs a fixed number of queries (three to four), whatever the number of incidents;
the deadlines are those of clocks.py, computed from the recorded steps, never stored.
"""

import datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pharmagarde.core.packs import (
    CNIL,
    COFRAC,
    DQO,
    GENERAL,
    NIS2,
    Evidence,
    Facts,
    PackRequest,
    Section,
    Table,
)
from pharmagarde.lib.dates import add_months

from . import clocks, exports
from .models import Breach, Incident, Obligation, ResponseProfile

REGISTER, BREACHES, DEADLINES = "incidents.register", "incidents.breaches", "incidents.nis2"
NIS2_CODES = ("nis2_early", "nis2_notification", "nis2_final")
REFERENCES = {
    REGISTER: ("NIS 2, art. 21(2)(b)", "ISO 15189:2022 § 7.6.3"),
    BREACHES: ("RGPD, art. 33(5)", "RGPD, art. 33(1)"),
    DEADLINES: ("NIS 2, art. 23",),
}
STATE_WORDS = {clocks.DONE: gettext_lazy("fait"), clocks.LATE: gettext_lazy("en retard"),
               clocks.DUE: gettext_lazy("à faire"),
               clocks.NOT_APPLICABLE: gettext_lazy("ne s'applique pas")}


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _register_evidence(label, pack: PackRequest, **fields) -> Evidence:
    fields.setdefault("detail", _("tenu dans Pharmagarde"))
    return Evidence(label, pack.today, max_age_months=None, **fields)


def _recent(pack: PackRequest):
    since = _end_of(add_months(pack.today, -12))
    return (Incident.objects.filter(organisation=pack.organisation, noticed_at__gt=since,
                                    noticed_at__lte=_end_of(pack.today))
            .order_by("-noticed_at", "-id"))


def register(pack: PackRequest) -> Section:
    incidents = list(_recent(pack).prefetch_related(
        Prefetch("obligations", queryset=Obligation.objects.filter(code="cert_sante"),
                 to_attr="cert_sante")))
    reported = [incident for incident in incidents
                if incident.cert_sante and incident.cert_sante[0].done_at]
    table = Table(
        columns=(_("Incident"), _("Type"), _("Constaté le"), _("Gravité"), _("État"),
                 _("Clos le"), _("Signalé à CERT Santé le")),
        rows=tuple((incident.reference, str(incident.get_kind_display()),
                    _local(incident.noticed_at), str(incident.get_severity_display()),
                    str(incident.get_status_display()), _local(incident.closed_at),
                    _local(incident.cert_sante[0].done_at) if incident.cert_sante else None)
                   for incident in incidents),
        caption=_("Les incidents constatés ces douze derniers mois"), sheet=_("Incidents"),
        empty=_("Aucun incident déclaré ces douze derniers mois."))
    facts = Facts(((_("Incidents ces douze derniers mois"), str(len(incidents))),
                   (_("Encore ouverts"), str(sum(1 for i in incidents
                                                 if i.status != Incident.Status.CLOSED))),
                   (_("Signalés à CERT Santé"), str(len(reported)))))
    return Section(key=REGISTER, title=_("Incidents de sécurité"), order=40,
                   blocks=[facts, table], references=REFERENCES[REGISTER],
                   evidence=[_register_evidence(_("Registre des incidents"), pack)])


def _notification(breach: Breach):
    """(the CNIL notification's step, hours from awareness to it) of a breach."""
    found = getattr(breach.incident, "cnil_initial", None) if breach.incident else None
    step = found[0] if found else None
    if step is None or step.done_at is None:
        return step, None
    return step, (step.done_at - breach.aware_at).total_seconds() / 3600


NOTIFIED = (Breach.Decision.NOTIFY, Breach.Decision.NOTIFY_AND_INFORM)


def breaches(pack: PackRequest) -> Section:
    now = min(timezone.now(), _end_of(pack.today))
    rows, notified, within, late, unexplained, missed = [], 0, 0, 0, 0, 0
    for breach in exports.register(pack.organisation):
        step, hours = _notification(breach)
        if hours is None:
            kept = _("non notifiée") if breach.decision in NOTIFIED or \
                not breach.decision else _("notification non requise")
            # Due to the CNIL and not made after 72 hours (undecided counts: art. 33(1)
            # asks the decision within the 72 hours too).
            missed += (breach.decision in NOTIFIED or not breach.decision) and \
                (now - breach.aware_at).total_seconds() > 72 * 3600
        else:
            notified += 1
            kept = _("oui") if hours <= 72 else _("non")
            within += hours <= 72
            late += hours > 72
            # Art. 33(1): a late notification comes with the reasons for the delay.
            unexplained += hours > 72 and not (step.delay_reason or "").strip()
        rows.append((breach.reference, _local(breach.aware_at),
                     str(breach.get_decision_display()),
                     _local(step.done_at) if step and step.done_at else None,
                     round(hours) if hours is not None else None, kept,
                     step.delay_reason if step else ""))
    table = Table(
        columns=(_("Fiche"), _("Connaissance"), _("Décision"), _("Notifiée à la CNIL le"),
                 _("Délai (heures)"), _("Dans les 72 heures"), _("Raison du retard")),
        rows=tuple(rows), caption=_("Le registre des violations de données personnelles"),
        sheet=_("Violations"), empty=_("Aucune violation de données inscrite au registre."))
    facts = Facts(((_("Violations inscrites au registre"), str(len(rows))),
                   (_("Notifiées à la CNIL"), str(notified)),
                   (_("Dans les 72 heures"), str(within)),
                   (_("Après 72 heures"), str(late))))
    reasons = []
    if unexplained:
        reasons.append(ngettext("%(n)d notification faite après 72 heures sans raison du "
                                "retard", "%(n)d notifications faites après 72 heures sans "
                                "raison du retard", unexplained) % {"n": unexplained})
    if missed:
        reasons.append(ngettext("%(n)d violation non notifiée après 72 heures",
                                "%(n)d violations non notifiées après 72 heures",
                                missed) % {"n": missed})
    return Section(key=BREACHES, title=_("Registre des violations de données"), order=41,
                   blocks=[facts, table], references=REFERENCES[BREACHES],
                   evidence=[_register_evidence(_("Registre des violations"), pack,
                                                key="registre"),
                             _register_evidence(_("Notifications à la CNIL dans les 72 heures"),
                                                pack, key="notification", detail="",
                                                failed=" ; ".join(reasons))])


def deadlines(pack: PackRequest) -> Section:
    organisation = pack.organisation
    profile = (ResponseProfile.objects.filter(organisation=organisation).first()
               or ResponseProfile(organisation=organisation))
    now = min(timezone.now(), _end_of(pack.today))
    rows, kept, missed = [], 0, 0
    for incident in _recent(pack).prefetch_related("obligations"):
        for clock in clocks.clocks(incident, profile=profile,
                                   organisation_kind=organisation.kind,
                                   obligations=incident.obligations.all(), now=now):
            if clock.code not in NIS2_CODES or clock.state == clocks.NOT_APPLICABLE:
                continue
            on_time = clock.state == clocks.DONE and clock.late_by is None
            kept += on_time
            missed += clock.state == clocks.LATE or clock.late_by is not None
            rows.append((incident.reference, str(clock.title), _local(clock.due_at),
                         _local(clock.done_at),
                         _("dans les délais") if on_time else
                         _("fait en retard") if clock.late_by else
                         str(STATE_WORDS[clock.state])))
    facts = Facts(((_("Entité NIS 2 (profil)"), _("oui") if profile.nis2_entity else _("non")),
                   (_("Déclarations faites dans les délais"), str(kept)),
                   (_("Déclarations en retard ou manquées"), str(missed))))
    table = Table(columns=(_("Incident"), _("Déclaration"), _("Échéance"), _("Faite le"),
                           _("Délai")),
                  rows=tuple(rows), sheet=_("Déclarations NIS 2"),
                  caption=_("Alerte précoce (24 h), notification (72 h) et rapport final "
                            "(un mois) des incidents des douze derniers mois"),
                  empty=_("Aucune déclaration NIS 2 due ces douze derniers mois.")
                  if profile.nis2_entity else
                  _("La structure n'est pas indiquée comme entité NIS 2 dans son profil de "
                    "réponse aux incidents."))
    failed = ngettext("%(n)d déclaration en retard ou manquée",
                      "%(n)d déclarations en retard ou manquées", missed) % {"n": missed} \
        if missed else ""
    return Section(key=DEADLINES, title=_("Notification des incidents importants (NIS 2)"),
                   order=42, blocks=[facts, table], references=REFERENCES[DEADLINES],
                   evidence=[_register_evidence(_("Déclarations NIS 2 dans les délais"), pack,
                                                detail="", failed=failed)])


BUILDERS = {REGISTER: (register, frozenset({GENERAL, DQO, COFRAC, NIS2})),
            BREACHES: (breaches, frozenset({GENERAL, CNIL})),
            DEADLINES: (deadlines, frozenset({NIS2}))}


def sections(pack: PackRequest) -> list[Section]:
    return [build(pack) for build, regimes in BUILDERS.values() if pack.regime in regimes]
