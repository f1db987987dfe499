"""Demonstration federation: « Groupement Pharmavie Ouest », a groupement of officines (and
a few laboratories) in the west, with a responsable demo login printed with the others.

Thirty small member organisations, each created by its own account (independent units, as
in real life), with a finished diagnostic of varied scores, and the demo officine
« Pharmacie du Marché » as a member too: the dashboard shows real tables, with the
laboratories' cells hidden (fewer than 11), and the officine's « Mes fédérations » shows
its place. The members' accounts are outside the demo domain (no password, not printed):
nobody signs in as them.

So that the rates and shares show too, each member has a small team (five to eight
people), most a restore test (some failed, some older than 12 months), a training module
assigned to the team with some done, and one finished phishing exercise with its
recipients' results: all dated before the snapshot's period began.

Rows are written directly (not through the apps' services, which would answer every
question of thirty assessments and send mails), with bulk_create: a second at most.
Idempotent.
"""

import hashlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from pharmagarde.awareness import campaign_content, library
from pharmagarde.awareness.models import Assignment, Campaign, Recipient
from pharmagarde.continuity.models import RestoreTest
from pharmagarde.core.demo import DemoAccount, _load_organisation
from pharmagarde.core.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Region,
    Role,
)
from pharmagarde.core.registry import DemoData
from pharmagarde.diagnostic.models import Assessment
from pharmagarde.diagnostic.referential import latest_version

from . import snapshots
from .models import FederationMember

ANNE = DemoAccount("anne.lemoine", "Anne", "Lemoine")
FEDERATION = {
    "fields": {"name": "Groupement Pharmavie Ouest", "kind": OrganisationKind.FEDERATION,
               "siret": "84567890100016", "address": "2 quai Duguay-Trouin",
               "postal_code": "35000", "city": "Rennes", "region": Region.BRE},
    "members": [(ANNE, Role.RESPONSABLE)],
}
MEMBER_DOMAIN = "membres.demo-pharmavie.example"
MEMBERS = 30
THEMES = ("gouvernance", "sauvegardes", "comptes", "postes", "reseau", "messagerie",
          "mises-a-jour", "prestataires")
JOINED = timedelta(days=90)
FIRST_NAMES = ("Camille", "Lucas", "Emma", "Hugo", "Léa", "Louis", "Chloé", "Nathan")
LAST_NAMES = ("Bernard", "Le Gall", "Moreau", "Guérin", "Tanguy", "Rolland", "Perrot",
              "Briand")
MODULE = "mots-de-passe"
PHISHING = "avis-de-passage-colis"  # a template for every profession


def _draw(*parts) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest(), 16)


def _siret(number: int) -> str:
    """A fictitious SIRET that passes the Luhn check, one per member."""
    from pharmagarde.lib.identifiers import luhn_valid

    stem = f"7{number:012d}"
    return next(stem + digit for digit in "0123456789" if luhn_valid(stem + digit))


def _member(number: int, federation: Organisation, version: str,
            counts: DemoData) -> Organisation | None:
    """The member of this number, created (None when it exists already)."""
    slug = f"pharmavie-membre-{number:02d}"
    if Organisation.objects.filter(slug=slug).exists():
        return None
    User = get_user_model()
    email = f"titulaire{number:02d}@{MEMBER_DOMAIN}"
    owner = User(username=email, email=email)
    owner.set_unusable_password()
    owner.save()
    kind = OrganisationKind.LBM if number % 10 == 3 else OrganisationKind.OFFICINE
    region = (Region.BRE, Region.PDL, Region.NOR)[number % 3]
    organisation = Organisation.objects.create(
        slug=slug, name=f"Pharmacie Pharmavie n° {number:02d}", kind=kind, region=region,
        siret=_siret(number), created_by=owner)
    Membership.objects.create(organisation=organisation, user=owner, role=Role.RESPONSABLE)
    score = 25 + _draw("score", number) % 70
    themes = {theme: float(max(0, min(100, score + _draw(theme, number) % 61 - 30)))
              for theme in THEMES}
    finished = timezone.now() - JOINED
    Assessment.objects.create(
        organisation=organisation, referential_version=version, organisation_kind=kind,
        size_band=organisation.size_band, status=Assessment.Status.COMPLETED,
        completed_at=finished, score=float(score), theme_scores=themes)
    FederationMember.objects.create(
        organisation=federation, member=organisation, status=FederationMember.Status.MEMBER,
        answered_at=finished, answered_by=owner, kind=kind, region=region,
        size_band=organisation.size_band)
    counts.count("membres de fédération")
    return organisation


