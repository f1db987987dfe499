"""The writes of the reports app: asking for a pack (built by the worker), recording its
download, and the management's approval of the action plan (NIS2 art. 20).

Keyword-only arguments, `acting_user`, one transaction each with its audit entry; the
pack is built after commit by reports.tasks.build_pack, given its id only.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmagarde.core import audit
from pharmagarde.core.models import Organisation
from pharmagarde.core.packs import regimes_for

from . import selectors
from .models import Pack, SignOff, stalled

ACTIVE = (Pack.Status.QUEUED, Pack.Status.RUNNING)
FORMATS = ("pdf", "docx", "xlsx")


def pack_request(*, organisation: Organisation, regime: str, acting_user,
                 request=None) -> Pack:
    """Queue the pack of `regime` for the organisation, or return the one already queued
    or being built for it (a double click, two people at once: one pack)."""
    if regime not in {r.key for r in regimes_for(organisation)}:
        raise ValidationError(_("Ce référentiel ne s'applique pas à votre structure."))
    now = timezone.now()
    with transaction.atomic():
        # Two requests at once take turns here, so that only one finds no active pack.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        active = Pack.objects.filter(organisation=organisation, regime=regime,
                                     status__in=ACTIVE)
        # Running is judged from when a worker took it, queued from when it was asked.
        active.filter(stalled(now)).update(
            status=Pack.Status.FAILED, finished_at=now,
            error=_("La préparation a été interrompue (le service de tâches s'est arrêté). "
                    "Relancez-la."))
        existing = active.first()
        if existing is not None:
            return existing
        pack = Pack.objects.create(organisation=organisation, regime=regime,
                                   requested_by=acting_user, as_of=timezone.localdate(),
                                   step=_("En attente du service de tâches"))
        audit.record("pack.requested", actor=acting_user, organisation=organisation,
                     obj=pack, request=request, details={"référentiel": regime})
        transaction.on_commit(lambda: enqueue(pack.pk))
    return pack


def enqueue(pack_id: int) -> None:
    from .tasks import build_pack

    build_pack.enqueue(pack_id=pack_id)


def pack_downloaded(*, pack: Pack, file_format: str, acting_user, request=None) -> None:
    """Who downloaded which file of a pack: the audit log keeps it."""
    if file_format not in FORMATS:
        raise ValidationError(_("Format inconnu."))
    audit.record("pack.downloaded", actor=acting_user, organisation=pack.organisation,
                 obj=pack, request=request,
                 details={"référentiel": pack.regime, "format": file_format})


class PlanChanged(ValidationError):
    """The plan is no longer the one the responsable read and approved."""


def signoff_record(*, organisation: Organisation, acting_user, comment: str = "",
                   expected_digest: str | None = None, request=None) -> SignOff:
    """The responsable approves the plan as it stands: who, when, their comment, the plan
    frozen (counts, open actions) and its digest. `expected_digest`: the digest of the plan
    the page showed them; if the plan changed since (an action added meanwhile), nothing
    is recorded (PlanChanged): one approves only the plan one has read."""
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError(_("Le commentaire est trop long : 2 000 caractères au plus."))
    with transaction.atomic():
        # Approvals of one organisation take turns; the plan is read once the turn is ours.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        summary = selectors.plan_summary(organisation)
        if expected_digest is not None and expected_digest != selectors.plan_digest(summary):
            raise PlanChanged(_("Le plan a changé pendant votre lecture : relisez-le avant "
                                "d'approuver."), code="plan_changed")
        signoff = SignOff.objects.create(
            organisation=organisation, approved_by=acting_user,
            approved_by_label=acting_user.get_full_name() or acting_user.email,
            comment=comment, plan_summary=summary,
            plan_digest=selectors.plan_digest(summary))
        audit.record("signoff.recorded", actor=acting_user, organisation=organisation,
                     obj=signoff, request=request,
                     details={"actions": summary["total"], "ouvertes": len(summary["open"]),
                              "empreinte": signoff.plan_digest})
    return signoff
