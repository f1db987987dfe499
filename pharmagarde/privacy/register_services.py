"""The register of processing activities (art. 30 GDPR): prefilling it from the catalogue
of the organisation's kind, adding, changing (with history), confirming and removing a
processing, the yearly review, and its reminder.

A change is versioned (core.versioning): the fields, and as extra changes the retention
periods and the links (software, devices, processors), are kept as they read before and
after in a PrivacyVersion; a concurrent edit raises ProcessingConflict and writes nothing.
The register does not feed the action plan (its gaps are shown on its own pages): no
plan_sync here.
"""

import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import FilteredRelation, Max, Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.continuity.plan_services import latest_occurrence, long_date
from pharmagarde.core import audit
from pharmagarde.core.concurrency import RevisionConflict
from pharmagarde.core.reminders import Due
from pharmagarde.core.versioning import save_with_history
from pharmagarde.inventory.models import Device, Software
from pharmagarde.lib.dates import add_months

from . import catalogue
from .models import PrivacyProfile, PrivacyVersion, Processing, Processor, Retention
from .roles import WRITE_ROLES

# The register is reviewed once a year; a register prefilled and never reviewed is
# reminded a month after the prefill, once people had time to read it.
REVIEW_EVERY_MONTHS = 12
FIRST_REVIEW_AFTER = datetime.timedelta(days=30)


class ProcessingConflict(RevisionConflict):
    """Someone else saved this processing since the form was shown."""


@dataclass(frozen=True)
class RetentionValues:
    """One retention period as the form gives it."""

    data: str
    duration: str
    reference: str = ""
    to_check: bool = False

    def line(self) -> str:
        text = f"{self.data} : {self.duration}"
        if self.reference:
            text += f" ({self.reference})"
        if self.to_check:
            text += " — " + _("à vérifier")
        return text


@dataclass(frozen=True)
class Links:
    """What a processing is linked to: the organisation's own inventory and processors."""

    software: Sequence[Software] = ()
    devices: Sequence[Device] = ()
    processors: Sequence[Processor] = ()


def retention_values(processing: Processing) -> list[RetentionValues]:
    """The processing's retention periods as values (what a form shows and gives back)."""
    return [RetentionValues(row.data, row.duration, row.reference, row.to_check)
            for row in processing.retentions.all()]


def _lines(rows: Iterable[RetentionValues]) -> str:
    return "\n".join(row.line() for row in rows)


def _names(items: Iterable) -> str:
    return ", ".join(sorted(str(item) for item in items))


def _check_links(organisation, links: Links) -> None:
    """Only the organisation's own items may be linked (the forms offer no others)."""
    for items in (links.software, links.devices, links.processors):
        if any(item.organisation_id != organisation.pk for item in items):
            raise ValidationError(_("Cet élément n'appartient pas à votre structure."))


def _write_retentions(processing: Processing, rows: Sequence[RetentionValues]) -> None:
    """The processing's retention rows become `rows`, in order: the existing ones are
    rewritten in place (their ids stay), the extra ones added or removed."""
    existing = list(processing.retentions.order_by("position", "id"))
    for position, values in enumerate(rows, start=1):
        fields = {"position": position, "data": values.data, "duration": values.duration,
                  "reference": values.reference, "to_check": values.to_check}
        if existing:
            row = existing.pop(0)
            for name, value in fields.items():
                setattr(row, name, value)
            row.save(update_fields=list(fields))
        else:
            Retention.objects.create(organisation_id=processing.organisation_id,
                                     processing=processing, **fields)
    Retention.objects.filter(pk__in=[row.pk for row in existing]).delete()


def _write_links(processing: Processing, links: Links) -> None:
    processing.software.set(links.software)
    processing.devices.set(links.devices)
    processing.processors.set(links.processors)


def _next_number(organisation) -> int:
    top = Processing.objects.filter(organisation=organisation).aggregate(top=Max("number"))
    return (top["top"] or 0) + 1


