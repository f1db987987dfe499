"""Writes of the action plan: the one reconciliation every source goes through
(plan_reconcile), and the edits people make."""

import datetime
import json
from collections import Counter
from collections.abc import Iterable, Sequence

from django.contrib.auth.base_user import AbstractBaseUser as User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pharmagarde.core import audit
from pharmagarde.core.concurrency import RevisionConflict, claim_revision
from pharmagarde.core.files import attach_file, delete_files_on_commit, detach_file
from pharmagarde.core.models import Organisation

from .models import Action, ActionEvidence
from .sources import MANUAL, PlanItem, ReconcileResult


class ActionConflict(RevisionConflict):
    """Someone else saved this action since the form was shown; carries their version."""

    def __init__(self, current):
        super().__init__(current, _("Quelqu'un d'autre vient de modifier cette action."))


# Fields the action form writes. On an action from a source, the source owns the text
# (SOURCE_OWNED, rewritten at each reconciliation) and the form leaves it alone.
FORM_FIELDS = ("title", "description", "owner", "due_date", "status", "effort", "progress",
               "notes")
SOURCE_OWNED = ("title", "description", "why", "how", "effort", "priority", "criticality",
                "references")

# Fields a person sets on an action: a source never overwrites them.
HUMAN_FIELDS = ("owner_id", "due_date", "notes", "progress")


def _check_items(source: str, items: Sequence[PlanItem]) -> None:
    """A source's mistakes are programming errors: refuse them before writing anything."""
    if not source or source == MANUAL or len(source) > Action._meta.get_field("source").max_length:
        raise ValueError(f"Nom de source invalide : {source!r}")
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise ValueError(f"Clés en double dans les éléments de la source {source!r}")
    key_length = Action._meta.get_field("source_key").max_length
    for item in items:
        if not item.key or len(item.key) > key_length:
            raise ValueError(f"Clé invalide dans la source {source!r} : {item.key!r}")
        if item.effort not in Action.Effort.values:
            raise ValueError(f"Effort inconnu pour {source}/{item.key} : {item.effort!r}")


def _item_fields(item: PlanItem) -> dict:
    """The columns an item writes. JSON goes through a round trip so that a tuple and the
    list read back compare equal: the same items twice change nothing."""
    return {
        "title": item.title[:200], "description": item.description, "why": item.why,
        "how": item.how, "effort": item.effort, "priority": item.priority,
        "criticality": item.criticality, "references": list(item.references),
        "source_data": json.loads(json.dumps(dict(item.data))),
    }


def _untouched(action: Action) -> bool:
    """Nothing a person did would be lost by deleting it (evidence counts as work)."""
    return action.status == Action.Status.TODO and not action.evidence_count and not any(
        getattr(action, name) for name in HUMAN_FIELDS)


def plan_reconcile(*, acting_user, organisation: Organisation, source: str,
                   items: Sequence[PlanItem], as_of: datetime.datetime | None = None,
                   reopen_note: str = "", obj=None,
                   request: HttpRequest | None = None) -> ReconcileResult:
    """Make the plan's actions from `source` match the source's current, complete list.

    One action per (organisation, source, item key):
    - a new key gives a new action;
    - a key still there: the action's text follows the item (SOURCE_OWNED and the
      source's data); owner, due date, status, progress and notes are kept; a
      "resolved at the source" flag goes; a finished action closed before `as_of` (when
      the source began the observation that still shows the item) reopens, with
      `reopen_note` added to its notes and its revision claimed, so that an open form
      cannot overwrite the reopening;
    - a key gone: an untouched action (to do, nothing set by a person, no evidence) is
      removed, a started one is flagged as resolved at the source (the person decides),
      a finished or dropped one stays as it is.
    One transaction, one "plan.synced" audit entry with the counts (on `obj`, the
    source's object, when given) and only when something changed: the same items twice
    write nothing. Hand-made actions and other sources' actions are never touched.
    """
    _check_items(source, items)
    with transaction.atomic():
        # One reconciliation of an organisation at a time: two at once would both create
        # the same new key (PostgreSQL; SQLite writes one transaction at a time anyway).
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        existing = {action.source_key: action for action in (
            Action.objects.filter(organisation=organisation, source=source)
            .annotate(evidence_count=Count("evidence")))}
        counts = Counter()
        for item in items:
            counts[_upsert(organisation, source, existing.get(item.key), item, as_of,
                           reopen_note, acting_user)] += 1
        keys = {item.key for item in items}
        for key, action in existing.items():
            if key not in keys:
                counts[_resolve(action)] += 1
        counts.pop(None, None)
        result = ReconcileResult(**counts)
        if result:
            audit.record("plan.synced", actor=acting_user, organisation=organisation,
                         obj=obj, request=request, details={
                             "origine": source, "changements": result.changes,
                             "ajoutées": result.created, "modifiées": result.updated,
                             "rouvertes": result.reopened, "résolues": result.resolved,
                             "retirées": result.removed})
    return result


