"""What continuity says about each organisation across one's organisations
(core/portfolio.py): the restore tests and the plan's yearly review. Every role reads the
continuity pages. Two queries, whatever the number of organisations.

With backups in the inventory, the restore cell is the worst status among them, as the
backups page gives each one (restore_status.state_of: each backup's own
`test_every_months`, a later failed test, a backup never tested): « à surveiller » as soon
as one is failed, never tested or overdue, naming it. Without any, it falls back on the
restore tests logged here, successful ones only, stale after twelve months."""

import datetime

from django.db.models import Max, OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pharmagarde.core.models import Organisation
from pharmagarde.core.portfolio import OK, WARNING, Fact, by_organisation, is_stale, org_url
from pharmagarde.inventory.models import Backup

from . import restore_status
from .models import ContinuityPlan, RestoreTest
from .plan_services import REVIEW_EVERY

KEY = "continuity.restore"
# The worst first: what the cell names.
WORST = [restore_status.FAILED, restore_status.NEVER, restore_status.OVERDUE,
         restore_status.SOON, restore_status.UP_TO_DATE]
TO_TEST = {restore_status.FAILED, restore_status.NEVER, restore_status.OVERDUE}


def _day(value) -> str:
    return formats.date_format(value, "d/m/Y")


def _backup_states(organisation_ids, today: datetime.date) -> dict:
    """{organisation id: [(state, next due date, backup)]} of each backup of the
    inventory, its latest logged test read with it: one query."""
    latest = RestoreTest.objects.filter(backup=OuterRef("pk")).order_by("-tested_on", "-id")
    found = {}
    for backup in (Backup.objects.filter(organisation_id__in=organisation_ids)
                   .annotate(latest_result=Subquery(latest.values("result")[:1]),
                             latest_on=Subquery(latest.values("tested_on")[:1]))
                   .only("pk", "organisation_id", "what", "last_restore_test",
                         "test_every_months").order_by("what", "pk")):
        state, due = restore_status.state_of(backup, backup.latest_result, backup.latest_on,
                                             today)
        found.setdefault(backup.organisation_id, []).append((state, due, backup))
    return found


def _from_backups(membership, states, today: datetime.date) -> Fact:
    """The worst of the backups' statuses (among equals, the one due first)."""
    url = org_url(membership, "continuity_backups")
    state, due, backup = min(states, key=lambda item: (WORST.index(item[0]), item[1]))
    last = backup.last_restore_test
    value = (today - last).days if last is not None else None
    label = _("Test de restauration")
    if state not in TO_TEST:
        # All up to date: the next test due first.
        return Fact(KEY, label, _("À jour ; prochain test avant le %(date)s")
                    % {"date": _day(due)}, OK, order=40, value=value, url=url)
    text = {
        restore_status.FAILED: _("« %(backup)s » : dernier test en échec"),
        restore_status.NEVER: _("« %(backup)s » : jamais testée"),
        restore_status.OVERDUE: _("« %(backup)s » : test en retard depuis le %(date)s"),
    }[state] % {"backup": backup.what, "date": _day(due)}
    others = sum(1 for item in states if item[0] in TO_TEST) - 1
    if others:
        text += " " + ngettext("(et %(n)d autre sauvegarde à tester)",
                               "(et %(n)d autres sauvegardes à tester)", others) % {"n": others}
    return Fact(KEY, label, text, WARNING, order=40, value=value, url=url)


def _from_logged(membership, logged_on, today: datetime.date) -> Fact:
    """No backup in the inventory: the latest successful test logged."""
    url = org_url(membership, "continuity_backups")
    if logged_on is None:
        return Fact(KEY, _("Test de restauration"), _("Aucun test de restauration"), WARNING,
                    order=40, url=url)
    stale = is_stale(logged_on, today)
    return Fact(KEY, _("Test de restauration"),
                (_("Le %(date)s : plus d'un an") if stale else _("Le %(date)s"))
                % {"date": _day(logged_on)}, WARNING if stale else OK, order=40,
                value=(today - logged_on).days, url=url)


def summaries(memberships) -> dict:
    members = by_organisation(memberships)
    if not members:
        return {}
    logged = (RestoreTest.objects.filter(organisation=OuterRef("pk"),
                                         result=RestoreTest.Result.SUCCESS)
              .order_by().values("organisation").annotate(last=Max("tested_on"))
              .values("last"))
    reviewed = ContinuityPlan.objects.filter(organisation=OuterRef("pk")).values("reviewed_at")
    rows = (Organisation.objects.filter(pk__in=list(members))
            .annotate(logged=Subquery(logged[:1]), reviewed=Subquery(reviewed[:1]))
            .values_list("pk", "logged", "reviewed"))
    today, now = timezone.localdate(), timezone.now()
    backups = _backup_states(list(members), today)
    result = {}
    for organisation_id, logged_on, reviewed_at in rows:
        membership = members[organisation_id]
        states = backups.get(organisation_id)
        restore = (_from_backups(membership, states, today) if states
                   else _from_logged(membership, logged_on, today))
        plan_url = org_url(membership, "continuity_plan", fragment="revue")
        if reviewed_at is None:
            review = Fact("continuity.review", _("Revue du plan de continuité"),
                          _("Jamais revu"), WARNING, order=41, url=plan_url)
        else:
            late = reviewed_at < now - REVIEW_EVERY
            review = Fact(
                "continuity.review", _("Revue du plan de continuité"),
                (_("Revu le %(date)s : plus d'un an") if late else _("Revu le %(date)s"))
                % {"date": _day(timezone.localtime(reviewed_at))},
                WARNING if late else OK, order=41, url=plan_url)
        result[organisation_id] = [restore, review]
    return result
