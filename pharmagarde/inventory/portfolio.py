"""What inventory says about each organisation across one's organisations
(core/portfolio.py): the open findings by severity (an alert with a critical one). Every
role reads the findings. One query, whatever the number of organisations."""

from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pharmagarde.core.portfolio import ALERT, OK, WARNING, Fact, by_organisation, org_url

from .models import Finding
from .rules import CRITICAL, HIGH, MEDIUM

WORDS = {
    CRITICAL: lambda n: ngettext("%(n)d critique", "%(n)d critiques", n),
    HIGH: lambda n: ngettext("%(n)d élevé", "%(n)d élevés", n),
    MEDIUM: lambda n: ngettext("%(n)d moyen", "%(n)d moyens", n),
}


def summaries(memberships) -> dict:
    members = by_organisation(memberships)
    if not members:
        return {}
    counts = defaultdict(dict)
    for organisation_id, severity, count in (
            Finding.objects.filter(organisation_id__in=list(members),
                                   status=Finding.Status.OPEN)
            .values("organisation_id", "severity").order_by()
            .annotate(count=Count("pk")).values_list("organisation_id", "severity", "count")):
        counts[organisation_id][severity] = count
    result = {}
    for organisation_id, membership in members.items():
        found = counts.get(organisation_id, {})
        total = sum(found.values())
        url = org_url(membership, "inventory_findings")
        label = _("Constats de l'inventaire")
        if not total:
            result[organisation_id] = [Fact("inventory.findings", label,
                                            _("Aucun constat ouvert"), OK, url, 50, 0)]
            continue
        parts = [WORDS[severity](found[severity]) % {"n": found[severity]}
                 for severity in (CRITICAL, HIGH, MEDIUM) if found.get(severity)]
        level = ALERT if found.get(CRITICAL) else WARNING
        result[organisation_id] = [Fact("inventory.findings", label,
                                        " · ".join(parts) or str(total), level, url, 50,
                                        total)]
    return result