def _activity(members: list[Organisation], counts: DemoData) -> None:
    """Teams, restore tests, training and a finished phishing exercise for new members,
    in a few bulk inserts. The dates that the apps set themselves on creation
    (created_at, assigned_at) are moved back afterwards, so that the snapshot, which
    reads values as of the start of its period, counts them."""
    if not members:
        return
    now = timezone.now()
    today = timezone.localdate()
    recorded = now - JOINED - timedelta(days=61)  # before every date below
    people = Person.objects.bulk_create([
        Person(organisation=organisation, first_name=FIRST_NAMES[index],
               last_name=LAST_NAMES[(index + number) % len(LAST_NAMES)],
               email=f"equipe{index}.{organisation.slug}@{MEMBER_DOMAIN}",
               job="Préparateur" if index else "Pharmacien titulaire")
        for number, organisation in enumerate(members)
        for index in range(5 + _draw("team", organisation.slug) % 4)])
    team: dict[int, list[Person]] = {}
    for person in people:
        team.setdefault(person.organisation_id, []).append(person)
    tests, assignments, campaigns = [], [], []
    contents = {}
    for organisation in members:
        draw = _draw("activity", organisation.slug)
        if draw % 10 < 8:  # two in ten never tested a restore
            stale = draw % 10 == 0
            tests.append(RestoreTest(
                organisation=organisation, what="Base de l'officine (LGO)",
                tested_on=today - timedelta(days=400 if stale else 160 + draw % 180),
                duration_minutes=20 + draw % 60, performed_by="Prestataire informatique",
                result=RestoreTest.Result.FAILURE if draw % 7 == 0
                else RestoreTest.Result.SUCCESS))
        due = today - timedelta(days=30 + draw % 150)
        done_share = (draw // 10) % 101
        for index, person in enumerate(team[organisation.pk]):
            done = 100 * index < done_share * len(team[organisation.pk])
            assignments.append(Assignment(
                organisation=organisation, person=person, module=MODULE, due_on=due,
                completed_at=(recorded + timedelta(days=10 + index)) if done else None,
                score=100 if done else None))
        if organisation.kind not in contents:
            contents[organisation.kind] = campaign_content.content_for(
                Campaign(template_key=PHISHING), organisation)
        launched = now - JOINED - timedelta(days=draw % 60)
        campaigns.append(Campaign(
            organisation=organisation, number=1, name=library.template(PHISHING).name,
            template_key=PHISHING, status=Campaign.Status.DONE, content=contents[
                organisation.kind], launched_at=launched,
            finished_at=launched + timedelta(minutes=20)))
    RestoreTest.objects.bulk_create(tests)
    Assignment.objects.bulk_create(assignments)
    Campaign.objects.bulk_create(campaigns)
    RestoreTest.objects.filter(organisation__in=members).update(created_at=recorded)
    Assignment.objects.filter(organisation__in=members).update(assigned_at=recorded)
    Campaign.objects.filter(organisation__in=members).update(created_at=recorded)
    recipients = []
    for campaign in campaigns:
        draw = _draw("phishing", campaign.organisation.slug)
        for index, person in enumerate(team[campaign.organisation_id]):
            sent = campaign.launched_at + timedelta(minutes=index)
            result = (Recipient.Result.CLICKED if (draw >> index) % 4 == 0
                      else Recipient.Result.OPENED if (draw >> index) % 4 == 1
                      else Recipient.Result.NONE)
            recipients.append(Recipient(
                organisation=campaign.organisation, campaign=campaign, person=person,
                email=person.email, first_name=person.first_name, last_name=person.last_name,
                job=person.job, send_at=sent, sent_at=sent, delivery=Recipient.Delivery.SENT,
                result=result,
                opened_at=sent + timedelta(minutes=30) if result else None,
                clicked_at=sent + timedelta(minutes=31)
                if result >= Recipient.Result.CLICKED else None,
                reported_at=sent + timedelta(minutes=40) if (draw >> (index + 8)) % 3 == 0
                else None))
    Recipient.objects.bulk_create(recipients)
    counts.count("personnes", len(people))
    counts.count("tests de restauration", len(tests))
    counts.count("formations assignées", len(assignments))
    counts.count("campagnes d'hameçonnage", len(campaigns))


def load(demo: DemoData) -> None:
    officine = demo.organisations["officine"]
    # The demo accounts share one password: the officine's responsable already has it.
    password_hash = demo.responsables["officine"].password
    federation, users = _load_organisation(FEDERATION, password_hash, demo.counts)
    demo.organisations[OrganisationKind.FEDERATION] = federation
    demo.responsables[OrganisationKind.FEDERATION] = users[ANNE]
    version = latest_version()
    created = [_member(number, federation, version, demo) for number in range(1, MEMBERS + 1)]
    _activity([organisation for organisation in created if organisation], demo)
    joined = timezone.now() - JOINED
    _row, created = FederationMember.objects.get_or_create(
        organisation=federation, member=officine,
        defaults={"status": FederationMember.Status.MEMBER, "answered_at": joined,
                  "answered_by": demo.responsables["officine"], "kind": officine.kind,
                  "region": officine.region, "size_band": officine.size_band})
    demo.count("membres de fédération", int(created))
    snapshots.snapshot(federation)
