"""Generate a national-scale data set: organisations, members, people, audit entries.

    python -m bench.generate --organisations 22000 --people-per-org 11 --audit 1000000
    # and, for the federations (bench/federation.py): each organisation independent (its
    # own SIRET, a region and a size band), a finished diagnostic each, some restore
    # tests, trainings and phishing campaigns, one federation they all belong to
    python -m bench.generate --organisations 22000 --audit 0 --identities --assessments \
        --restore-share 0.4 --training-share 0.5 --phishing-share 0.3 --federation

Rows are created with bulk_create in batches; the audit chain is built in memory and
written in batches, so a million entries take minutes, not hours. The data directory or
DATABASE_URL decides where it goes (use a throw-away one).
"""

import argparse
import os
import random
import time

SIRET = "73282932000074"
KINDS = ["officine"] * 20 + ["lbm", "pui", "distribution", "industrie"]
JOBS = ["Pharmacien titulaire", "Pharmacien adjoint", "Préparateur", "Rayonniste", "Apprenti"]


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pharmagarde.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    import django

    django.setup()


# Drawn for --identities: metropolitan regions ten times as likely as Corsica and each
# overseas region; most structures small.
REGION_WEIGHTS = {"COR": 1, "GUA": 1, "GUF": 1, "MTQ": 1, "REU": 1, "MAY": 1}
SIZE_BANDS = ["1-9"] * 60 + ["10-49"] * 35 + ["50-249"] * 4 + ["250+"]


def _identity(rng, number, regions):
    """(siret, region, size_band) of one organisation for --identities."""
    return (unique_siret(number), rng.choices(regions, weights=[
        REGION_WEIGHTS.get(region, 10) for region in regions])[0], rng.choice(SIZE_BANDS))


