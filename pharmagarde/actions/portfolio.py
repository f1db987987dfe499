"""What actions says about each organisation across one's organisations
(core/portfolio.py): the overdue plan items (an alert when there is one) and the open
ones. Every role sees the plan. One query."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pharmagarde.core.portfolio import ALERT, INFO, OK, OVERDUE, Fact, by_organisation, org_url

from .models import Action
from .selectors import overdue_q


def summaries(memberships) -> dict:
    members = by_organisation(memberships)
    if not members:
        return {}
    counts = {row["organisation_id"]: row for row in
              Action.objects.filter(organisation_id__in=list(members))
              .values("organisation_id").order_by()
              .annotate(open=Count("pk", filter=Q(status__in=Action.OPEN_STATUSES)),
                        overdue=Count("pk", filter=overdue_q()))}
    result = {}
    for organisation_id, membership in members.items():
        row = counts.get(organisation_id, {"open": 0, "overdue": 0})
        overdue, still_open = row["overdue"], row["open"]
        result[organisation_id] = [
            Fact(OVERDUE, _("Actions en retard"),
                 ngettext("%(n)d action en retard", "%(n)d actions en retard", overdue)
                 % {"n": overdue} if overdue else _("Aucune action en retard"),
                 ALERT if overdue else OK, order=20, value=overdue,
                 url=org_url(membership, "action_list", query="overdue=on")),
            Fact("actions.open", _("Actions à faire"),
                 ngettext("%(n)d action à faire", "%(n)d actions à faire", still_open)
                 % {"n": still_open} if still_open else _("Aucune action à faire"),
                 INFO, order=21, value=still_open,
                 url=org_url(membership, "action_list", query="status=open")),
        ]
    return result