def _upsert(organisation, source, action, item, as_of, reopen_note, user):
    fields = _item_fields(item)
    if action is None:
        Action.objects.create(organisation=organisation, source=source, source_key=item.key,
                              created_by=user, **fields)
        return "created"
    changed = {name: value for name, value in fields.items() if getattr(action, name) != value}
    if action.resolved_at_source:
        changed["resolved_at_source"] = False
    outcome = "updated"
    if action.status == Action.Status.DONE and as_of is not None and action.closed_at \
            and action.closed_at < as_of:
        note = reopen_note or _("Rouverte : au %(date)s, ce point n'est toujours pas "
                                "réglé.") % {"date": date_format(as_of, "d/m/Y")}
        changed.update(status=Action.Status.TODO, closed_at=None,
                       notes=(action.notes + "\n" + note).strip(),
                       # Status and notes are what a person edits: claim the revision.
                       revision=action.revision + 1)
        outcome = "reopened"
    if not changed:
        return None
    for name, value in changed.items():
        setattr(action, name, value)
    action.save(update_fields=[*changed, "updated_at"])
    return outcome


def _resolve(action):
    if action.status in (Action.Status.DONE, Action.Status.DROPPED):
        return None
    if _untouched(action):
        action.delete()
        return "removed"
    if not action.resolved_at_source:
        action.resolved_at_source = True
        action.save(update_fields=["resolved_at_source", "updated_at"])
        return "resolved"
    return None


def action_save(*, acting_user: User, action: Action, changed: Iterable[str] = (),
                revision: int | None = None, request: HttpRequest | None = None) -> Action:
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
            claim_revision(Action.objects.all(), action.pk, revision, conflict=ActionConflict,
                           current=Action.objects.select_related("owner"))
            action.revision = Action.objects.values_list("revision", flat=True).get(
                pk=action.pk)
            # A hand-made action's source_data is what it settles at other sources
            # (the form's pickers); a source's action keeps the source's text and data.
            fields = [*FORM_FIELDS, "source_data"] if action.is_manual else [
                f for f in FORM_FIELDS if f not in SOURCE_OWNED]
            action.save(update_fields=[*fields, "closed_at", "revision", "updated_at"])
        else:
            action.save()
        code = "action.created" if created else (
            "action.closed" if action.status == Action.Status.DONE and "status" in changed
            else "action.updated")
        audit.record(code, actor=acting_user, organisation=action.organisation, obj=action,
                     request=request, details={"champs": sorted(changed)} if changed else {})
    return action


def action_delete(*, acting_user: User, action: Action,
                  request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        audit.record("action.deleted", actor=acting_user, organisation=action.organisation,
                     obj=action, request=request)
        files = [evidence.file for evidence in action.evidence.all()]
        action.delete()
        # The files go only once the rows are gone for good.
        delete_files_on_commit(files)


def action_evidence_add(*, acting_user: User, action: Action, uploaded_file: UploadedFile,
                        content_type: str, stored_name: str, original_name: str,
                        request: HttpRequest | None = None) -> ActionEvidence:
    """Attach a file already checked by lib.uploads to an action, under a random name."""
    evidence = ActionEvidence(organisation=action.organisation, action=action,
                              original_name=original_name[:200], content_type=content_type)
    return attach_file(evidence, uploaded_file, attached_to=action,
                       siblings=action.evidence.all(), stored_name=stored_name,
                       action="action.evidence_added", acting_user=acting_user,
                       request=request, details={"action": action.pk,
                                                 "taille": uploaded_file.size})


def action_evidence_remove(*, acting_user: User, evidence: ActionEvidence,
                           request: HttpRequest | None = None) -> None:
    detach_file(evidence, action="action.evidence_removed", acting_user=acting_user,
                details={"action": evidence.action_id}, request=request)
