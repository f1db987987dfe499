"""Every write of the incidents app: keyword-only arguments, acting_user, one transaction,
the audit entry inside it, e-mails queued on commit (core.mail).

Incidents and breach records are versioned: `_save_versioned` claims the revision the form
showed (core.concurrency: a concurrent edit is a conflict, never a silent overwrite),
writes the fields that changed and keeps their previous values in a RecordVersion. A
closed record is not edited: it is reopened first (with a reason), then edited.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmagarde.core import audit, mail
from pharmagarde.core.concurrency import RevisionConflict
from pharmagarde.core.files import attach_file
from pharmagarde.core.models import Membership, Organisation
from pharmagarde.core.versioning import display_value, save_with_history

from . import playbooks
from .models import (
    Breach,
    Incident,
    RecordVersion,
    ReflexStep,
    ResponseProfile,
    TimelineEntry,
    TimelineFile,
)
from .roles import ALERTED_ROLES


class RecordConflict(RevisionConflict):
    """Someone else saved this incident or breach record since the form was shown."""


class ClosedRecord(Exception):
    """A closed record is reopened (with a reason) before it is edited."""


def _next_number(model, organisation) -> int:
    # The organisation row is locked first: two declarations at once get two numbers.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    return (model.objects.filter(organisation=organisation).aggregate(n=Max("number"))["n"]
            or 0) + 1


def response_profile(organisation) -> ResponseProfile:
    profile, _created = ResponseProfile.objects.get_or_create(organisation=organisation)
    return profile


def incident_declare(*, acting_user, organisation, kind: str, description: str,
                     noticed_at: datetime.datetime, started_at: datetime.datetime | None = None,
                     personal_data: str = Incident.PersonalData.UNKNOWN,
                     request=None) -> Incident:
    """Declare an incident: its number, its reflexes from the playbook of its kind and the
    organisation's kind, the first line of its timeline, a breach record when personal
    data are involved, and an e-mail at once to the responsables and référents."""
    with transaction.atomic():
        incident = Incident.objects.create(
            organisation=organisation, number=_next_number(Incident, organisation),
            kind=kind, description=description, noticed_at=noticed_at, started_at=started_at,
            personal_data=personal_data, declared_by=acting_user)
        book = playbooks.playbook(kind)
        ReflexStep.objects.bulk_create([
            ReflexStep(organisation=organisation, incident=incident, position=position,
                       key=step.id, text=step.text, detail=step.detail)
            for position, step in enumerate(book.steps_for(organisation.kind), start=1)])
        TimelineEntry.objects.create(
            organisation=organisation, incident=incident, at=timezone.now(),
            kind=TimelineEntry.Kind.STATUS, author=acting_user,
            text=_("Incident déclaré : %(kind)s.") % {"kind": incident.get_kind_display()})
        audit.record("incident.declared", actor=acting_user, organisation=organisation,
                     obj=incident, request=request,
                     details={"type": incident.get_kind_display(),
                              "données personnelles": incident.get_personal_data_display()})
        if personal_data == Incident.PersonalData.YES:
            breach_open(acting_user=acting_user, incident=incident, request=request)
        _alert(incident, acting_user)
    return incident


def _alert(incident: Incident, acting_user) -> None:
    """An e-mail at once to each responsable and référent (not the declarer), not a
    reminder: an incident does not wait for a digest."""
    recipients = (Membership.objects.filter(organisation=incident.organisation,
                                            role__in=ALERTED_ROLES, user__is_active=True)
                  .exclude(user=acting_user).select_related("user").order_by("pk"))
    url = settings.SITE_URL + reverse("incident_detail",
                                      args=[incident.organisation.slug, incident.pk])
    for membership in recipients:
        if not membership.user.email:
            continue
        mail.email_on_commit(
            to=[membership.user.email],
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _(
                "Incident déclaré : %(kind)s — %(organisation)s") % {
                "kind": incident.get_kind_display(),
                "organisation": incident.organisation.name},
            template="incidents/mail/declared.txt",
            context={"incident": incident, "url": url, "declarer": acting_user},
            key=f"incident-declared:{incident.pk}:{membership.user_id}")


def breach_open(*, acting_user, incident: Incident, request=None) -> Breach:
    """Open the breach record of an incident (once): the register holds every breach,
    notified or not (art. 33(5) GDPR)."""
    with transaction.atomic():
        existing = Breach.objects.filter(incident=incident).first()
        if existing is not None:
            return existing
        breach = Breach.objects.create(
            organisation=incident.organisation,
            number=_next_number(Breach, incident.organisation), incident=incident,
            aware_at=incident.noticed_at, facts=incident.description)
        audit.record("breach.opened", actor=acting_user, organisation=incident.organisation,
                     obj=breach, request=request, details={"incident": incident.reference})
    return breach


def _save_versioned(record, *, acting_user, values: dict, revision: int | None,
                    reason: str = "", audit_code: str, request=None) -> list[str]:
    """Write `values` on a versioned record (Incident or Breach), keeping the previous
    values in a RecordVersion, if the record is still at `revision`. Returns the labels of
    the fields that changed (nothing written when none did)."""
    if record.status == record.Status.CLOSED:
        raise ClosedRecord(_("Ce dossier est clos : rouvrez-le avant de le modifier."))
    diff = save_with_history(record, version_model=RecordVersion, acting_user=acting_user,
                             values=values, revision=revision, conflict=RecordConflict,
                             reason=reason)
    if not diff:
        return []
    audit.record(audit_code, actor=acting_user, organisation=record.organisation, obj=record,
                 request=request, details={"champs": ", ".join(diff)})
    return list(diff)


def incident_update(*, acting_user, incident: Incident, values: dict, revision: int | None,
                    request=None) -> list[str]:
    """Change an open incident's fields (versioned); a note in its timeline says what."""
    with transaction.atomic():
        changed = _save_versioned(incident, acting_user=acting_user, values=values,
                                  revision=revision, audit_code="incident.updated",
                                  request=request)
        if changed:
            _note(incident, acting_user, TimelineEntry.Kind.CHANGE,
                  _("Modifié : %(fields)s.") % {"fields": ", ".join(changed)})
            if incident.personal_data == Incident.PersonalData.YES:
                breach_open(acting_user=acting_user, incident=incident, request=request)
    return changed


