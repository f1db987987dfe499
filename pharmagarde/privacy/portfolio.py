"""What privacy says about each organisation across one's organisations
(core/portfolio.py): the people's requests past their deadline and the processors whose
contract review is overdue. Only for the roles that read the requests and the processors
(roles.READ_ROLES): a collaborateur sees the notices only, and nothing here. Two queries,
whatever the number of organisations."""

from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pharmagarde.core.portfolio import ALERT, OK, WARNING, Fact, by_organisation, org_url

from . import request_services
from .models import PersonRequest, Processor
from .roles import READ_ROLES


def summaries(memberships) -> dict:
    members = by_organisation(memberships, READ_ROLES)
    if not members:
        return {}
    today = timezone.localdate()
    late_requests = Counter(
        row.organisation_id for row in
        PersonRequest.objects.filter(organisation_id__in=list(members), answered_on=None)
        .only("organisation_id", "received_on", "identity", "identity_received_on",
              "extended", "answered_on")
        if request_services.state(row, today).code == "late")
    late_reviews = Counter(
        row.organisation_id for row in
        Processor.objects.filter(organisation_id__in=list(members))
        .only("organisation_id", "reviewed_on", "contract_signed_on", "review_every_months")
        if row.review_due_on is not None and row.review_due_on < today)
    result = {}
    for organisation_id, membership in members.items():
        requests, reviews = late_requests[organisation_id], late_reviews[organisation_id]
        result[organisation_id] = [
            Fact("privacy.requests", _("Demandes des personnes"),
                 ngettext("%(n)d demande en retard", "%(n)d demandes en retard", requests)
                 % {"n": requests} if requests else _("Aucune demande en retard"),
                 ALERT if requests else OK, order=60, value=requests,
                 url=org_url(membership, "privacy_requests",
                             query="etat=en-retard" if requests else "")),
            Fact("privacy.processors", _("Revue des sous-traitants"),
                 ngettext("%(n)d revue en retard", "%(n)d revues en retard", reviews)
                 % {"n": reviews} if reviews else _("Aucune revue en retard"),
                 WARNING if reviews else OK, order=61, value=reviews,
                 url=org_url(membership, "privacy_processors")),
        ]
    return result
