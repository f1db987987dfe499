"""What awareness says about each organisation across one's organisations
(core/portfolio.py): the training modules past their due date and the last phishing
campaign launched. Only for the roles that read the training dashboard and the campaigns
(roles.READ_ROLES). Two queries, whatever the number of organisations."""

from django.db.models import Count, Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pharmagarde.core.portfolio import OK, WARNING, Fact, by_organisation, is_stale, org_url

from .models import Assignment, Campaign
from .roles import READ_ROLES


def summaries(memberships) -> dict:
    members = by_organisation(memberships, READ_ROLES)
    if not members:
        return {}
    today = timezone.localdate()
    late = dict(
        Assignment.objects.filter(organisation_id__in=list(members), completed_at=None,
                                  due_on__lt=today)
        .filter(Q(person__departure_date=None) | Q(person__departure_date__gt=today))
        .values("organisation_id").order_by().annotate(n=Count("pk"))
        .values_list("organisation_id", "n"))
    launched = dict(
        Campaign.objects.filter(organisation_id__in=list(members))
        .exclude(launched_at=None).values("organisation_id").order_by()
        .annotate(last=Max("launched_at")).values_list("organisation_id", "last"))
    result = {}
    for organisation_id, membership in members.items():
        count = late.get(organisation_id, 0)
        training = Fact(
            "awareness.training", _("Formations en retard"),
            ngettext("%(n)d module en retard", "%(n)d modules en retard", count)
            % {"n": count} if count else _("Aucun module en retard"),
            WARNING if count else OK, order=70, value=count,
            url=org_url(membership, "awareness_training",
                        query="etat=en-retard" if count else ""))
        last = launched.get(organisation_id)
        campaigns = org_url(membership, "awareness_campaigns")
        if last is None:
            campaign = Fact("awareness.campaign", _("Dernière campagne"),
                            _("Aucune campagne lancée"), WARNING, campaigns, 71)
        else:
            stale = is_stale(last, today)
            day = formats.date_format(timezone.localtime(last), "d/m/Y")
            campaign = Fact(
                "awareness.campaign", _("Dernière campagne"),
                (_("Le %(date)s : plus d'un an") if stale else _("Le %(date)s"))
                % {"date": day}, WARNING if stale else OK, campaigns, 71,
                value=(today - timezone.localdate(last)).days)
        result[organisation_id] = [training, campaign]
    return result