def generate(organisations, people_per_org, audit_entries, batch=5000, seed=1, *,
             identities=False):
    """`organisations` organisations of `people_per_org` people, one responsable account
    each, and `audit_entries` audit entries. They share one SIRET (so the peer comparison
    and the federations leave them out) unless `identities`: then each has its own SIRET,
    a region and a size band drawn (see REGION_WEIGHTS, SIZE_BANDS). Returns the
    seconds taken."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from pharmagarde.core import audit
    from pharmagarde.core.models import AuditEntry, Membership, Organisation, Person, Role

    rng = random.Random(seed)
    User = get_user_model()
    password = make_password("Bench-Password-2026!")
    started = time.perf_counter()
    offset = Organisation.objects.count()
    if identities:
        from pharmagarde.core.models import Region

        regions = list(Region.values)
        drawn = [_identity(rng, offset + i, regions) for i in range(organisations)]
    else:
        drawn = [(SIRET, "", "")] * organisations
    orgs = Organisation.objects.bulk_create(
        [Organisation(slug=f"bench-{offset + i}", name=f"Structure {offset + i}",
                      kind=rng.choice(KINDS), siret=siret, region=region,
                      **({"size_band": size_band} if size_band else {}))
         for i, (siret, region, size_band) in enumerate(drawn)],
        batch_size=batch,
    )
    users = User.objects.bulk_create(
        [User(username=f"bench{offset + i}@bench.example",
              email=f"bench{offset + i}@bench.example", password=password)
         for i in range(organisations)],
        batch_size=batch,
    )
    Membership.objects.bulk_create(
        [Membership(organisation=o, user=u, role=Role.RESPONSABLE)
         for o, u in zip(orgs, users, strict=True)],
        batch_size=batch,
    )
    people = (
        Person(organisation=o, first_name=f"Prénom{j}", last_name=f"Nom{j}",
               job=rng.choice(JOBS), email=f"p{j}.{o.pk}@bench.example")
        for o in orgs for j in range(people_per_org)
    )
    Person.objects.bulk_create(people, batch_size=batch)
    previous = (AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
                or audit.GENESIS_HASH)
    pending = []
    for i in range(audit_entries):
        org, user = orgs[i % len(orgs)], users[i % len(users)]
        entry = AuditEntry(actor=user, actor_label=user.email, organisation=org,
                           action="person.updated", object_type="person", object_id=str(i),
                           details={"i": i}, previous_hash=previous)
        entry.entry_hash = entry.compute_hash()
        previous = entry.entry_hash
        pending.append(entry)
        if len(pending) >= batch:
            AuditEntry.objects.bulk_create(pending)
            pending = []
    AuditEntry.objects.bulk_create(pending)
    return time.perf_counter() - started


STATUS_MIX = ["todo"] * 5 + ["in_progress"] * 3 + ["done"] * 2 + ["dropped"]
EFFORT_LEVELS = ["faible", "moyen", "important"]


def generate_actions(organisation, count, *, user=None, question_ids=(), overdue_share=0.3,
                     seed=1, batch=5000):
    """Bulk-create `count` manual actions for one organisation (optional, for bench/).

    Statuses are mixed (mostly open), owners are taken from the organisation's people,
    about `overdue_share` of the actions have a due date in the past (overdue when open),
    a third of them close one to three of `question_ids`. Returns the actions created.
    """
    import datetime

    from django.utils import timezone

    from pharmagarde.actions.models import Action

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    owners = list(organisation.people.values_list("pk", flat=True)) or [None]
    question_ids = list(question_ids)
    actions = []
    for i in range(count):
        status = rng.choice(STATUS_MIX)
        late = rng.random() < overdue_share
        due = None if rng.random() < 0.15 else today + datetime.timedelta(
            days=-rng.randint(1, 120) if late else rng.randint(1, 365))
        closes = (rng.sample(question_ids, min(len(question_ids), rng.randint(1, 3)))
                  if question_ids and rng.random() < 1 / 3 else [])
        actions.append(Action(
            organisation=organisation, source=Action.MANUAL,
            title=f"Action manuelle n° {i + 1} : vérifier le poste {rng.randint(1, 40)}",
            description="Décrite à la main par l'équipe, avec ses étapes et ses contraintes.",
            notes="Point fait en réunion d'équipe." if rng.random() < 0.3 else "",
            owner_id=rng.choice(owners), due_date=due, status=status,
            effort=rng.choice(EFFORT_LEVELS),
            progress=100 if status == "done" else rng.choice([0, 0, 25, 50, 75]),
            priority=rng.randint(1, 999), created_by=user,
            source_data={"closes": {"diagnostic": closes}} if closes else {},
            closed_at=now - datetime.timedelta(days=rng.randint(1, 60))
            if status == "done" else None,
        ))
    return Action.objects.bulk_create(actions, batch_size=batch)


def unique_siret(number):
    """A valid SIRET of its own for each number (the peer comparison drops shared ones)."""
    from pharmagarde.lib.identifiers import luhn_valid

    stem = f"5{number:012d}"
    return next(stem + digit for digit in "0123456789" if luhn_valid(stem + digit))


def completed_assessment(organisation_id, version, kind, size_band, theme_scores, done):
    """An unsaved completed Assessment carrying only its cached results: the score is the
    mean of `theme_scores`, the level follows from it."""
    from pharmagarde.diagnostic.models import Assessment
    from pharmagarde.diagnostic.scoring import maturity

    score = round(sum(theme_scores.values()) / len(theme_scores), 1) if theme_scores \
        else None
    return Assessment(organisation_id=organisation_id, referential_version=version,
                      organisation_kind=kind, size_band=size_band,
                      status=Assessment.Status.COMPLETED, completed_at=done, score=score,
                      theme_scores=theme_scores, level=maturity(score, False)[0])


def generate_peer_assessments(organisations, version, theme_ids, *, kind="officine",
                              size_band="1-9", per_org=2, seed=1, batch=5000):
    """Bulk-create independent organisations of one kind (their own SIRET, creator and
    responsable), each with `per_org` completed assessments carrying only their cached
    results (score, level, theme_scores; no answers): the peers that the results page
    averages (optional, for bench/). Returns the seconds taken."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from pharmagarde.core.models import Membership, Organisation, Role
    from pharmagarde.diagnostic.models import Assessment

    rng = random.Random(seed)
    started = time.perf_counter()
    offset = Organisation.objects.count()
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"pair{offset + i}@bench.example", email=f"pair{offset + i}@bench.example",
              password="!") for i in range(organisations)], batch_size=batch)
    orgs = Organisation.objects.bulk_create(
        [Organisation(slug=f"pair-{offset + i}", name=f"Pair {offset + i}", kind=kind,
                      size_band=size_band, siret=unique_siret(offset + i), created_by=user)
         for i, user in enumerate(users)],
        batch_size=batch,
    )
    Membership.objects.bulk_create(
        [Membership(organisation=org, user=user, role=Role.RESPONSABLE)
         for org, user in zip(orgs, users, strict=True)], batch_size=batch)
    now = timezone.now()
    assessments = []
    for org in orgs:
        for n in range(per_org):
            themes = {tid: round(rng.uniform(0, 100), 1) for tid in theme_ids}
            done = now - datetime.timedelta(days=400 * (per_org - n) + rng.randint(0, 300))
            assessments.append(completed_assessment(org.pk, version, kind, size_band, themes,
                                                    done))
    Assessment.objects.bulk_create(assessments, batch_size=batch)
    return time.perf_counter() - started


