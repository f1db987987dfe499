"""Every write of the continuity plan: keyword-only arguments, acting_user, one transaction,
the audit entry inside it. And the plan's yearly review reminder (`due`).

The plan's `revision` goes up with every change the printed kit shows (an activity
saved or removed, the crisis cell): the kit printed at an older revision is out of date.
Each activity has its own revision too, claimed by the form that showed it
(core.concurrency): a concurrent edit is a conflict, never a silent overwrite.
"""

import datetime
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core import audit
from pharmagarde.core.concurrency import RevisionConflict, claim_revision
from pharmagarde.core.models import Organisation
from pharmagarde.core.reminders import Due
from pharmagarde.inventory.models import Device, Software

from . import activities as catalogue
from .models import ContinuityPlan, CriticalActivity

# An organisation's plan holds at most this many activities: the plan page and the kit
# stay one query and a few pages.
MAX_ACTIVITIES = 100
REVIEW_EVERY = datetime.timedelta(days=365)
# A plan never reviewed is first reminded this long after it was made, then like the
# others every REMIND_EVERY while the review is late.
FIRST_REVIEW_AFTER = datetime.timedelta(days=30)
REMIND_EVERY = datetime.timedelta(days=30)

# The fields of an activity a person edits, in the order of the form.
ACTIVITY_FIELDS = ("name", "description", "max_outage_hours", "max_data_loss_hours",
                   "impact", "impact_detail", "dependencies", "degraded_procedure", "roles",
                   "return_to_normal", "paper_forms")


class ActivityConflict(RevisionConflict):
    """Someone else saved this activity since the form was shown."""


class TooManyActivities(Exception):
    pass


class ForeignInventoryItem(ValueError):
    """A device or software that is not in the organisation's inventory."""


def _lock_plan(organisation: Organisation) -> tuple[ContinuityPlan, bool]:
    # The organisation row is locked first: two first visits at once make one plan.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    return ContinuityPlan.objects.get_or_create(organisation=organisation)


def _bump(plan: ContinuityPlan) -> None:
    ContinuityPlan.objects.filter(pk=plan.pk).update(revision=F("revision") + 1,
                                                     updated_at=timezone.now())
    plan.revision += 1


def plan_prefill(*, organisation: Organisation, acting_user,
                 request=None) -> tuple[ContinuityPlan, bool]:
    """The organisation's plan, made once with the critical activities of its kind
    (activities/<kind>.yaml); (plan, whether it was made now). A second call, or a second
    visitor at the same moment, adds nothing, even if every activity was removed since."""
    with transaction.atomic():
        plan, created = _lock_plan(organisation)
        if not created:
            return plan, False
        rows = [CriticalActivity(organisation=organisation, position=10 * position,
                                 revision=1, **item.model_fields())
                for position, item in enumerate(catalogue.activities_for(organisation.kind),
                                                start=1)]
        CriticalActivity.objects.bulk_create(rows)
        ContinuityPlan.objects.filter(pk=plan.pk).update(revision=1)
        plan.revision = 1
        audit.record("continuity.plan_prefilled", actor=acting_user, organisation=organisation,
                     obj=plan, request=request,
                     details={"type de structure": organisation.get_kind_display(),
                              "activités proposées": len(rows)})
    return plan, True


def _owned(model, organisation: Organisation, items: Iterable) -> list:
    """The rows of `items` (objects or ids) in the organisation's inventory; refuses any
    other."""
    ids = {getattr(item, "pk", item) for item in items}
    rows = list(model.objects.filter(organisation=organisation, pk__in=ids)) if ids else []
    if len(rows) != len(ids):
        raise ForeignInventoryItem(_("Choisissez parmi les éléments de l'inventaire de "
                                     "votre structure."))
    return rows


def _snapshot(activity: CriticalActivity) -> dict:
    values = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
    values["devices"] = set(activity.devices.values_list("pk", flat=True))
    values["software"] = set(activity.software.values_list("pk", flat=True))
    return values


def _label(name: str) -> str:
    return str(CriticalActivity._meta.get_field(name).verbose_name)


