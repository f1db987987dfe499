"""Reminders of the legal clocks of open incidents (clocks.py), for core/reminders.py.

For each step that applies and is not done: one reminder when half of the time has gone,
one 6 hours before the deadline and one when it has passed (« en retard »); a step due
« sans délai » gets one reminder at once. All are urgent, never only in a digest, and go
to the organisation's responsables and référents. The key is per incident and step
(`incidents.clock:<incident>:<code>`), the occurrence the moment of the reminder: core
sends each one once, and only the latest reached (a worker back after a stop sends « en
retard », not also what it missed before).

Deadlines are computed again at each run from the moments of awareness, so a corrected
moment moves the reminders with it.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import groupby

from django.db.models import FilteredRelation, OuterRef, Q, Subquery
from django.urls import reverse_lazy
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.reminders import Due

from .clocks import DONE, NOT_APPLICABLE, clocks
from .models import Breach, Incident, Obligation, ResponseProfile
from .roles import ALERTED_ROLES

BEFORE = timedelta(hours=6)

SUBJECTS = {
    "now": _("{reference} : à faire sans délai — {title}"),
    "half": _("{reference} : {title} avant le {due}"),
    "soon": _("{reference} : plus que 6 heures — {title}, avant le {due}"),
    "late": _("{reference} en retard : {title} (échéance du {due})"),
}
TEXTS = {
    "now": _("Incident {reference} — {kind}\n\n« {title} » est à faire sans délai "
             "({law}).\n\n{reason}\n\nUne fois fait, enregistrez-le sur la page de "
             "l'incident : la date et, s'il y en a un, le numéro de récépissé."),
    "half": _("Incident {reference} — {kind}\n\n« {title} » est à faire avant le {due} "
              "({law}). La moitié du temps est passée.\n\n{reason}\n\nUne fois fait, "
              "enregistrez-le sur la page de l'incident : la date et, s'il y en a un, le "
              "numéro de récépissé."),
    "soon": _("Incident {reference} — {kind}\n\nIl reste 6 heures pour « {title} », "
              "avant le {due} ({law}).\n\n{reason}\n\nUne fois fait, enregistrez-le sur "
              "la page de l'incident : la date et, s'il y en a un, le numéro de "
              "récépissé."),
    "late": _("Incident {reference} — {kind}\n\nL'échéance de « {title} » était le {due} "
              "({law}).\n\nFaites-le dès que possible, puis enregistrez-le avec la raison "
              "du retard : elle accompagne la déclaration."),
}


def _local(moment: datetime) -> str:
    """The moment in local time and in the reader's language (rendered when read)."""
    return formats.date_format(timezone.localtime(moment), "l j F Y, H:i")


when = lazy(_local, str)


def occurrences(clock) -> list[tuple[datetime, str]]:
    """The moments of a clock's reminders, in order, with their kind."""
    if clock.due_at is None:
        if clock.immediate and clock.starts_at:
            return [(clock.starts_at, "now")]
        return []  # the complement to the CNIL: no legal deadline, no reminder
    steps = [(clock.due_at - BEFORE, "soon"), (clock.due_at, "late")]
    if clock.starts_at and clock.starts_at < clock.due_at:
        steps.append((clock.starts_at + (clock.due_at - clock.starts_at) / 2, "half"))
    return sorted(steps)


def latest_occurrence(clock, now: datetime) -> tuple[datetime, str] | None:
    """The latest reminder reached at `now`: only that one is sent."""
    reached = [step for step in occurrences(clock) if step[0] <= now]
    return reached[-1] if reached else None


def _rows():
    """Every open incident with its breach, its organisation's profile and, one row each,
    the user ids of its responsables and référents (one query)."""
    profile = ResponseProfile.objects.filter(organisation=OuterRef("organisation"))
    return (
        Incident.objects.exclude(status=Incident.Status.CLOSED)
        .annotate(alerted=FilteredRelation(
                      "organisation__memberships",
                      condition=Q(organisation__memberships__role__in=ALERTED_ROLES)),
                  nis2=Subquery(profile.values("nis2_entity")[:1]),
                  insured=Subquery(profile.values("cyber_insured")[:1]),
                  cert=Subquery(profile.values("cert_sante")[:1]))
        .order_by("pk", "alerted__user_id")
        .values_list("pk", "number", "kind", "noticed_at", "organisation_id",
                     "organisation__slug", "organisation__kind", "breach__aware_at",
                     "breach__decision", "breach__decided_at", "nis2", "insured", "cert",
                     "alerted__user_id")
    )


def _obligations() -> dict[int, list[Obligation]]:
    """The steps recorded on open incidents, by incident (one query)."""
    recorded = defaultdict(list)
    rows = (Obligation.objects.exclude(incident__status=Incident.Status.CLOSED)
            .values_list("incident_id", "code", "done_at", "delay_reason", "not_applicable"))
    for incident_id, code, done_at, delay_reason, not_applicable in rows:
        recorded[incident_id].append(Obligation(code=code, done_at=done_at,
                                                delay_reason=delay_reason,
                                                not_applicable=not_applicable))
    return recorded


def due(now: datetime) -> Iterator[Due]:
    """Two queries in all, whatever the number of organisations and incidents."""
    recorded = _obligations()
    for pk, group in groupby(_rows().iterator(chunk_size=2000), key=lambda row: row[0]):
        rows = list(group)
        (_pk, number, kind, noticed_at, organisation_id, slug, organisation_kind, aware_at,
         decision, decided_at, nis2, insured, cert, _user) = rows[0]
        users = tuple(row[-1] for row in rows if row[-1] is not None)
        incident = Incident(pk=pk, number=number, kind=kind, noticed_at=noticed_at,
                            organisation_id=organisation_id)
        breach = (Breach(aware_at=aware_at, decision=decision, decided_at=decided_at)
                  if aware_at is not None else None)
        profile = ResponseProfile(nis2_entity=bool(nis2), cyber_insured=bool(insured),
                                  cert_sante=cert)
        for clock in clocks(incident, profile=profile, organisation_kind=organisation_kind,
                            breach=breach, obligations=recorded.get(pk, ()), now=now):
            if clock.state in (DONE, NOT_APPLICABLE):
                continue
            reached = latest_occurrence(clock, now)
            if reached is None:
                continue
            moment, step = reached
            words = {"reference": incident.reference, "kind": Incident.Kind(kind).label,
                     "title": clock.title, "law": clock.law, "reason": clock.reason,
                     "due": when(clock.due_at) if clock.due_at else ""}
            yield Due(
                key=f"incidents.clock:{pk}:{clock.code}",
                occurrence=moment,
                organisation_id=organisation_id,
                subject=format_lazy(SUBJECTS[step], **words),
                text=format_lazy(TEXTS[step], **words),
                link=format_lazy("{}#delais", reverse_lazy("incident_detail",
                                                           args=[slug, pk])),
                users=users,
                urgent=True,
                deadline=clock.due_at or moment,
            )