# --- For the federations (bench/federation.py) ------------------------------------------

def _ids_between(model, organisation_ids, *fields):
    """Rows of `model` of these organisations as value tuples, read by id range (the
    generated organisations' ids follow each other) rather than a list of 22,000 ids."""
    ids = set(organisation_ids)
    rows = (model.objects.filter(organisation_id__gte=min(ids), organisation_id__lte=max(ids))
            .order_by("organisation_id", "pk").values_list("organisation_id", *fields))
    return [row for row in rows if row[0] in ids]


def generate_assessments(organisation_ids, *, before, version=None, per_org=1, seed=1,
                         batch=5000):
    """`per_org` completed assessments of each organisation, with only their cached
    results (score, level and a score per theme of the questionnaire `version`, the latest
    by default; no answers), completed over the two years before `before`, the latest one
    at most 200 days before it. Returns the seconds taken."""
    import datetime

    from pharmagarde.core.models import Organisation
    from pharmagarde.diagnostic import referential
    from pharmagarde.diagnostic.models import Assessment

    rng = random.Random(seed)
    started = time.perf_counter()
    version = version or referential.latest_version()
    theme_ids = [theme.id for theme in referential.get_referential(version).themes]
    assessments = []
    for org_id, kind, size_band in Organisation.objects.filter(
            pk__in=organisation_ids).values_list("pk", "kind", "size_band").order_by("pk"):
        # An organisation's level of care: its themes scatter around it.
        care = rng.betavariate(2.2, 2.0) * 100
        for n in range(per_org):
            themes = {tid: round(min(100, max(0, rng.gauss(care, 18))), 1)
                      for tid in theme_ids}
            days = rng.randint(1, 200) + 250 * (per_org - 1 - n)
            done = before - datetime.timedelta(days=days, minutes=rng.randint(0, 1440))
            assessments.append(completed_assessment(org_id, version, kind, size_band, themes,
                                                    done))
    Assessment.objects.bulk_create(assessments, batch_size=batch)
    return time.perf_counter() - started


def generate_continuity(organisation_ids, *, before, share=0.4, seed=1, batch=5000):
    """A restore test for `share` of the organisations, done in the 18 months before
    `before` (so about a third of them stale) and recorded that day; one in ten failed.
    Returns the seconds taken."""
    import datetime

    from django.db.models import DateTimeField, F
    from django.db.models.functions import Cast

    from pharmagarde.continuity.models import RestoreTest

    rng = random.Random(seed)
    started = time.perf_counter()
    first = RestoreTest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    day = before.date()
    RestoreTest.objects.bulk_create([
        RestoreTest(organisation_id=org_id, what="Serveur de l'officine (LGO)",
                    tested_on=day - datetime.timedelta(days=rng.randint(1, 540)),
                    duration_minutes=rng.randint(15, 240),
                    result=RestoreTest.Result.SUCCESS if rng.random() < 0.9
                    else RestoreTest.Result.FAILURE)
        for org_id in sorted(organisation_ids) if rng.random() < share], batch_size=batch)
    # created_at is auto_now_add: dated as if recorded on the day of the test (one query).
    RestoreTest.objects.filter(pk__gt=first).update(
        created_at=Cast(F("tested_on"), DateTimeField()) + datetime.timedelta(hours=18))
    return time.perf_counter() - started