def _note(incident, acting_user, kind, text, at=None) -> TimelineEntry:
    return TimelineEntry.objects.create(organisation=incident.organisation, incident=incident,
                                        at=at or timezone.now(), kind=kind, text=text,
                                        author=acting_user)


def step_toggle(*, acting_user, step: ReflexStep, done: bool, request=None) -> ReflexStep:
    """Tick a reflex (with the time and who) or untick it."""
    with transaction.atomic():
        if bool(step.done_at) == done:
            return step
        step.done_at, step.done_by = (timezone.now(), acting_user) if done else (None, None)
        step.save(update_fields=["done_at", "done_by"])
        _note(step.incident, acting_user, TimelineEntry.Kind.STEP,
              (_("Fait : %(step)s") if done else _("À refaire : %(step)s")) % {
                  "step": step.text})
        audit.record("incident.step_done" if done else "incident.step_undone",
                     actor=acting_user, organisation=step.organisation, obj=step.incident,
                     request=request, details={"réflexe": step.key})
    return step


def note_add(*, acting_user, incident: Incident, text: str,
             at: datetime.datetime | None = None, attachment=None,
             request=None) -> TimelineEntry:
    """Add an entry to the timeline, with an optional file already checked by
    lib.uploads: `attachment` is (uploaded file, content type, stored name, original
    name). The entry and its file are written together or not at all."""
    with transaction.atomic():
        entry = _note(incident, acting_user, TimelineEntry.Kind.NOTE, text, at=at)
        audit.record("incident.note_added", actor=acting_user,
                     organisation=incident.organisation, obj=incident, request=request)
        if attachment is not None:
            uploaded, content_type, stored_name, original_name = attachment
            attach_file(TimelineFile(organisation=incident.organisation, entry=entry,
                                     original_name=original_name[:200],
                                     content_type=content_type),
                        uploaded, attached_to=entry, siblings=entry.files.all(),
                        stored_name=stored_name, action="incident.file_added",
                        acting_user=acting_user, request=request,
                        details={"incident": incident.reference, "taille": uploaded.size})
    return entry