def register_prefill(*, acting_user, organisation, request=None) -> int:
    """Create, once per organisation, the processings of its kind's catalogue (numbered
    from 1, after any already there) with their retention periods. Returns how many were
    created: 0 when the register was already prefilled."""
    with transaction.atomic():
        profile, _created = PrivacyProfile.objects.get_or_create(organisation=organisation)
        profile = PrivacyProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.prefilled_at is not None:
            return 0
        entries = catalogue.entries_for(organisation.kind)
        start = _next_number(organisation)
        for number, entry in enumerate(entries, start=start):
            processing = Processing.objects.create(organisation=organisation, number=number,
                                                   **entry.model_fields())
            Retention.objects.bulk_create(
                Retention(organisation=organisation, processing=processing,
                          position=position, data=row.data, duration=row.duration,
                          reference=row.reference, to_check=row.to_check)
                for position, row in enumerate(entry.retentions, start=1))
        profile.prefilled_at = timezone.now()
        profile.save(update_fields=["prefilled_at", "updated_at"])
        audit.record("privacy.register_prefilled", actor=acting_user,
                     organisation=organisation, request=request,
                     details={"type": organisation.kind, "traitements": len(entries)})
    return len(entries)


def processing_create(*, acting_user, organisation, values: dict,
                      retentions: Sequence[RetentionValues], links: Links,
                      request=None) -> Processing:
    """Add a processing to the register, numbered after the last one."""
    _check_links(organisation, links)
    with transaction.atomic():
        processing = Processing.objects.create(organisation=organisation,
                                               number=_next_number(organisation), **values)
        _write_retentions(processing, retentions)
        _write_links(processing, links)
        audit.record("privacy.processing_created", actor=acting_user,
                     organisation=organisation, obj=processing, request=request,
                     details={"traitement": processing.name, "numéro": processing.number})
    return processing


def processing_update(*, acting_user, processing: Processing, values: dict,
                      revision: int | None, retentions: Sequence[RetentionValues],
                      links: Links, request=None) -> list[str]:
    """Change a processing if it is still at `revision` (ProcessingConflict otherwise),
    keeping the previous values in its history. Returns the labels of what changed
    (nothing written when nothing did)."""
    organisation = processing.organisation
    _check_links(organisation, links)
    with transaction.atomic():
        extra = {
            _("Durées de conservation"): [
                _lines(retention_values(processing)), _lines(retentions)],
            str(Processing._meta.get_field("software").verbose_name): [
                _names(processing.software.all()), _names(links.software)],
            str(Processing._meta.get_field("devices").verbose_name): [
                _names(processing.devices.all()), _names(links.devices)],
            str(Processing._meta.get_field("processors").verbose_name): [
                _names(processing.processors.all()), _names(links.processors)],
        }
        diff = save_with_history(processing, version_model=PrivacyVersion,
                                 acting_user=acting_user, values=values, revision=revision,
                                 conflict=ProcessingConflict, extra_changes=extra)
        if not diff:
            return []
        _write_retentions(processing, retentions)
        _write_links(processing, links)
        audit.record("privacy.processing_updated", actor=acting_user,
                     organisation=organisation, obj=processing, request=request,
                     details={"champs": ", ".join(diff)})
    return list(diff)


def processing_confirm(*, acting_user, processing: Processing, request=None) -> Processing:
    """Note that someone of the organisation read the processing and confirmed it
    (« relu et confirmé »), with the date and who; kept in its history."""
    with transaction.atomic():
        save_with_history(processing, version_model=PrivacyVersion, acting_user=acting_user,
                          values={"confirmed_at": timezone.now(),
                                  "confirmed_by": acting_user},
                          revision=None, conflict=ProcessingConflict)
        audit.record("privacy.processing_confirmed", actor=acting_user,
                     organisation=processing.organisation, obj=processing, request=request,
                     details={"traitement": processing.name})
    return processing


