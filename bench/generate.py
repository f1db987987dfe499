"""Generate a national-scale data set: organisations, members, people, audit entries.

    python -m bench.generate --organisations 22000 --people-per-org 11 --audit 1000000

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


def generate(organisations, people_per_org, audit_entries, batch=5000, seed=1):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from pharmagarde.core import audit
    from pharmagarde.core.models import AuditEntry, Membership, Organisation, Person, Role

    rng = random.Random(seed)
    User = get_user_model()
    password = make_password("Bench-Password-2026!")
    started = time.perf_counter()
    offset = Organisation.objects.count()
    orgs = Organisation.objects.bulk_create(
        [Organisation(slug=f"bench-{offset + i}", name=f"Structure {offset + i}",
                      kind=rng.choice(KINDS), siret=SIRET) for i in range(organisations)],
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
    from pharmagarde.diagnostic.scoring import maturity

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
            score = round(sum(themes.values()) / len(themes), 1) if themes else None
            done = now - datetime.timedelta(days=400 * (per_org - n) + rng.randint(0, 300))
            assessments.append(Assessment(
                organisation=org, referential_version=version, organisation_kind=kind,
                size_band=size_band, status=Assessment.Status.COMPLETED, completed_at=done,
                score=score, theme_scores=themes, level=maturity(score, False)[0]))
    Assessment.objects.bulk_create(assessments, batch_size=batch)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--people-per-org", type=int, default=11)
    parser.add_argument("--audit", type=int, default=100_000)
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seconds = generate(args.organisations, args.people_per_org, args.audit)
    print(f"{args.organisations} structures, {args.organisations * args.people_per_org} "
          f"personnes, {args.audit} entrées d'audit en {seconds:.1f} s")


if __name__ == "__main__":
    main()
