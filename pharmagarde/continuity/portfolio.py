"""What continuity says about each organisation across one's organisations
(core/portfolio.py): the last successful restore test (stale after twelve months, or
when there is none) and the plan's yearly review. Every role reads the continuity pages.
One query, whatever the number of organisations.

The date of the last test is the latest of the successful tests logged here and of the
dates typed in the inventory (Backup.last_restore_test), as restore_status.py counts it:
a failed test is not a test done."""

from django.db.models import Max, OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pharmagarde.core.models import Organisation
from pharmagarde.core.portfolio import OK, WARNING, Fact, by_organisation, is_stale, org_url
from pharmagarde.inventory.models import Backup

from .models import ContinuityPlan, RestoreTest
from .plan_services import REVIEW_EVERY


def _day(value) -> str:
    return formats.date_format(value, "d/m/Y")


def summaries(memberships) -> dict:
    members = by_organisation(memberships)
    if not members:
        return {}
    logged = (RestoreTest.objects.filter(organisation=OuterRef("pk"),
                                         result=RestoreTest.Result.SUCCESS)
              .order_by().values("organisation").annotate(last=Max("tested_on"))
              .values("last"))
    typed = (Backup.objects.filter(organisation=OuterRef("pk")).order_by()
             .values("organisation").annotate(last=Max("last_restore_test")).values("last"))
    reviewed = ContinuityPlan.objects.filter(organisation=OuterRef("pk")).values("reviewed_at")
    rows = (Organisation.objects.filter(pk__in=list(members))
            .annotate(logged=Subquery(logged[:1]), typed=Subquery(typed[:1]),
                      reviewed=Subquery(reviewed[:1]))
            .values_list("pk", "logged", "typed", "reviewed"))
    today, now = timezone.localdate(), timezone.now()
    result = {}
    for organisation_id, logged_on, typed_on, reviewed_at in rows:
        membership = members[organisation_id]
        last = max([day for day in (logged_on, typed_on) if day is not None], default=None)
        if last is None:
            restore = Fact("continuity.restore", _("Test de restauration"),
                           _("Aucun test de restauration"), WARNING, order=40,
                           url=org_url(membership, "continuity_backups"))
        else:
            stale = is_stale(last, today)
            restore = Fact(
                "continuity.restore", _("Test de restauration"),
                (_("Le %(date)s : plus d'un an") if stale else _("Le %(date)s"))
                % {"date": _day(last)}, WARNING if stale else OK, order=40,
                value=(today - last).days, url=org_url(membership, "continuity_backups"))
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