def activity_save(*, acting_user, activity: CriticalActivity, devices: Iterable = (),
                  software: Iterable = (), revision: int | None = None,
                  request=None) -> list[str]:
    """Add or change an activity of a plan with the devices and software it needs (only
    the organisation's own). Returns the labels of what changed (nothing written, and
    the plan's revision unchanged, when nothing did). Raises ActivityConflict when the
    activity is no longer at `revision`, TooManyActivities past MAX_ACTIVITIES."""
    organisation = activity.organisation
    with transaction.atomic():
        plan, _created = _lock_plan(organisation)
        device_rows = _owned(Device, organisation, devices)
        software_rows = _owned(Software, organisation, software)
        new = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
        new["devices"] = {row.pk for row in device_rows}
        new["software"] = {row.pk for row in software_rows}
        created = activity.pk is None
        if created:
            if CriticalActivity.objects.filter(organisation=organisation).count() \
                    >= MAX_ACTIVITIES:
                raise TooManyActivities(_(
                    "Le plan compte déjà %(max)s activités : regroupez-en avant d'en "
                    "ajouter.") % {"max": MAX_ACTIVITIES})
            activity.revision = 1
            activity.save()
            changed = [_label(name) for name in ACTIVITY_FIELDS if new[name]]
        else:
            before = _snapshot(CriticalActivity.objects.get(pk=activity.pk,
                                                            organisation=organisation))
            changed = [name for name in (*ACTIVITY_FIELDS, "devices", "software")
                       if before[name] != new[name]]
            if not changed:
                return []
            claim_revision(CriticalActivity.objects.filter(organisation=organisation),
                           activity.pk, revision, conflict=ActivityConflict)
            activity.save(update_fields=[*ACTIVITY_FIELDS, "updated_at"])
            activity.revision = CriticalActivity.objects.values_list(
                "revision", flat=True).get(pk=activity.pk)
            changed = [_label(name) for name in changed]
        activity.devices.set(device_rows)
        activity.software.set(software_rows)
        _bump(plan)
        audit.record("continuity.activity_saved", actor=acting_user,
                     organisation=organisation, obj=activity, request=request,
                     details={"activité": activity.name,
                              "champs": "création" if created else ", ".join(changed)})
    return changed


def activity_delete(*, acting_user, activity: CriticalActivity, request=None) -> None:
    with transaction.atomic():
        plan, _created = _lock_plan(activity.organisation)
        audit.record("continuity.activity_deleted", actor=acting_user,
                     organisation=activity.organisation, obj=activity, request=request,
                     details={"activité": activity.name})
        activity.delete()
        _bump(plan)


def crisis_cell_save(*, acting_user, plan: ContinuityPlan, crisis_cell: str,
                     request=None) -> bool:
    """Write who makes up the crisis cell; whether it changed."""
    crisis_cell = crisis_cell.strip()
    with transaction.atomic():
        if ContinuityPlan.objects.filter(pk=plan.pk, crisis_cell=crisis_cell).exists():
            return False
        ContinuityPlan.objects.filter(pk=plan.pk).update(crisis_cell=crisis_cell)
        plan.crisis_cell = crisis_cell
        _bump(plan)
        audit.record("continuity.crisis_cell_saved", actor=acting_user,
                     organisation=plan.organisation, obj=plan, request=request,
                     details={"caractères": len(crisis_cell)})
    return True


def plan_review(*, acting_user, plan: ContinuityPlan, now: datetime.datetime | None = None,
                request=None) -> None:
    """The plan was read again and found right (or corrected): its yearly review."""
    now = now or timezone.now()
    with transaction.atomic():
        ContinuityPlan.objects.filter(pk=plan.pk).update(reviewed_at=now,
                                                         reviewed_by=acting_user)
        plan.reviewed_at, plan.reviewed_by = now, acting_user
        audit.record("continuity.plan_reviewed", actor=acting_user,
                     organisation=plan.organisation, obj=plan, request=request,
                     details={"version du plan": plan.revision})


