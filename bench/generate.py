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
