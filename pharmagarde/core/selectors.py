"""Reads that cross relations."""

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import AuditEntry, Organisation


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