def kit_printed(*, acting_user, organisation: Organisation, revision: int | None,
                mark: bool = True, now: datetime.datetime | None = None,
                request=None) -> None:
    """The kit was made as a PDF from the plan at `revision` (None: no plan yet). Audited
    always; `mark`: it is the copy to keep (a member who can write printed it), so the plan
    shows when and whether the plan changed since."""
    now = now or timezone.now()
    with transaction.atomic():
        plan = ContinuityPlan.objects.filter(organisation=organisation).first()
        if plan is not None and mark and revision is not None:
            ContinuityPlan.objects.filter(pk=plan.pk).update(kit_printed_at=now,
                                                             kit_printed_revision=revision)
        audit.record("continuity.kit_printed", actor=acting_user, organisation=organisation,
                     obj=plan, request=request,
                     details={"version du plan": revision if revision is not None else 0,
                              "exemplaire à garder": "oui" if mark and plan else "non"})


# The yearly review reminder ------------------------------------------------------------

def review_due_on(plan_created_at: datetime.datetime,
                  reviewed_at: datetime.datetime | None) -> datetime.date:
    """The day the plan's review falls due: a year after the last review, or 30 days after
    the plan was made if it was never reviewed."""
    start = reviewed_at + REVIEW_EVERY if reviewed_at else plan_created_at + FIRST_REVIEW_AFTER
    return timezone.localdate(start)


def latest_occurrence(due_on: datetime.date, now: datetime.datetime) -> datetime.date | None:
    """The due day, then every REMIND_EVERY while the review is late: the latest reached."""
    today = timezone.localdate(now)
    if today < due_on:
        return None
    return due_on + REMIND_EVERY * ((today - due_on) // REMIND_EVERY)


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


long_date = lazy(_date, str)

REVIEW_SUBJECT = gettext_lazy("Plan de continuité à revoir — {organisation}")
REVIEW_TEXT = gettext_lazy(
    "Le plan de continuité de {organisation} n'a pas été revu depuis le {since}.\n\n"
    "Une fois par an, relisez-le avec l'équipe : les activités critiques, leurs durées "
    "maximales d'interruption, les procédures du mode dégradé, la cellule de crise. "
    "Corrigez ce qui a changé, marquez le plan comme revu, puis imprimez le nouveau kit "
    "du mode dégradé à la place de l'ancien.")
NEVER_TEXT = gettext_lazy(
    "Le plan de continuité de {organisation}, préparé le {since}, n'a encore jamais été "
    "revu.\n\nRelisez-le avec l'équipe : les activités critiques, leurs durées maximales "
    "d'interruption, les procédures du mode dégradé, la cellule de crise. Complétez ce "
    "qui manque, marquez le plan comme revu, puis imprimez le kit du mode dégradé et "
    "rangez-le à un endroit que toute l'équipe connaît.")


def due(now: datetime.datetime) -> Iterator[Due]:
    """One reminder per plan whose yearly review is late, to the responsables, in the
    weekly digest (not urgent); again every 30 days while it stays late. One query."""
    late = (ContinuityPlan.objects
            .filter(Q(reviewed_at__lt=now - REVIEW_EVERY)
                    | Q(reviewed_at__isnull=True, created_at__lt=now - FIRST_REVIEW_AFTER))
            .values_list("pk", "organisation_id", "organisation__slug", "organisation__name",
                         "created_at", "reviewed_at")
            .order_by("pk"))
    for pk, organisation_id, slug, name, created_at, reviewed_at in late:
        occurrence = latest_occurrence(review_due_on(created_at, reviewed_at), now)
        if occurrence is None:
            continue
        since = long_date(timezone.localdate(reviewed_at or created_at))
        yield Due(key=f"continuity.plan_review:{pk}", occurrence=occurrence,
                  organisation_id=organisation_id,
                  subject=format_lazy(REVIEW_SUBJECT, organisation=name),
                  text=format_lazy(REVIEW_TEXT if reviewed_at else NEVER_TEXT,
                                   organisation=name, since=since),
                  link=reverse("continuity_plan", args=[slug]))
