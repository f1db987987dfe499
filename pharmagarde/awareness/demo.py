"""Demonstration awareness of the officine.

The team's e-mail addresses completed in the staff directory, a group « Comptoir » and a
site group, a sending profile to a local relay (not tested yet: the launch page asks for
the test first), two finished campaigns and a draft:

- three months ago, a fake wholesaler invoice: 8 people, 6 opened, 3 clicked (one of them
  also filled the fake sign-in form), 1 reported, and one mail-scanner click set apart;
- two weeks ago, a fake change of a supplier's bank details: 8 people, 5 opened, 1 clicked,
  4 reported: the trend shows the team learning;
- a draft, the fake LGO update, ready to launch once the profile is tested.

The campaigns are in the past, so their rows are written as the workers and the tracking
would have left them (sent, results, events), not sent again. Training: the clickers of
the second campaign enrolled in its module (one done, one late), and modules assigned to
the team with some done, so that the dashboard and the certificates have something to show.

Each part is made once: a second run adds nothing.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from pharmagarde.core.models import Person
from pharmagarde.core.registry import DemoData

from . import campaign_content, library, modules, training_services
from .models import Assignment, Campaign, Event, Recipient, SendingProfile, StaffGroup

COUNTER_JOBS = ("Préparatrice", "Préparateur", "Apprentie préparatrice", "Rayonniste",
                "Pharmacien adjoint")
# (template key, days ago, {position in the team: furthest result}, reported positions)
PAST = (
    ("facture-grossiste", 90, {0: 1, 1: 2, 2: 3, 3: 1, 4: 2, 5: 1}, {6}),
    ("changement-rib-fournisseur", 14, {0: 1, 2: 2, 3: 1, 5: 1, 6: 1}, {0, 3, 4, 7}),
)
DRAFT = "mise-a-jour-lgo"


def load(demo: DemoData) -> None:
    organisation = demo.organisations.get("officine")
    if organisation is None or Campaign.objects.filter(organisation=organisation).exists():
        return
    user = demo.responsables[organisation.kind]
    with transaction.atomic():
        team = _directory(organisation)
        profile = SendingProfile.objects.create(
            organisation=organisation, name="Relais de la pharmacie (démonstration)",
            host="127.0.0.1", port=1025, security=SendingProfile.Security.NONE,
            from_address="exercices@pharmacie-demo.example", rate_per_minute=30)
        counter = StaffGroup.objects.create(organisation=organisation, name="Comptoir")
        counter.members.set([p for p in team if p.job in COUNTER_JOBS])
        site = StaffGroup.objects.create(organisation=organisation, kind=StaffGroup.Kind.SITE,
                                         name=organisation.name)
        site.members.set(team)
        now = timezone.now()
        for number, (key, days, results, reported) in enumerate(PAST, start=1):
            _past_campaign(organisation, user, profile, site, team, number, key,
                           now - datetime.timedelta(days=days), results, reported)
        draft = Campaign.objects.create(
            organisation=organisation, number=len(PAST) + 1, profile=profile,
            name=library.template(DRAFT).name, template_key=DRAFT,
            window_start=datetime.time(9), window_end=datetime.time(17),
            weekdays=[0, 1, 2, 3, 4])
        draft.groups.set([counter])
    demo.count("campagnes d'hameçonnage", len(PAST) + 1)
    demo.count("formations assignées", _training(organisation, user, team, now))


def _directory(organisation) -> list[Person]:
    """The team, each with an address (the demo directory leaves some without)."""
    team = list(Person.objects.filter(organisation=organisation).order_by("pk"))
    for person in team:
        if not person.email:
            person.email = (f"{person.first_name}.{person.last_name}".lower()
                            .replace(" ", "-").replace("é", "e").replace("è", "e")
                            + "@demo.pharmagarde.fr")
            person.save(update_fields=["email"])
    return team


def _past_campaign(organisation, user, profile, site, team, number, key, launched_at,
                   results, reported):
    campaign = Campaign.objects.create(
        organisation=organisation, number=number, name=library.template(key).name,
        template_key=key, profile=profile, status=Campaign.Status.DONE,
        launched_at=launched_at, launched_by=user, fake_form=number == 1,
        finished_at=launched_at + datetime.timedelta(minutes=20),
        window_start=datetime.time(9), window_end=datetime.time(17),
        weekdays=[0, 1, 2, 3, 4])
    campaign.groups.set([site])
    campaign.content = campaign_content.content_for(campaign, organisation)
    campaign.save(update_fields=["content"])
    events = []
    for position, person in enumerate(team):
        sent = launched_at + datetime.timedelta(minutes=2 * position)
        reached = results.get(position, 0)
        recipient = Recipient.objects.create(
            organisation=organisation, campaign=campaign, person=person, email=person.email,
            first_name=person.first_name, last_name=person.last_name, job=person.job,
            site=site.name, send_at=sent, sent_at=sent, delivery=Recipient.Delivery.SENT,
            result=reached,
            opened_at=sent + datetime.timedelta(minutes=30) if reached >= 1 else None,
            clicked_at=sent + datetime.timedelta(minutes=31) if reached >= 2 else None,
            submitted_at=sent + datetime.timedelta(minutes=32) if reached >= 3 else None,
            reported_at=sent + datetime.timedelta(minutes=40) if position in reported
            else None, scanner_hits=1 if position == 7 else 0)
        kinds = [(Event.Kind.SENT, 0)]
        kinds += [(kind, minutes) for kind, minutes, level in (
            (Event.Kind.OPENED, 30, 1), (Event.Kind.CLICKED, 31, 2),
            (Event.Kind.SECOND_STEP, 31, 2), (Event.Kind.SUBMITTED, 32, 3)) if reached >= level]
        if position in reported:
            kinds.append((Event.Kind.REPORTED, 40))
        events += [Event(organisation=organisation, campaign=campaign, recipient=recipient,
                         kind=kind, at=sent + datetime.timedelta(minutes=minutes))
                   for kind, minutes in kinds]
        if position == 7:  # a link checked by the mail scanner seconds after delivery
            events.append(Event(organisation=organisation, campaign=campaign,
                                recipient=recipient, kind=Event.Kind.CLICKED,
                                at=sent + datetime.timedelta(seconds=3), scanner=True,
                                scanner_reason="clic quelques secondes après l'envoi",
                                user_agent="Mozilla/5.0 (compatible; scanner)"))
    Event.objects.bulk_create(events)


def _training(organisation, user, team, now) -> int:
    """The second campaign's clickers enrolled; modules assigned to the team."""
    made = 0
    clicked = Recipient.objects.filter(campaign__organisation=organisation,
                                       campaign__number=len(PAST), result__gte=2)
    for recipient in clicked:
        if training_services.enrol_after_click(recipient):
            made += 1
    made += training_services.assign(acting_user=user, organisation=organisation,
                                     people=team, module="mots-de-passe",
                                     due_on=timezone.localdate() + datetime.timedelta(days=10))
    made += training_services.assign(acting_user=user, organisation=organisation,
                                     people=team[:4], module="rancongiciel",
                                     due_on=timezone.localdate() - datetime.timedelta(days=3))
    # Three of the team passed the password module, answering every question right.
    module = modules.module("mots-de-passe")
    right = {question.id: set(question.correct_ids) for question in module.questions}
    for assignment in Assignment.objects.filter(organisation=organisation,
                                                module="mots-de-passe").order_by("pk")[:3]:
        training_services.complete(assignment=assignment, answers=right, acting_user=user)
    return made