def incident_close(*, acting_user, incident: Incident, lessons: str, revision: int | None,
                   request=None) -> Incident:
    """Close an incident with its review: each line of the lessons becomes an action of
    the plan (plan_source)."""
    from .plan_source import plan_sync

    with transaction.atomic():
        _save_versioned(incident, acting_user=acting_user,
                        values={"lessons": lessons, "status": Incident.Status.CLOSED,
                                "closed_at": timezone.now()},
                        revision=revision, audit_code="incident.closed", request=request)
        _note(incident, acting_user, TimelineEntry.Kind.STATUS, _("Incident clos."))
        plan_sync(organisation=incident.organisation, acting_user=acting_user)
    return incident


def _reopen(record, *, acting_user, reason: str, audit_code: str, request=None) -> bool:
    """Reopen a closed Incident or Breach: its status back to open, a RecordVersion that
    keeps the reason, the audit entry. False (nothing written) when it is not closed."""
    if record.status != record.Status.CLOSED:
        return False
    model = type(record)
    record.status, record.closed_at = record.Status.OPEN, None
    record.revision += 1
    model.objects.filter(pk=record.pk).update(status=record.status, closed_at=None,
                                              revision=record.revision)
    RecordVersion.objects.create(
        organisation=record.organisation, record_type=model._meta.model_name,
        record_id=record.pk, revision=record.revision, author=acting_user,
        reason=reason[:300],
        changes={str(model._meta.get_field("status").verbose_name):
                 [str(record.Status.CLOSED.label), str(record.Status.OPEN.label)]})
    audit.record(audit_code, actor=acting_user, organisation=record.organisation, obj=record,
                 request=request, details={"raison": reason[:200]})
    return True


def incident_reopen(*, acting_user, incident: Incident, reason: str, request=None) -> Incident:
    """Reopen a closed incident; the reason is kept in its versions and timeline."""
    with transaction.atomic():
        if _reopen(incident, acting_user=acting_user, reason=reason,
                   audit_code="incident.reopened", request=request):
            _note(incident, acting_user, TimelineEntry.Kind.STATUS,
                  _("Incident rouvert : %(reason)s") % {"reason": reason})
    return incident


def breach_update(*, acting_user, breach: Breach, values: dict, revision: int | None,
                  request=None) -> list[str]:
    """Change an open breach record's fields (versioned)."""
    with transaction.atomic():
        return _save_versioned(breach, acting_user=acting_user, values=values,
                               revision=revision, audit_code="breach.updated",
                               request=request)


def breach_close(*, acting_user, breach: Breach, revision: int | None,
                 request=None) -> Breach:
    with transaction.atomic():
        _save_versioned(breach, acting_user=acting_user,
                        values={"status": Breach.Status.CLOSED, "closed_at": timezone.now()},
                        revision=revision, audit_code="breach.closed", request=request)
    return breach


def breach_reopen(*, acting_user, breach: Breach, reason: str, request=None) -> Breach:
    with transaction.atomic():
        _reopen(breach, acting_user=acting_user, reason=reason, audit_code="breach.reopened",
                request=request)
    return breach