def processing_delete(*, acting_user, processing: Processing, request=None) -> None:
    """Remove a processing, its retention periods and its history."""
    with transaction.atomic():
        audit.record("privacy.processing_deleted", actor=acting_user,
                     organisation=processing.organisation, obj=processing, request=request,
                     details={"traitement": processing.name, "numéro": processing.number})
        PrivacyVersion.objects.filter(organisation=processing.organisation,
                                      record_type="processing",
                                      record_id=processing.pk).delete()
        processing.delete()


def register_review(*, acting_user, organisation, request=None) -> PrivacyProfile:
    """Note that the register was reviewed as a whole today (the yearly review)."""
    with transaction.atomic():
        profile, _created = PrivacyProfile.objects.get_or_create(organisation=organisation)
        profile.register_reviewed_at = timezone.now()
        profile.register_reviewed_by = acting_user
        profile.save(update_fields=["register_reviewed_at", "register_reviewed_by",
                                    "updated_at"])
        audit.record("privacy.register_reviewed", actor=acting_user,
                     organisation=organisation, request=request,
                     details={"traitements": Processing.objects.filter(
                         organisation=organisation).count()})
    return profile


# ---------------------------------------------------------------------------- reminders

def review_due_on(profile: PrivacyProfile) -> datetime.date | None:
    """When the register's next review is due: a year after the last one, or a month
    after the prefill when it was never reviewed; None before any prefill or review."""
    if profile.register_reviewed_at is not None:
        return add_months(timezone.localdate(profile.register_reviewed_at),
                          REVIEW_EVERY_MONTHS)
    if profile.prefilled_at is not None:
        return timezone.localdate(profile.prefilled_at) + FIRST_REVIEW_AFTER
    return None


SUBJECT = gettext_lazy("Revue annuelle du registre des traitements")
TEXT = gettext_lazy(
    "Le registre des traitements de données personnelles est à relire depuis le {due}.\n\n"
    "Parcourez chaque traitement : est-il toujours mis en œuvre, ses destinataires, ses "
    "sous-traitants et ses durées de conservation ont-ils changé ? Corrigez ce qui doit "
    "l'être, puis cliquez sur « J'ai revu le registre ».")


def _rows(now: datetime.datetime):
    """The profiles that may be due, with the user ids of their organisation's
    responsables and DPO, one row each (one query)."""
    return (
        PrivacyProfile.objects
        .filter(Q(prefilled_at__isnull=False) | Q(register_reviewed_at__isnull=False))
        .filter(Q(register_reviewed_at__lte=now - datetime.timedelta(days=300))
                | Q(register_reviewed_at__isnull=True,
                    prefilled_at__lte=now - FIRST_REVIEW_AFTER + datetime.timedelta(days=1)))
        .annotate(reminded=FilteredRelation(
            "organisation__memberships",
            condition=Q(organisation__memberships__role__in=WRITE_ROLES)))
        .order_by("pk", "reminded__user_id")
        .values_list("pk", "organisation_id", "organisation__slug", "register_reviewed_at",
                     "prefilled_at", "reminded__user_id")
    )


def due(now: datetime.datetime) -> Iterator[Due]:
    """One Due per organisation whose register review is due: on the day, then every 30
    days while not done (the continuity plan's rule); to its responsables and DPO. One
    query, whatever the number of organisations."""
    for _pk, group in groupby(_rows(now).iterator(chunk_size=2000), key=lambda row: row[0]):
        rows = list(group)
        _id, organisation_id, slug, reviewed_at, prefilled_at, _user = rows[0]
        due_date = review_due_on(PrivacyProfile(register_reviewed_at=reviewed_at,
                                                prefilled_at=prefilled_at))
        occurrence = latest_occurrence(due_date, now) if due_date else None
        if occurrence is None:
            continue
        yield Due(
            key=f"privacy.register:{organisation_id}",
            occurrence=occurrence,
            organisation_id=organisation_id,
            subject=SUBJECT,
            text=format_lazy(TEXT, due=long_date(due_date)),
            link=reverse_lazy("privacy_register", args=[slug]),
            users=tuple(row[-1] for row in rows if row[-1] is not None),
        )