def generate_awareness(organisation_ids, *, before, training_share=0.5, phishing_share=0.3,
                       trainees=3, seed=1, batch=5000):
    """For `training_share` of the organisations, a module assigned to `trainees` of their
    people, due in the year before `before` (three in four done); for `phishing_share` of
    them, one finished phishing campaign (number 1: once per organisation) sent to all
    their people in that year (about one in six clicked, a quarter reported). Returns the
    seconds taken."""
    import datetime

    from django.db.models import DateTimeField, F
    from django.db.models.functions import Cast

    from pharmagarde.awareness.models import Assignment, Campaign, Recipient
    from pharmagarde.core.models import Person

    rng = random.Random(seed)
    started = time.perf_counter()
    people: dict[int, list] = {}
    for org_id, person_id, email in _ids_between(Person, organisation_ids, "pk", "email"):
        people.setdefault(org_id, []).append((person_id, email))
    first = Assignment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assignments, campaigns, sent = [], [], {}
    day = before.date()
    for org_id in sorted(people):
        staff = people[org_id]
        if rng.random() < training_share:
            due = day - datetime.timedelta(days=rng.randint(31, 330))
            for person_id, _email in staff[:trainees]:
                done = rng.random() < 0.75
                assignments.append(Assignment(
                    organisation_id=org_id, person_id=person_id, module="hameconnage",
                    due_on=due, completed_at=before - datetime.timedelta(
                        days=(day - due).days + rng.randint(1, 20)) if done else None,
                    score=rng.randint(60, 100) if done else None))
        if rng.random() < phishing_share:
            finished = before - datetime.timedelta(days=rng.randint(10, 330))
            campaigns.append(Campaign(
                organisation_id=org_id, number=1,
                name="Fausse facture du grossiste", template_key="facture-grossiste",
                status=Campaign.Status.DONE, launched_at=finished - datetime.timedelta(days=3),
                finished_at=finished))
            sent[org_id] = finished - datetime.timedelta(days=2)
    Assignment.objects.bulk_create(assignments, batch_size=batch)
    # assigned_at is auto_now_add: assigned a month before the due date (one query).
    Assignment.objects.filter(pk__gt=first).update(
        assigned_at=Cast(F("due_on"), DateTimeField()) - datetime.timedelta(days=30))
    campaigns = Campaign.objects.bulk_create(campaigns, batch_size=batch)
    recipients = []
    for campaign in campaigns:
        at = sent[campaign.organisation_id]
        for person_id, email in people[campaign.organisation_id]:
            clicked = rng.random() < 1 / 6
            recipients.append(Recipient(
                organisation_id=campaign.organisation_id, campaign=campaign,
                person_id=person_id, email=email, send_at=at, sent_at=at,
                delivery=Recipient.Delivery.SENT,
                result=Recipient.Result.CLICKED if clicked else Recipient.Result.NONE,
                clicked_at=at + datetime.timedelta(hours=1) if clicked else None,
                reported_at=at + datetime.timedelta(hours=2)
                if not clicked and rng.random() < 0.3 else None))
    Recipient.objects.bulk_create(recipients, batch_size=batch)
    return time.perf_counter() - started


def generate_federation(name="Fédération du banc d'essai", slug="banc-federation"):
    """A federation (an Organisation of kind « federation ») and its responsable's account
    (unusable password). Returns (federation, user)."""
    from django.contrib.auth import get_user_model

    from pharmagarde.core.models import Membership, Organisation, OrganisationKind, Role

    federation = Organisation.objects.create(name=name, slug=slug,
                                             kind=OrganisationKind.FEDERATION)
    email = f"{slug}@bench.example"
    user = get_user_model().objects.create_user(username=email, email=email)
    Membership.objects.create(organisation=federation, user=user, role=Role.RESPONSABLE)
    return federation, user


