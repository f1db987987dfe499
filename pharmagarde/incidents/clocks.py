"""The legal clocks of an incident: which steps apply, by when, and where each one stands.

Pure functions: `clocks(...)` reads nothing and writes nothing, it is given the incident, the
organisation's response profile and kind, the breach record and the recorded steps
(models.Obligation), and the time. Deadlines are computed from the moment of awareness,
never stored, so that correcting that moment moves every deadline with it.

Hours are real hours (72 h across a change to summer time are still 72 h) and weekends
count: 72 h from a Friday at 23:00 ends on the Monday at 23:00. « Sans délai » steps have no
deadline (`due_at` is None): they are due at once. The one month of the NIS 2 final report
is a calendar month, on the local clock.

`of_incident(incident, now=...)` reads what one incident needs (three queries, no write)
and returns its clocks, the most urgent first, for the incident's page and the services.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import Breach, Obligation, ResponseProfile

DONE, LATE, DUE, NOT_APPLICABLE = "done", "late", "due", "not_applicable"

# Organisation kinds for which the report to CERT Santé applies unless the profile says
# otherwise (art. L.1111-8-2 of the Code de la santé publique: health establishments and
# medical biology laboratories).
CERT_SANTE_KINDS = frozenset({"lbm", "pui"})


@dataclass(frozen=True)
class Step:
    title: str
    law: str


STEPS = {
    "cnil_initial": Step(gettext_lazy("Notifier la violation à la CNIL"),
                         gettext_lazy("RGPD, art. 33 : 72 heures")),
    "cnil_complement": Step(gettext_lazy("Compléter la notification à la CNIL"),
                            gettext_lazy("RGPD, art. 33(4) : quand les faits sont connus")),
    "people": Step(gettext_lazy("Informer les personnes concernées"),
                   gettext_lazy("RGPD, art. 34 : sans délai")),
    "nis2_early": Step(gettext_lazy("Alerte précoce NIS 2"),
                       gettext_lazy("directive NIS 2, art. 23 : 24 heures")),
    "nis2_notification": Step(gettext_lazy("Notification de l'incident NIS 2"),
                              gettext_lazy("directive NIS 2, art. 23 : 72 heures")),
    "nis2_final": Step(gettext_lazy("Rapport final NIS 2"),
                       gettext_lazy("directive NIS 2, art. 23 : un mois après la "
                                    "notification")),
    "cert_sante": Step(gettext_lazy("Signaler l'incident à CERT Santé"),
                       gettext_lazy("Code de la santé publique, art. L.1111-8-2 : sans "
                                    "délai")),
    "complaint": Step(gettext_lazy("Porter plainte (police ou gendarmerie)"),
                      gettext_lazy("Code des assurances, art. L.12-10-1 : 72 heures pour "
                                   "être remboursé par l'assurance cyber")),
}
CODES = tuple(STEPS)


@dataclass(frozen=True)
class Clock:
    """One legal step of an incident.

    - due_at: the deadline; None for a step due « sans délai », or without a legal deadline
      (`immediate` tells which).
    - applies, reason: whether the step is owed, and why (or why not) in plain French.
    - starts_at: the moment the time counts from (awareness, or the decision).
    - state: "done", "late" (not done, deadline passed), "due", "not_applicable".
    - countdown: the time left or late as text ("reste 41 h", "en retard de 3 h",
      "sans délai", "fait le …").
    """

    code: str
    title: str
    law: str
    label: str
    due_at: datetime | None
    immediate: bool
    applies: bool
    reason: str
    starts_at: datetime | None
    done_at: datetime | None
    delay_reason: str
    reference: str
    state: str
    countdown: str

    @property
    def late_by(self) -> timedelta | None:
        """How late the step was done, if it was."""
        if self.done_at and self.due_at and self.done_at > self.due_at:
            return self.done_at - self.due_at
        return None

    @property
    def shown(self) -> bool:
        """On the incident's panel: what is owed, and what was done anyway."""
        return self.state != NOT_APPLICABLE


