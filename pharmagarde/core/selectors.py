"""Reads that cross relations."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pharmagarde.lib import smallcells

from .models import AuditEntry, Membership, Organisation


def dashboard_todo(request: HttpRequest) -> list[tuple[str, str]]:
    """What to do next, in the order a titulaire should do it. Each item: text and link."""
    organisation, membership = request.organisation, request.membership
    slug = organisation.slug
    todo = []
    if membership.can_write and not organisation.people.exists():
        todo.append((_("Enregistrez le personnel de la structure : il servira aux "
                       "formations et aux exercices."), reverse("person_new", args=[slug])))
    if membership.can_manage and organisation.memberships.count() == 1:
        todo.append((_("Invitez votre référent cybersécurité ou votre prestataire "
                       "informatique."), reverse("invitation_new", args=[slug])))
    if membership.can_write:
        departed = organisation.people.filter(
            departure_date__lte=timezone.localdate(),
            user__memberships__organisation=organisation,
        ).distinct().count()
        if departed:
            message = ngettext(
                "%(n)d personne partie a encore un accès : retirez-le.",
                "%(n)d personnes parties ont encore un accès : retirez-le.", departed)
            todo.append((message % {"n": departed}, reverse("member_list", args=[slug])))
    return todo


def dashboard_people(request: HttpRequest) -> dict:
    return {"count": request.organisation.people.count()}


def dashboard_members(request: HttpRequest) -> dict:
    return {"count": request.organisation.memberships.count()}


# Account events (sign-ins, failures, MFA changes) have no organisation: each organisation's
# log shows those of its current members, so a responsable sees who signs in and when.
ACCOUNT_EVENT_PREFIXES = ("auth.", "mfa.")


def audit_entries_for(organisation: Organisation) -> QuerySet[AuditEntry]:
    member_ids = organisation.memberships.values("user_id")
    account_events = Q(organisation__isnull=True, actor_id__in=member_ids) & (
        Q(action__startswith=ACCOUNT_EVENT_PREFIXES[0])
        | Q(action__startswith=ACCOUNT_EVENT_PREFIXES[1])
    )
    return AuditEntry.objects.filter(Q(organisation=organisation) | account_events)


# ------------------------------------------------------- anonymous aggregates (shared)

def period_start(now: datetime | None = None) -> datetime:
    """The start of the period `now` falls in: periods of PEER_SNAPSHOT_DAYS days, counted
    from Monday 5 January 2026, 00:00 UTC. The diagnostic's peer comparison and the
    federations' dashboards use the same periods."""
    now = now or timezone.now()
    length = timedelta(days=settings.PEER_SNAPSHOT_DAYS)
    origin = datetime(2026, 1, 5, tzinfo=UTC)
    return origin + ((now - origin) // length) * length


def independent_units(organisation_ids: set[int]) -> list[set[int]]:
    """`organisation_ids` grouped into independent units (lib/smallcells.py): linked by a
    shared member account or by the account that created them; an organisation whose SIRET
    or FINESS another organisation of the instance also has is left out. Two queries,
    whatever the number of organisations (the identifiers of every organisation are read:
    a duplicate may be outside the set)."""
    links = [(org_id, ("user", user_id)) for org_id, user_id in Membership.objects.filter(
        organisation_id__in=organisation_ids).values_list("organisation_id", "user_id")]
    identifiers = []
    for org_id, creator_id, siret, finess in Organisation.objects.values_list(
            "id", "created_by_id", "siret", "finess"):
        if org_id in organisation_ids and creator_id is not None:
            links.append((org_id, ("user", creator_id)))
        identifiers += [(org_id, f"siret:{siret}"), (org_id, f"finess:{finess}")]
    identifiers = [(org, ident) for org, ident in identifiers if not ident.endswith(":")]
    return smallcells.independent_units(organisation_ids, links, identifiers=identifiers)
