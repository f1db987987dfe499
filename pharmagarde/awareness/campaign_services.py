"""Every write of a campaign's life: its targets, the launch (the content copied, one row
per person with its token and send time), pause, resume and stop. Keyword-only arguments,
acting_user, one transaction, the audit entry inside it; sending tasks queued on commit."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmagarde.core import audit
from pharmagarde.core.models import Organisation, Person

from . import sending
from .models import Campaign, Recipient


class CampaignError(ValueError):
    """A campaign that cannot be launched, paused or resumed as asked (a French message)."""


def next_number(organisation) -> int:
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    return (Campaign.objects.filter(organisation=organisation)
            .aggregate(n=Max("number"))["n"] or 0) + 1


def targets(campaign: Campaign, *, today: datetime.date | None = None) -> list[Person]:
    """The people a campaign reaches: its people, its groups' members and the staff of its
    jobs; each address once (case ignored), those who have left and those without an
    address left out. Three queries."""
    today = today or timezone.localdate()
    people = {person.pk: person for person in campaign.people.all()}
    for group in campaign.groups.prefetch_related("members"):
        people.update({person.pk: person for person in group.members.all()})
    if campaign.jobs:
        people.update({person.pk: person for person in Person.objects.filter(
            organisation_id=campaign.organisation_id, job__in=campaign.jobs)})
    chosen, seen = [], set()
    for person in sorted(people.values(), key=lambda p: (p.last_name, p.first_name, p.pk)):
        address = person.email.strip().lower()
        if not address or address in seen:
            continue
        if person.departure_date is not None and person.departure_date <= today:
            continue
        seen.add(address)
        chosen.append(person)
    return chosen


def campaign_launch(*, acting_user, campaign: Campaign, content: dict,
                    now: datetime.datetime | None = None, request=None) -> int:
    """Launch a draft: copy what it sends (`content`: subject, sender_name,
    sender_address, html, text, clues, module, form, lesson), make its rows with their
    send times, and start the sending tasks. Returns the number of recipients."""
    now = now or timezone.now()
    if campaign.status != Campaign.Status.DRAFT:
        raise CampaignError(_("Cette campagne est déjà lancée."))
    if campaign.profile is None:
        raise CampaignError(_("Choisissez le profil d'envoi de la campagne."))
    if campaign.named and not campaign.named_reason.strip():
        raise CampaignError(_("Des résultats nominatifs demandent une raison écrite."))
    people = targets(campaign)
    if not people:
        raise CampaignError(_("Aucune personne à viser : ajoutez des personnes ayant une "
                              "adresse e-mail, ou un groupe."))
    start = max(campaign.start_at or now, now)
    slots = sending.schedule(len(people), start=start,
                             rate_per_minute=campaign.profile.rate_per_minute,
                             window=sending.window_of(campaign), spread=campaign.spread)
    if campaign.send_by and slots and slots[-1] > campaign.send_by:
        raise sending.ScheduleTooLong(slots[-1])
    with transaction.atomic():
        updated = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.DRAFT).update(
            status=Campaign.Status.SENDING, content=content, launched_at=now,
            launched_by=acting_user)
        if not updated:
            raise CampaignError(_("Cette campagne est déjà lancée."))
        sites = _sites(people)
        Recipient.objects.bulk_create([
            Recipient(organisation_id=campaign.organisation_id, campaign=campaign,
                      person=person, email=person.email.strip(), first_name=person.first_name,
                      last_name=person.last_name, job=person.job,
                      site=sites.get(person.pk, ""), send_at=slot)
            for person, slot in zip(people, slots, strict=True)], batch_size=1000)
        audit.record("awareness.campaign_launched", actor=acting_user,
                     organisation=campaign.organisation, obj=campaign, request=request,
                     details={"destinataires": len(people)})
        first = slots[0]
        transaction.on_commit(lambda: sending.enqueue(
            campaign.pk, run_after=first if first > now + datetime.timedelta(seconds=5)
            else None, workers=settings.AWARENESS_SENDERS))
    campaign.refresh_from_db()
    return len(people)


def _sites(people) -> dict[int, str]:
    """Each person's site (the first group of kind « site » they belong to)."""
    from .models import StaffGroup

    found = {}
    for group in StaffGroup.objects.filter(kind=StaffGroup.Kind.SITE,
                                           members__in=[p.pk for p in people]) \
            .prefetch_related("members").distinct():
        for member in group.members.all():
            found.setdefault(member.pk, group.name)
    return found


def campaign_pause(*, acting_user, campaign: Campaign, request=None) -> None:
    with transaction.atomic():
        if not Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENDING) \
                .update(status=Campaign.Status.PAUSED, paused_at=timezone.now()):
            raise CampaignError(_("Seule une campagne en cours d'envoi se met en pause."))
        audit.record("awareness.campaign_paused", actor=acting_user,
                     organisation=campaign.organisation, obj=campaign, request=request)


def campaign_resume(*, acting_user, campaign: Campaign, request=None) -> None:
    now = timezone.now()
    with transaction.atomic():
        current = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if current.status != Campaign.Status.PAUSED:
            raise CampaignError(_("Seule une campagne en pause reprend."))
        sending.reschedule_after_pause(current, now)
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENDING,
                                                       paused_at=None)
        audit.record("awareness.campaign_resumed", actor=acting_user,
                     organisation=campaign.organisation, obj=campaign, request=request)
        transaction.on_commit(lambda: sending.enqueue(campaign.pk,
                                                      workers=settings.AWARENESS_SENDERS))


def campaign_stop(*, acting_user, campaign: Campaign, request=None) -> int:
    """Stop for good: the messages not sent yet are cancelled. Returns how many."""
    with transaction.atomic():
        if not Campaign.objects.filter(
                pk=campaign.pk, status__in=[Campaign.Status.SENDING, Campaign.Status.PAUSED]) \
                .update(status=Campaign.Status.STOPPED, finished_at=timezone.now()):
            raise CampaignError(_("Cette campagne n'est pas en cours."))
        cancelled = Recipient.objects.filter(
            campaign=campaign, delivery=Recipient.Delivery.QUEUED).update(
            delivery=Recipient.Delivery.CANCELLED)
        audit.record("awareness.campaign_stopped", actor=acting_user,
                     organisation=campaign.organisation, obj=campaign, request=request,
                     details={"annulés": cancelled})
    return cancelled