def after_hours(start: datetime, hours: int) -> datetime:
    """`hours` real hours after `start` (computed in UTC: a change of the clocks in
    between does not stretch or shrink the time)."""
    return (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(start.tzinfo)


def after_one_month(start: datetime) -> datetime:
    """The same local time one calendar month later (31 January → 28 or 29 February)."""
    local = timezone.localtime(start)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(local.day, calendar.monthrange(year, month)[1])
    naive = local.replace(tzinfo=None, year=year, month=month, day=day)
    return timezone.make_aware(naive)


def duration_text(delta: timedelta) -> str:
    """A duration as people say it: minutes under an hour, hours up to four days, days
    beyond (rounded down: « reste 41 h » while 41 h 50 remain)."""
    seconds = max(0, int(delta.total_seconds()))
    hours = seconds // 3600
    if hours >= 96:
        days = hours // 24
        return ngettext("%(n)d jour", "%(n)d jours", days) % {"n": days}
    if hours >= 1:
        return _("%(n)d h") % {"n": hours}
    minutes = max(1, seconds // 60)
    return _("%(n)d min") % {"n": minutes}


def _countdown(state, due_at, done_at, immediate, now) -> str:
    if state == DONE:
        return _("fait le %(at)s") % {
            "at": timezone.localtime(done_at).strftime("%d/%m/%Y à %H:%M")}
    if state == NOT_APPLICABLE:
        return _("ne s'applique pas")
    if due_at is None:
        return _("sans délai") if immediate else _("quand les faits sont connus")
    if state == LATE:
        return _("en retard de %(time)s") % {"time": duration_text(now - due_at)}
    return _("reste %(time)s") % {"time": duration_text(due_at - now)}


def clocks(incident, *, profile: ResponseProfile, organisation_kind: str,
           breach: Breach | None = None, obligations=(), now: datetime) -> list[Clock]:
    """The legal clocks of `incident` at `now`, in the order of STEPS."""
    recorded = {obligation.code: obligation for obligation in obligations}
    noticed = incident.noticed_at
    aware = breach.aware_at if breach is not None and breach.aware_at else noticed
    decision = breach.decision if breach is not None else None
    result = []

    def add(code, *, applies, reason, starts_at, due_at=None, immediate=False):
        obligation = recorded.get(code)
        done_at = obligation.done_at if obligation else None
        if obligation is not None and obligation.not_applicable and not done_at:
            applies, reason = False, obligation.not_applicable
        if done_at:
            state = DONE
        elif not applies:
            state = NOT_APPLICABLE
        elif due_at is not None and now > due_at:
            state = LATE
        else:
            state = DUE
        step = STEPS[code]
        result.append(Clock(
            code=code, title=step.title, law=step.law,
            label=format_lazy("{title} ({law})", title=step.title, law=step.law),
            due_at=due_at, immediate=immediate, applies=applies, reason=reason,
            starts_at=starts_at, done_at=done_at,
            delay_reason=obligation.delay_reason if obligation else "",
            reference=obligation.reference if obligation else "", state=state,
            countdown=_countdown(state, due_at, done_at, immediate, now)))
        return result[-1]

    # GDPR: the CNIL within 72 h of awareness, unless the breach is recorded only.
    if breach is None:
        applies, reason = False, gettext_lazy(
            "Aucune fiche au registre des violations. Si des données personnelles sont "
            "touchées, indiquez-le sur l'incident : les 72 heures partent du moment où "
            "vous l'avez su.")
    elif decision == Breach.Decision.RECORD:
        applies, reason = False, gettext_lazy(
            "Décision prise : risque improbable pour les personnes, la violation est "
            "seulement inscrite au registre.")
    elif not decision:
        applies, reason = True, gettext_lazy(
            "Des données personnelles sont touchées et la décision n'est pas encore "
            "prise : le délai court déjà.")
    else:
        applies, reason = True, gettext_lazy(
            "Décision prise : la violation est notifiée à la CNIL.")
    initial = add("cnil_initial", applies=applies, reason=reason, starts_at=aware,
                  due_at=after_hours(aware, 72))

    if not initial.applies:
        applies, reason = False, initial.reason
    elif initial.state != DONE:
        applies, reason = False, gettext_lazy(
            "À faire après la notification initiale, quand les faits sont connus.")
    else:
        applies, reason = True, gettext_lazy(
            "La notification initiale est faite : complétez-la dès que les faits, les "
            "conséquences et les mesures sont connus. Pas de délai légal, mais sans "
            "attendre.")
    add("cnil_complement", applies=applies, reason=reason, starts_at=initial.done_at)

    # GDPR: the people, when the risk to them is high.
    if decision == Breach.Decision.NOTIFY_AND_INFORM:
        applies, reason = True, gettext_lazy(
            "Décision prise : le risque est élevé pour les personnes, informez-les en "
            "termes simples de ce qui s'est passé et de ce qu'elles peuvent faire.")
    elif breach is None:
        applies, reason = False, gettext_lazy(
            "Aucune fiche au registre des violations : personne à informer.")
    elif not decision:
        applies, reason = False, gettext_lazy(
            "Dépend de la décision sur la violation : à informer si le risque pour les "
            "personnes est élevé.")
    else:
        applies, reason = False, gettext_lazy(
            "Pas de risque élevé pour les personnes : les informer n'est pas obligatoire.")
    add("people", applies=applies, reason=reason, immediate=True,
        starts_at=(breach.decided_at or aware) if breach is not None else aware)

    # NIS 2: early warning 24 h, notification 72 h, final report a month after it.
    if profile.nis2_entity:
        applies, reason = True, gettext_lazy(
            "La structure est une entité NIS 2 (profil) : ces déclarations sont dues pour "
            "un incident important. S'il ne l'est pas, dites-le et pourquoi.")
    else:
        applies, reason = False, gettext_lazy(
            "La structure n'est pas indiquée comme entité NIS 2 dans son profil.")
    add("nis2_early", applies=applies, reason=reason, starts_at=noticed,
        due_at=after_hours(noticed, 24))
    notification = add("nis2_notification", applies=applies, reason=reason,
                       starts_at=noticed, due_at=after_hours(noticed, 72))
    final_from = notification.done_at or notification.due_at
    add("nis2_final", applies=applies, reason=reason, starts_at=final_from,
        due_at=after_one_month(final_from))

    # CERT Santé: health establishments and laboratories, « sans délai ».
    if profile.cert_sante:
        applies, reason = True, gettext_lazy(
            "Le profil de la structure indique qu'elle signale ses incidents à CERT Santé, "
            "par le portail de signalement des événements sanitaires indésirables.")
    elif profile.cert_sante is None and organisation_kind in CERT_SANTE_KINDS:
        applies, reason = True, gettext_lazy(
            "Obligatoire pour les laboratoires et les établissements de santé, par le "
            "portail de signalement des événements sanitaires indésirables.")
    elif profile.cert_sante is None:
        applies, reason = False, gettext_lazy(
            "Vise les établissements de santé et les laboratoires. Si votre structure est "
            "concernée, indiquez-le dans son profil.")
    else:
        applies, reason = False, gettext_lazy(
            "Le profil de la structure indique qu'elle n'a pas à signaler à CERT Santé.")
    add("cert_sante", applies=applies, reason=reason, starts_at=noticed, immediate=True)

    # The complaint: a condition of the cyber-insurance; advised to everyone.
    if profile.cyber_insured:
        applies, reason = True, gettext_lazy(
            "La structure est assurée contre le risque cyber : sans plainte dans les "
            "72 heures, l'assureur ne rembourse pas.")
    else:
        applies, reason = False, gettext_lazy(
            "Conseillée même sans assurance cyber (elle aide l'enquête et prouve l'attaque), "
            "mais sans délai légal : la structure n'est pas indiquée comme assurée dans "
            "son profil.")
    add("complaint", applies=applies, reason=reason, starts_at=noticed,
        due_at=after_hours(noticed, 72))
    return result


STATE_ORDER = {LATE: 0, DUE: 1, DONE: 2, NOT_APPLICABLE: 3}
FAR = datetime.max.replace(tzinfo=UTC)


def by_urgency(items: list[Clock]) -> list[Clock]:
    """Late first, then what is due (« sans délai » before the nearest deadline), then what
    is done, then what does not apply."""
    def key(clock):
        if clock.due_at is not None:
            when = clock.due_at
        else:
            when = clock.starts_at if clock.immediate and clock.starts_at else FAR
        return STATE_ORDER[clock.state], when
    return sorted(items, key=key)


def of_incident(incident, *, now: datetime, organisation=None) -> list[Clock]:
    """The clocks of one incident, most urgent first (three queries, nothing written: a
    structure without a profile yet gets the default one). `organisation`: the incident's,
    when the caller has it already (request.organisation)."""
    organisation = organisation or incident.organisation
    profile = (ResponseProfile.objects.filter(organisation=organisation).first()
               or ResponseProfile(organisation=organisation))
    breach = Breach.objects.filter(incident=incident).first()
    obligations = Obligation.objects.filter(incident=incident)
    return by_urgency(clocks(incident, profile=profile, organisation_kind=organisation.kind,
                             breach=breach, obligations=obligations, now=now))


def clock_of(incident, code: str, *, now: datetime, organisation=None) -> Clock:
    return next(clock for clock in of_incident(incident, now=now, organisation=organisation)
                if clock.code == code)
