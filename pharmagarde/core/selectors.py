"""Reads that cross relations."""

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import AuditEntry


def dashboard_todo(request):
    """What to do next, in the order a titulaire should do it. Each item: text and link."""
    organisation, membership = request.organisation, request.membership
    slug = organisation.slug
    todo = []
    if not Authenticator.objects.filter(user=request.user).exists():
        todo.append((_("Activez la double authentification sur votre compte."),
                     reverse("mfa_index")))
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


NEXT_ACTIONS = 3
OVERDUE_SHOWN = 5


@dataclass
class DashboardDiagnostic:
    latest: object = None  # the last completed assessment
    in_progress: object = None
    level_label: str = ""
    level_explanation: str = ""


def dashboard_diagnostic(organisation):
    """The last completed assessment, with its level in words, and the one in progress."""
    from pharmagarde.diagnostic import selectors as diagnostic
    from pharmagarde.diagnostic.models import Assessment

    assessments = organisation.assessments.defer("theme_scores")
    summary = DashboardDiagnostic(
        latest=assessments.filter(status=Assessment.Status.COMPLETED)
        .order_by("-completed_at", "-id").first(),
        in_progress=assessments.filter(status=Assessment.Status.IN_PROGRESS)
        .order_by("-started_at", "-id").first(),
    )
    if summary.latest is not None:
        summary.level_label = diagnostic.level_label(summary.latest.level)
        summary.level_explanation = diagnostic.level_explanation(summary.latest.level)
    return summary


@dataclass
class DashboardPlan:
    next_actions: list
    overdue: list
    overdue_count: int
    open_count: int


def dashboard_plan(organisation, today=None):
    """The next open actions (by priority, then due date), the overdue ones (oldest due
    date first) and the counts: three queries, whatever the size of the plan."""
    from pharmagarde.actions.models import Action

    today = today or timezone.localdate()
    open_actions = organisation.actions.filter(status__in=Action.OPEN_STATUSES)
    late = Q(due_date__lt=today)
    counts = open_actions.aggregate(open=Count("id"), overdue=Count("id", filter=late))
    shown = open_actions.select_related("owner")
    return DashboardPlan(
        next_actions=list(shown.order_by("priority", F("due_date").asc(nulls_last=True),
                                         "id")[:NEXT_ACTIONS]),
        overdue=list(shown.filter(late).order_by("due_date", "priority", "id")[:OVERDUE_SHOWN]),
        overdue_count=counts["overdue"],
        open_count=counts["open"],
    )


# Account events (sign-ins, failures, MFA changes) have no organisation: each organisation's
# log shows those of its current members, so a responsable sees who signs in and when.
ACCOUNT_EVENT_PREFIXES = ("auth.", "mfa.")


def audit_entries_for(organisation):
    member_ids = organisation.memberships.values("user_id")
    account_events = Q(organisation__isnull=True, actor_id__in=member_ids) & (
        Q(action__startswith=ACCOUNT_EVENT_PREFIXES[0])
        | Q(action__startswith=ACCOUNT_EVENT_PREFIXES[1])
    )
    return AuditEntry.objects.filter(Q(organisation=organisation) | account_events)