def generate_federation_members(federation, organisation_ids, *, joined, batch=5000):
    """The organisations as accepted members of `federation` (status « membre »,
    answered at `joined`), each under its own profession, region and size band. Returns
    the seconds taken."""
    from pharmagarde.core.models import Organisation
    from pharmagarde.federation.models import FederationMember

    started = time.perf_counter()
    FederationMember.objects.bulk_create([
        FederationMember(organisation=federation, member_id=org_id,
                         status=FederationMember.Status.MEMBER, label=name,
                         answered_at=joined, kind=kind, region=region, size_band=size_band)
        for org_id, name, kind, region, size_band in Organisation.objects.filter(
            pk__in=organisation_ids).order_by("pk").values_list(
            "pk", "name", "kind", "region", "size_band")], batch_size=batch)
    return time.perf_counter() - started


def history_start(periods=None):
    """A moment before the current period and the `periods` before it (the federation
    dashboard's trend: aggregates.TREND_LENGTH - 1 by default): the generated values and
    memberships date from before it, so that each of those snapshots counts them."""
    import datetime

    from django.conf import settings

    from pharmagarde.core.selectors import period_start
    from pharmagarde.federation.aggregates import TREND_LENGTH

    periods = TREND_LENGTH - 1 if periods is None else periods
    return period_start() - datetime.timedelta(days=settings.PEER_SNAPSHOT_DAYS * periods,
                                               hours=1)


def generate_for_federations(organisation_ids, *, before, restore_share=0.4,
                             training_share=0.5, phishing_share=0.3, seed=1):
    """A finished diagnostic for each organisation, and restore tests, trainings and
    phishing campaigns for some, all before `before`. Returns {what: seconds}."""
    return {
        "diagnostics": generate_assessments(organisation_ids, before=before, seed=seed),
        "tests de restauration": generate_continuity(
            organisation_ids, before=before, share=restore_share, seed=seed + 1),
        "formations et campagnes": generate_awareness(
            organisation_ids, before=before, training_share=training_share,
            phishing_share=phishing_share, seed=seed + 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--people-per-org", type=int, default=11)
    parser.add_argument("--audit", type=int, default=100_000)
    parser.add_argument("--identities", action="store_true",
                        help="each organisation its own SIRET, a region and a size band")
    parser.add_argument("--assessments", action="store_true",
                        help="a finished diagnostic (score and theme scores) each")
    parser.add_argument("--restore-share", type=float, default=0.0,
                        help="share of organisations with a restore test")
    parser.add_argument("--training-share", type=float, default=0.0,
                        help="share of organisations with trainings due")
    parser.add_argument("--phishing-share", type=float, default=0.0,
                        help="share of organisations with a finished phishing campaign")
    parser.add_argument("--federation", action="store_true",
                        help="one federation with every generated organisation a member")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from pharmagarde.core.models import Organisation

    last = Organisation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    seconds = generate(args.organisations, args.people_per_org, args.audit,
                       identities=args.identities)
    print(f"{args.organisations} structures, {args.organisations * args.people_per_org} "
          f"personnes, {args.audit} entrées d'audit en {seconds:.1f} s")
    extras = args.assessments or args.restore_share or args.training_share \
        or args.phishing_share or args.federation
    if not extras:
        return
    import datetime

    ids = list(Organisation.objects.filter(pk__gt=last).values_list("pk", flat=True))
    before = history_start()
    if args.assessments:
        print(f"diagnostics en {generate_assessments(ids, before=before):.1f} s")
    if args.restore_share:
        seconds = generate_continuity(ids, before=before, share=args.restore_share)
        print(f"tests de restauration en {seconds:.1f} s")
    if args.training_share or args.phishing_share:
        seconds = generate_awareness(ids, before=before, training_share=args.training_share,
                                     phishing_share=args.phishing_share)
        print(f"formations et campagnes en {seconds:.1f} s")
    if args.federation:
        federation, _user = generate_federation(
            slug=f"banc-federation-{Organisation.objects.count()}")
        seconds = generate_federation_members(federation, ids,
                                              joined=before - datetime.timedelta(days=30))
        print(f"fédération « {federation.name} » ({federation.slug}) : {len(ids)} membres "
              f"en {seconds:.1f} s")

if __name__ == "__main__":
    main()