def obligation_record(*, acting_user, incident: Incident, code: str,
                      done_at: datetime.datetime | None, reference: str = "",
                      delay_reason: str = "", not_applicable: str = "",
                      request=None):
    """Record a legal step of an incident (clocks.py): when it was done and its receipt
    number, or why it does not apply. A step done after its deadline needs the reason of
    the delay, which the drafts repeat (art. 33(1) GDPR asks it of a late notification).
    Recording it again corrects it. A closed incident is reopened first (ClosedRecord)."""
    from django.core.exceptions import ValidationError

    from . import clocks
    from .models import Obligation

    if code not in clocks.STEPS:
        raise ValueError(f"Démarche inconnue : {code!r}")
    reference, delay_reason = reference.strip(), delay_reason.strip()
    not_applicable = not_applicable.strip()
    with transaction.atomic():
        current = Incident.objects.select_for_update().get(pk=incident.pk)
        if current.status == Incident.Status.CLOSED:
            raise ClosedRecord(_("Cet incident est clos : rouvrez-le avant de le modifier."))
        if done_at is None and not not_applicable:
            raise ValidationError({"done_at": _(
                "Indiquez quand la démarche a été faite, ou pourquoi elle ne s'applique "
                "pas.")})
        if done_at is not None and not_applicable:
            raise ValidationError({"not_applicable": _(
                "La démarche est faite ou elle ne s'applique pas : remplissez l'un ou "
                "l'autre.")})
        clock = clocks.clock_of(current, code, now=timezone.now(),
                                organisation=incident.organisation)
        late = done_at is not None and clock.due_at is not None and done_at > clock.due_at
        if late and not delay_reason:
            raise ValidationError({"delay_reason": _(
                "Fait après l'échéance du %(due)s : indiquez la raison du retard, elle "
                "accompagne la déclaration.") % {
                "due": timezone.localtime(clock.due_at).strftime("%d/%m/%Y à %H:%M")}})
        obligation, _created = Obligation.objects.update_or_create(
            incident=current, code=code,
            defaults={"organisation": incident.organisation,
                      "done_at": done_at, "done_by": acting_user if done_at else None,
                      "reference": reference, "delay_reason": delay_reason if late else "",
                      "not_applicable": not_applicable})
        if done_at is not None:
            text = _("Démarche faite : %(step)s, le %(at)s.") % {
                "step": clock.title,
                "at": timezone.localtime(done_at).strftime("%d/%m/%Y à %H:%M")}
            if reference:
                text += " " + _("Numéro : %(reference)s.") % {"reference": reference}
            if late:
                text += " " + _("En retard de %(time)s : %(reason)s") % {
                    "time": clocks.duration_text(done_at - clock.due_at),
                    "reason": delay_reason}
        else:
            text = _("Démarche sans objet : %(step)s — %(reason)s") % {
                "step": clock.title, "reason": not_applicable}
        _note(current, acting_user, TimelineEntry.Kind.OBLIGATION, text, at=done_at)
        audit.record("incident.obligation_recorded", actor=acting_user,
                     organisation=incident.organisation, obj=current, request=request,
                     details={"démarche": code,
                              "fait le": done_at.isoformat(timespec="minutes")
                              if done_at else "",
                              "en retard": _("Oui") if late else _("Non"),
                              "sans objet": _("Oui") if not_applicable else _("Non")})
    return obligation


PROFILE_FIELDS = ("nis2_entity", "cyber_insured", "insurer", "cert_sante")


