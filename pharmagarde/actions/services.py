"""Writes of the action plan, and its synchronisation with the diagnostic."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pharmagarde.core import audit
from pharmagarde.core.files import attach_file, delete_files_on_commit

from .models import Action, ActionEvidence


class ActionConflict(Exception):
    """Someone else saved this action since the form was shown; carries their version."""

    def __init__(self, current):
        super().__init__(_("Quelqu'un d'autre vient de modifier cette action."))
        self.current = current


# Fields the action form writes; the diagnostic's own fields are left to the sync.
FORM_FIELDS = ("title", "description", "owner", "due_date", "status", "effort", "progress",
               "notes", "question_ids")
DIAGNOSTIC_OWNED = ("title", "description", "effort", "question_ids")

# Fields a person sets on an action: the diagnostic never overwrites them.
HUMAN_FIELDS = ("owner_id", "due_date", "notes", "progress")


def _measure_fields(gap_group):
    """What the referential says about a measure, for the questions it closes."""
    first = gap_group[0]
    measure = first.measure
    level = "advanced" if all(g.level == "advanced" for g in gap_group) else "basic"
    return {
        "title": measure.title,
        "description": measure.advanced if level == "advanced" else measure.basic,
        "why": measure.why,
        "how": measure.how,
        "effort": measure.effort,
        "priority": measure.priority,
        "criticality": min((g.question.criticality for g in gap_group),
                           key=["critique", "majeure", "normale"].index),
        "level": level,
        "question_ids": sorted(g.question.id for g in gap_group),
    }


def _untouched(action):
    return action.status == Action.Status.TODO and not any(
        getattr(action, name) for name in HUMAN_FIELDS)


def plan_sync_from_assessment(*, acting_user, assessment, request=None):
    """Make the diagnostic actions match the assessment's gaps. Returns the change count.

    New gap → new action. Gap still there → its text follows the referential; owner, due
    date, status, progress and notes are kept. Gap gone → an untouched action is removed,
    a started one is marked as resolved by the diagnostic (the person decides). A finished
    action whose gap is still there in a later assessment is reopened.
    """
    organisation = assessment.organisation
    groups = {}
    for gap in assessment.result().gaps:
        groups.setdefault(gap.measure.id, []).append(gap)
    existing = {a.measure_id: a for a in organisation.actions.filter(
        source=Action.Source.DIAGNOSTIC)}
    changes = 0
    with transaction.atomic():
        for measure_id, gaps in groups.items():
            changes += _upsert(organisation, assessment, existing.get(measure_id), measure_id,
                               _measure_fields(gaps), acting_user)
        for measure_id, action in existing.items():
            if measure_id not in groups:
                changes += _resolve(action)
        if changes:
            audit.record("plan.synced", actor=acting_user, organisation=organisation,
                         obj=assessment, request=request, details={"changements": changes})
    return changes


def _upsert(organisation, assessment, action, measure_id, fields, user):
    if action is None:
        Action.objects.create(organisation=organisation, source=Action.Source.DIAGNOSTIC,
                              measure_id=measure_id, assessment=assessment, created_by=user,
                              **fields)
        return 1
    changed = {k: v for k, v in fields.items() if getattr(action, k) != v}
    if action.resolved_by_diagnostic:
        changed["resolved_by_diagnostic"] = False
    if action.status == Action.Status.DONE and action.closed_at \
            and action.closed_at < assessment.started_at:
        changed.update(status=Action.Status.TODO, closed_at=None, notes=(
            action.notes + "\n" + _("Rouverte : le diagnostic du %(date)s montre que la mesure "
                                    "n'est pas en place.")
            % {"date": date_format(assessment.started_at, "d/m/Y")}).strip())
        # Status and notes are what a person edits: an open form must not overwrite this.
        changed["revision"] = action.revision + 1
    if changed and action.assessment_id != assessment.id:
        changed["assessment"] = assessment
    if not changed:
        return 0
    for name, value in changed.items():
        setattr(action, name, value)
    action.save()
    return 1


def _resolve(action):
    if action.status in (Action.Status.DONE, Action.Status.DROPPED):
        return 0
    if _untouched(action):
        action.delete()
        return 1
    if not action.resolved_by_diagnostic:
        action.resolved_by_diagnostic = True
        action.save(update_fields=["resolved_by_diagnostic", "updated_at"])
        return 1
    return 0


def action_save(*, acting_user, action, changed=(), revision=None, request=None):
    """Create or update an action validated by a form.

    `revision` is the one the form showed; None skips the check. Raises ActionConflict,
    and writes nothing, when someone else saved the action in between.
    """
    created = action.pk is None
    if created:
        action.created_by = acting_user
    if action.status == Action.Status.DONE and action.closed_at is None:
        action.closed_at = timezone.now()
        action.progress = 100
    elif action.status != Action.Status.DONE:
        action.closed_at = None
    with transaction.atomic():
        if not created:
            # Claims the revision the user saw: a concurrent save makes the update miss
            # (and on PostgreSQL the row stays locked until this transaction ends).
            queryset = Action.objects.filter(pk=action.pk)
            if revision is not None:
                queryset = queryset.filter(revision=revision)
            if not queryset.update(revision=F("revision") + 1):
                raise ActionConflict(Action.objects.select_related("owner").get(pk=action.pk))
            action.revision = Action.objects.values_list("revision", flat=True).get(
                pk=action.pk)
            fields = [f for f in FORM_FIELDS if action.source != Action.Source.DIAGNOSTIC
                      or f not in DIAGNOSTIC_OWNED]
            action.save(update_fields=[*fields, "closed_at", "revision", "updated_at"])
        else:
            action.save()
        code = "action.created" if created else (
            "action.closed" if action.status == Action.Status.DONE and "status" in changed
            else "action.updated")
        audit.record(code, actor=acting_user, organisation=action.organisation, obj=action,
                     request=request, details={"champs": sorted(changed)} if changed else {})
    return action


def action_delete(*, acting_user, action, request=None):
    with transaction.atomic():
        audit.record("action.deleted", actor=acting_user, organisation=action.organisation,
                     obj=action, request=request)
        files = [evidence.file for evidence in action.evidence.all()]
        action.delete()
        # The files go only once the rows are gone for good.
        delete_files_on_commit(files)


def action_evidence_add(*, acting_user, action, uploaded_file, content_type, stored_name,
                        original_name, request=None):
    """Attach a file already checked by lib.uploads to an action, under a random name."""
    evidence = ActionEvidence(organisation=action.organisation, action=action,
                              original_name=original_name[:200], content_type=content_type)
    return attach_file(evidence, uploaded_file, attached_to=action,
                       siblings=action.evidence.all(), stored_name=stored_name,
                       action="action.evidence_added", acting_user=acting_user,
                       request=request, details={"action": action.pk,
                                                 "taille": uploaded_file.size})


def action_evidence_remove(*, acting_user, evidence, request=None):
    with transaction.atomic():
        audit.record("action.evidence_removed", actor=acting_user,
                     organisation=evidence.organisation, obj=evidence, request=request,
                     details={"action": evidence.action_id})
        field_file = evidence.file
        evidence.delete()
        delete_files_on_commit([field_file])
