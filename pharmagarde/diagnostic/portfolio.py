"""What diagnostic says about each organisation across one's organisations
(core/portfolio.py): the latest score and its date, stale after twelve months. Every
role sees the diagnostic (its views are open to every member). One query."""

from django.db.models import OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pharmagarde.core.portfolio import (
    OK,
    SCORE,
    WARNING,
    Fact,
    by_organisation,
    is_stale,
    org_url,
)

from .models import Assessment


def summaries(memberships) -> dict:
    members = by_organisation(memberships)
    if not members:
        return {}
    today = timezone.localdate()
    latest = (Assessment.objects.filter(organisation=OuterRef("organisation_id")).completed()
              .latest_first().values("pk")[:1])
    rows = (Assessment.objects.filter(organisation_id__in=list(members),
                                      pk=Subquery(latest))
            .values_list("organisation_id", "pk", "score", "completed_at"))
    found = {organisation_id: (pk, score, completed_at)
             for organisation_id, pk, score, completed_at in rows}
    result = {}
    for organisation_id, membership in members.items():
        label = _("Diagnostic")
        if organisation_id not in found:
            result[organisation_id] = [Fact(
                SCORE, label, _("Pas encore fait"), WARNING, order=10,
                url=org_url(membership, "assessment_list"))]
            continue
        pk, score, completed_at = found[organisation_id]
        stale = is_stale(completed_at, today)
        words = {"score": formats.number_format(round(score or 0)),
                 "date": formats.date_format(timezone.localtime(completed_at), "d/m/Y")}
        text = (_("%(score)s / 100, le %(date)s : à refaire (plus d'un an)") if stale
                else _("%(score)s / 100, le %(date)s")) % words
        result[organisation_id] = [Fact(
            SCORE, label, text, WARNING if stale else OK, order=10, value=score,
            url=org_url(membership, "assessment_results", pk))]
    return result