def response_profile_save(*, acting_user, organisation, values: dict,
                          request=None) -> list[str]:
    """Change what decides an organisation's deadlines (clocks.py). Returns the labels of
    the fields that changed; the audit entry keeps their values before and after."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Champs inconnus : {sorted(unknown)}")

    def shown(profile, name):
        if name == "cert_sante" and profile.cert_sante is None:
            return _("selon le type de la structure")
        return display_value(profile, name)

    with transaction.atomic():
        profile = response_profile(organisation)
        profile = ResponseProfile.objects.select_for_update().get(pk=profile.pk)
        changed = [name for name, value in values.items() if getattr(profile, name) != value]
        if not changed:
            return []
        before = {name: shown(profile, name) for name in changed}
        for name in changed:
            setattr(profile, name, values[name])
        profile.save(update_fields=[*changed, "updated_at"])
        details = {str(ResponseProfile._meta.get_field(name).verbose_name):
                   f"{before[name] or '—'} → {shown(profile, name) or '—'}"
                   for name in changed}
        audit.record("incident.profile_changed", actor=acting_user, organisation=organisation,
                     obj=profile, request=request, details=details)
    return list(details)


def breach_decide(*, acting_user, breach: Breach, answers: dict, decision: str, reasons: str,
                  revision: int | None, now: datetime.datetime | None = None, request=None):
    """Decide what a breach calls for (record only, notify the CNIL, also inform the
    people) from the risk helper's assessment of `answers` (risk.py), kept with the record
    beside the user's words and the helper's reasoning (versioned, "breach.decided").

    A decision other than the helper's proposal needs the user's reason. Returns the
    risk.Assessment; raises ValidationError (French messages by question), ClosedRecord,
    RecordConflict."""
    from django.core.exceptions import ValidationError

    from . import risk

    if breach.status == Breach.Status.CLOSED:
        raise ClosedRecord(_("Ce dossier est clos : rouvrez-le avant de le modifier."))
    try:
        answers = risk.clean_answers(answers)
    except risk.InvalidAnswers as error:
        raise ValidationError(error.errors) from error
    assessment = risk.assess(answers)
    reasons = (reasons or "").strip()[:1000]
    if decision not in risk.DECISIONS:
        raise ValidationError({"decision": _("Choisissez une décision.")})
    if decision != assessment.decision and not reasons:
        raise ValidationError({"reasons": _(
            "Vous choisissez une autre décision que celle proposée (« %(proposal)s ») : "
            "écrivez pourquoi, la raison est gardée avec la fiche.") % {
            "proposal": assessment.decision_label}})
    helper = "\n".join([_("Raisonnement de l'aide à la décision (méthode %(method)s), "
                          "proposition : %(proposal)s.") % {
                              "method": risk.METHOD, "proposal": assessment.decision_label},
                        *(f"- {reason}" for reason in assessment.reasons)])
    text = "\n\n".join(filter(None, [reasons, helper]))[:3000]
    with transaction.atomic():
        changed = _save_versioned(
            breach, acting_user=acting_user, revision=revision, reason=reasons,
            values={"assessment": assessment.as_dict(answers), "decision": decision,
                    "decision_reasons": text},
            audit_code="breach.decided", request=request)
        if changed:
            # Who and when are also the version's author and time: not a change to show.
            breach.decided_at, breach.decided_by = now or timezone.now(), acting_user
            Breach.objects.filter(pk=breach.pk).update(decided_at=breach.decided_at,
                                                       decided_by=acting_user)
    return assessment


class TooManyContacts(Exception):
    """The organisation already keeps contacts.MAX_CONTACTS emergency contacts."""


def contact_save(*, acting_user, contact, request=None):
    """Add or change one emergency contact of contact.organisation (placed in the list by
    its kind: contacts.KIND_ORDER). A new one beyond contacts.MAX_CONTACTS raises
    TooManyContacts."""
    from .contacts import KIND_ORDER, MAX_CONTACTS
    from .models import EmergencyContact

    with transaction.atomic():
        created = contact.pk is None
        if created:
            Organisation.objects.select_for_update().filter(
                pk=contact.organisation_id).first()
            if (EmergencyContact.objects.filter(organisation=contact.organisation_id)
                    .count() >= MAX_CONTACTS):
                raise TooManyContacts(_(
                    "La liste compte déjà %(max)d contacts : retirez-en un avant d'en "
                    "ajouter.") % {"max": MAX_CONTACTS})
        contact.order = KIND_ORDER.get(contact.kind, 100)
        contact.save()
        audit.record("incident.contact_saved", actor=acting_user,
                     organisation=contact.organisation, obj=contact, request=request,
                     details={"qui": str(contact.get_kind_display()),
                              "nouveau": _("Oui") if created else _("Non")})
    return contact


def contact_delete(*, acting_user, contact, request=None) -> None:
    with transaction.atomic():
        audit.record("incident.contact_deleted", actor=acting_user,
                     organisation=contact.organisation, obj=contact, request=request,
                     details={"qui": str(contact.get_kind_display()), "nom": contact.name})
        contact.delete()
