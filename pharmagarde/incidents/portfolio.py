"""What incidents says about each organisation across one's organisations
(core/portfolio.py): the open incidents and, for the roles that handle them
(roles.REGISTER_ROLES, as the incident's page shows its clocks), the nearest legal
deadline (the CNIL's 72 hours, NIS 2's 24 h and 72 h…: clocks.py), an alert when it falls
within 24 hours or has passed. A collaborateur sees only the incidents they declared,
as on the incident list. Three queries, whatever the number of organisations."""

import datetime
from collections import defaultdict

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pharmagarde.core.portfolio import ALERT, OK, WARNING, Fact, by_organisation, org_url

from .clocks import DUE, LATE, clocks
from .models import Breach, Incident, Obligation, ResponseProfile
from .roles import REGISTER_ROLES

KEY = "incidents.open"
SOON = datetime.timedelta(hours=24)


def _when(clock):
    """The moment a step is due: its deadline, or its start for one due « sans délai »."""
    return clock.due_at if clock.due_at is not None else clock.starts_at


def _nearest(rows, profiles, recorded, now):
    """(clock, incident id) of the most pressing step owed across `rows`, or None."""
    nearest = None
    for row in rows:
        incident = Incident(pk=row["pk"], number=row["number"], kind=row["kind"],
                            noticed_at=row["noticed_at"],
                            organisation_id=row["organisation_id"])
        breach = (Breach(aware_at=row["breach__aware_at"], decision=row["breach__decision"],
                         decided_at=row["breach__decided_at"])
                  if row["breach__aware_at"] is not None else None)
        profile = profiles.get(row["organisation_id"]) or ResponseProfile()
        for clock in clocks(incident, profile=profile, organisation_kind=row["kind_of_org"],
                            breach=breach, obligations=recorded.get(row["pk"], ()), now=now):
            if clock.state not in (LATE, DUE) or _when(clock) is None:
                continue
            if clock.due_at is None and not clock.immediate:
                continue
            if nearest is None or _when(clock) < _when(nearest[0]):
                nearest = (clock, row["pk"])
    return nearest


def summaries(memberships) -> dict:
    members = by_organisation(memberships)
    if not members:
        return {}
    user_id = next(iter(members.values())).user_id
    handlers = [pk for pk, m in members.items() if m.role in REGISTER_ROLES]
    rows = list(
        Incident.objects.filter(organisation_id__in=list(members))
        .exclude(status=Incident.Status.CLOSED)
        .filter(Q(organisation_id__in=handlers) | Q(declared_by_id=user_id))
        .values("pk", "number", "kind", "noticed_at", "organisation_id", "declared_by_id",
                "breach__aware_at", "breach__decision", "breach__decided_at",
                kind_of_org=F("organisation__kind")))
    by_org = defaultdict(list)
    for row in rows:
        by_org[row["organisation_id"]].append(row)
    handled = [row["pk"] for row in rows if row["organisation_id"] in handlers]
    profiles, recorded = {}, defaultdict(list)
    if handled:
        profiles = {profile.organisation_id: profile for profile in
                    ResponseProfile.objects.filter(organisation_id__in=handlers)}
        # Every field clocks.clocks reads: one left out costs a query per obligation.
        for obligation in Obligation.objects.filter(incident_id__in=handled).only(
                "incident_id", "code", "done_at", "delay_reason", "not_applicable",
                "reference"):
            recorded[obligation.incident_id].append(obligation)
    now = timezone.now()
    result = {}
    for organisation_id, membership in members.items():
        found = by_org.get(organisation_id, [])
        sees_all = organisation_id in handlers
        if not sees_all:
            found = [row for row in found if row["declared_by_id"] == user_id]
        result[organisation_id] = [_fact(membership, found, sees_all,
                                         profiles, recorded, now)]
    return result


def _fact(membership, found, sees_all, profiles, recorded, now) -> Fact:
    label = _("Incidents en cours")
    count = len(found)
    listing = org_url(membership, "incident_list")
    if not count:
        return Fact(KEY, label, _("Aucun incident en cours"), OK, url=listing, order=30,
                    value=0)
    text = (ngettext("%(n)d incident en cours", "%(n)d incidents en cours", count) if sees_all
            else ngettext("%(n)d incident déclaré par vous en cours",
                          "%(n)d incidents déclarés par vous en cours", count)) % {"n": count}
    nearest = _nearest(found, profiles, recorded, now) if sees_all else None
    if nearest is None:
        return Fact(KEY, label, text, WARNING, url=listing, order=30, value=count)
    clock, incident_id = nearest
    text = _("%(incidents)s ; prochaine échéance : %(step)s, %(countdown)s") % {
        "incidents": text, "step": clock.title, "countdown": clock.countdown}
    level = ALERT if _when(clock) <= now + SOON else WARNING
    return Fact(KEY, label, text, level, order=30, value=count,
                url=org_url(membership, "incident_detail", incident_id, fragment="delais"))
