"""Federation benchmark on PostgreSQL: the snapshot over the national data set, the
federation's dashboard and a member's « Mes fédérations », against a bare view.

    python -m bench.federation [--scales 1000,22000] [--requests 30] [--builds 3]
                               [--people-per-org 11] [--audit 0] [--history 11]
                               [--variants] [--profile]

A scratch database is created on the PostgreSQL at 127.0.0.1:5432 (user postgres, trust),
migrated, and dropped at the end. One federation grows through --scales: at each size, the
organisations missing are generated as bench/generate.py's national data set (--people-per-
org people each, --audit audit entries), each independent (its own SIRET, a region and a
size band), with a finished diagnostic each, a restore test for 40 % of them, trainings for
half and a finished phishing campaign for 30 %, and they all join the federation before
the periods counted; ANALYZE then gives the planner the statistics autovacuum would. The
--history earlier periods' snapshots exist (one built, the others copies of it), so the
dashboard's trend has its points. Then, at that size:

(a) the snapshot's build, as the scheduler or the first reader does it (snapshots.compute:
    the members, values.collect over every app, each app's own values timed alone too,
    the independent units, the small-cell rules of aggregates.compute, the trend), the
    best and median of --builds, stage by stage, with its query count; and the
    dashboard's first reader, who builds it;
(b) the dashboard (/o/<federation>/federation/) read by its responsable through
    django.test.Client, and its spreadsheet, p50 and p95 against the bare view of
    bench/urls.py served the same way in the same run (each page request alternating
    with a bare one, so that the load of a shared machine weighs on both), and the query
    count;
(c) « Mes fédérations » of one member organisation (its responsable), likewise.

The query counts at every size are printed side by side: the pages' must not move (the
build's grows by one query per app and chunk of 20,000 organisations, by design).
--variants times the diagnostic's values query, which dominates the build, as it is and
written two other ways (same rows); --profile adds a cProfile of one build. Numbers are
printed, never asserted. Target from the product issue: the dashboard ≤ 10 × the bare view
over 22,000 organisations, with a constant query count.
"""

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import signal
import statistics
import subprocess
import sys
import time

from bench.diagnostic import count_queries, fetch, header, row, timed
from bench.foundation import percentile, prepare_environment

SERVER = ["-h", "127.0.0.1", "-U", "postgres"]
BUILD = "construction de l'instantané"


def load():
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def signed_in(user):
    """A client signed in as `user`, who gets a TOTP authenticator (responsables must)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.test import Client

    TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user)
    return client


def grow(federation, total, args, before):
    """Organisations generated and joined to `federation` until it has `total` members.
    Returns the ids of the new ones and {what: seconds}."""
    from bench.generate import generate, generate_federation_members, generate_for_federations
    from pharmagarde.core.models import Organisation
    from pharmagarde.federation.models import FederationMember

    missing = total - FederationMember.objects.filter(organisation=federation).count()
    last = Organisation.objects.order_by("-pk").values_list("pk", flat=True).first()
    seconds = {"structures, personnes, audit": generate(
        missing, args.people_per_org, args.audit, identities=True, seed=args.seed + total)}
    ids = list(Organisation.objects.filter(pk__gt=last).values_list("pk", flat=True))
    seconds.update(generate_for_federations(ids, before=before, seed=args.seed + total))
    seconds["adhésions"] = generate_federation_members(
        federation, ids, joined=before - datetime.timedelta(days=30))
    return ids, seconds


def stages(federation_id, start):
    """One snapshot build, stage by stage: {stage: (seconds, queries)} and the data."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pharmagarde.core.selectors import independent_units
    from pharmagarde.federation import aggregates, snapshots, values

    found = {}

    def stage(name, function):
        with CaptureQueriesContext(connection) as context:
            started = time.perf_counter()
            result = function()
            found[name] = (time.perf_counter() - started, len(context.captured_queries))
        return result

    members = stage("membres avant la période", lambda: snapshots._members_before(
        federation_id, start))
    ids = {m.member_id for m in members if m.member_id}
    for source in values.sources():
        app = source.values.__module__.split(".")[1]
        stage(f"  valeurs de {app}", lambda source=source: source.values(ids, start))
    stage("values.collect (toutes les applications)", lambda: values.collect(ids, start))
    stage("unités indépendantes", lambda: independent_units(ids))
    units = stage("snapshots.units_of (les trois ci-dessus)",
                  lambda: snapshots.units_of(federation_id, start))
    stage("aggregates.compute (règles des petites cellules)", lambda: aggregates.compute(
        units, values.catalogue(), epsilon=settings.PEER_EPSILON))
    data = stage("snapshots.compute (l'instantané entier)",
                 lambda: snapshots.compute(federation_id, start))
    return found, data


def measure_build(federation, start, args):
    """The snapshot built --builds times, stage by stage; the last build is kept as the
    earliest of the --history earlier periods (the others copies of it, so that the
    dashboard's trend has its points: building each would cost a build each). Returns the
    best time and the query count of the whole build."""
    from django.conf import settings

    from pharmagarde.federation import selectors
    from pharmagarde.federation.models import Snapshot

    Snapshot.objects.filter(organisation=federation).delete()
    runs = [stages(federation.pk, start) for _ in range(args.builds)]
    data = runs[-1][1]
    print(f"\n(a) Construction de l'instantané ({args.builds} fois ; {data['units']} unités "
          f"indépendantes, {len(json.dumps(data)) / 1e3:.0f} ko de JSON)")
    print(f"{'étape':52} {'meilleur':>9} {'médiane':>9} {'requêtes':>9}")
    for name in runs[0][0]:
        samples = [found[name][0] for found, _data in runs]
        print(f"{name:52} {min(samples):8.2f}s {statistics.median(samples):8.2f}s "
              f"{runs[-1][0][name][1]:9}")
    shown = selectors.dashboard(Snapshot(organisation=federation, period_start=start,
                                         units=data["units"], data=data))
    figures = [figure for table in shown.tables for _label, cells in
               table.rows + ([table.footer] if table.footer else []) for figure in cells]
    print(f"Publié : {shown.published} ; score moyen {data['means']['overall']['value']} ; "
          f"{sum(f.hidden for f in figures)} chiffres masqués sur {len(figures)}"
          + "".join(f" ; {m} : {why}" for m, why in shown.reasons))
    length = datetime.timedelta(days=settings.PEER_SNAPSHOT_DAYS)
    Snapshot.objects.bulk_create([
        Snapshot(organisation=federation, period_start=start - back * length,
                 units=data["units"], data={**data, "period_start": (
                     start - back * length).isoformat()})
        for back in range(args.history, 0, -1)])
    whole = "snapshots.compute (l'instantané entier)"
    return min(found[whole][0] for found, _ in runs), runs[-1][0][whole][1]


def measure_pages(pages, requests):
    """{name: (p50, queries, ratio)} of each (client, url) page, its requests alternating
    with the bare view's through the same client, so that the machine's load, which
    drifts on a shared machine, weighs on both alike: the ratio is the page's p50 over the
    bare view's p50 of the same pairs."""
    found = {}
    for name, (client, url) in pages.items():
        for _ in range(2):  # warm: first-use imports and caches
            fetch(client, url)
            fetch(client, "/bench/bare/")
        samples, bare = [], []
        for _ in range(requests):
            bare += timed(lambda client=client: fetch(client, "/bench/bare/"), 1, warmup=0)
            samples += timed(lambda client=client, url=url: fetch(client, url), 1, warmup=0)
        base = statistics.median(bare)
        p50 = row(name, samples, base)
        found[name] = (p50, count_queries(client, url), p50 / base)
        print(f"{'  vue nue, en alternance':46} {base * 1000:9.2f} "
              f"{percentile(bare, .95) * 1000:9.2f}  ms")
    return found


def analyze():
    """Table statistics after the bulk load, as autovacuum would have them in production."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure_scale(total, federation, analyst, member, args, start, before):

    print(f"\n=== {total:,} structures membres ".replace(",", " ") + "=" * 40
          + f"\ncharge au départ : {load()}")
    _ids, seconds = grow(federation, total, args, before)
    print("Données : " + ", ".join(f"{what} {value:.1f} s" for what, value in seconds.items()))
    started = time.perf_counter()
    analyze()
    print(f"ANALYZE : {time.perf_counter() - started:.1f} s")
    build, build_queries = measure_build(federation, start, args)

    bare = timed(lambda: fetch(analyst, "/bench/bare/"), args.requests)
    base = statistics.median(bare)
    print(f"\nVue nue : p50 {base * 1000:.2f} ms, p95 {percentile(bare, .95) * 1000:.2f} ms")
    dashboard = f"/o/{federation.slug}/federation/"
    header("Pages (django.test.Client ; chaque page rapportée à la vue nue en alternance)")
    # The first reader of the period computes the snapshot (the scheduler has not run).
    first = timed(lambda: fetch(analyst, dashboard), 1, warmup=0)
    row("tableau de bord, 1er lecteur (le calcule)", first, base)
    pages = measure_pages({
        "(b) tableau de bord de la fédération": (analyst, dashboard),
        "    son export Excel": (analyst, dashboard + "export.xlsx"),
        "(c) « Mes fédérations » d'un membre": (
            member, f"/o/{member.organisation.slug}/federation/mes-federations/"),
    }, args.requests)
    print(f"charge à la fin : {load()}")
    return {BUILD: (build, build_queries, build / base),
            "tableau de bord, 1er lecteur": (first[0], None, first[0] / base), **pages}


def summary(args, results):
    print("\n=== Résumé " + "=" * 60)
    scales = " ".join(f"{total:>8}" for total in args.scales)
    width = 9 * len(args.scales)
    print(f"{'':46} {'requêtes SQL':>{width}}   {'× vue nue (p50)':>{width}}")
    print(f"{'':46} {scales}   {scales}")
    growing = []
    for name in results[0]:
        counts = [found[name][1] for found in results]
        shown = " ".join(f"{'':>8}" if c is None else f"{c:8}" for c in counts)
        flag = ""
        if name == BUILD:
            flag = "  (par tranche de 20 000 structures : core.metrics.id_chunks)"
        elif len({c for c in counts if c is not None}) > 1:
            flag = "  ← le nombre de requêtes croît"
            growing.append(name)
        print(f"{name:46} {shown}   " + " ".join(f"{found[name][2]:8.1f}" for found in results)
              + flag)
    ratio = results[-1]["(b) tableau de bord de la fédération"][2]
    print(f"\nCible : tableau de bord ≤ 10 × la vue nue à {args.scales[-1]} structures → "
          f"{ratio:.1f} × ({'atteinte' if ratio <= 10 else 'non atteinte'}) ; "
          + ("nombre de requêtes des pages constant." if not growing
             else f"à examiner : {', '.join(growing)}"))


def profile_build(federation, start):
    from pharmagarde.federation import snapshots

    profiler = cProfile.Profile()
    profiler.runcall(snapshots.compute, federation.pk, start)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print("\nProfil de snapshots.compute (cumulé, 25 premières lignes)\n" + out.getvalue())


def diagnostic_variants(federation, start):
    """The diagnostic's values query (latest_completed_before over a chunk of 20,000) as it
    is, and two forms of the same result written here, to show where its time goes: the
    correlated subquery repeats the chunk's `organisation_id IN (…)`, which PostgreSQL
    probes again for each row (quadratic in the chunk)."""
    from django.db import models

    from pharmagarde.core.metrics import id_chunks
    from pharmagarde.diagnostic.models import Assessment
    from pharmagarde.federation.models import FederationMember

    chunk = id_chunks(FederationMember.objects.filter(organisation=federation)
                      .values_list("member_id", flat=True))[0]
    columns = ("organisation_id", "score", "theme_scores")
    before = Assessment.objects.completed().filter(completed_at__lt=start)
    latest = before.filter(organisation=models.OuterRef("organisation")).latest_first()
    variants = {
        "tel quel (IN répété dans la sous-requête)": Assessment.objects.filter(
            organisation_id__in=chunk).latest_completed_before(start),
        "IN seulement dans la requête extérieure": before.filter(
            organisation_id__in=chunk, pk=models.Subquery(latest.values("pk")[:1])),
        "DISTINCT ON (organisation_id), PostgreSQL": before.filter(
            organisation_id__in=chunk).order_by("organisation_id", "-completed_at", "-id")
        .distinct("organisation_id"),
    }
    print(f"\nValeurs du diagnostic, une tranche de {len(chunk)} structures :")
    first = None
    for name, queryset in variants.items():
        started = time.perf_counter()
        rows = sorted(map(repr, queryset.values_list(*columns)))
        seconds = time.perf_counter() - started
        first = rows if first is None else first
        print(f"  {name:46} {seconds:8.2f} s ({len(rows)} lignes"
              f"{', les mêmes' if rows == first else ', DIFFÉRENTES'})")


def run(args):
    started = time.perf_counter()
    prepare_environment()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import generate_federation, history_start
    from pharmagarde.core.models import Membership
    from pharmagarde.core.selectors import period_start

    call_command("migrate", verbosity=0)
    print(f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 100}, "
          f"base {connection.settings_dict['NAME']} ; charge {load()} ; "
          f"{os.cpu_count()} processeurs")
    federation, responsable = generate_federation()
    analyst = signed_in(responsable)
    start, before = period_start(), history_start(args.history)
    results, member = [], None
    for total in args.scales:
        if member is None:
            # The member whose page is read: one of the first organisations generated.
            grow(federation, 1, args, before)
            first_org = (Membership.objects.filter(organisation__slug__startswith="bench-")
                         .select_related("organisation", "user").order_by("pk").first())
            member = signed_in(get_user_model().objects.get(pk=first_org.user_id))
            member.organisation = first_org.organisation
        results.append(measure_scale(total, federation, analyst, member, args, start,
                                     before))
    summary(args, results)
    if args.variants:
        diagnostic_variants(federation, start)
    if args.profile:
        profile_build(federation, start)
    print(f"\nDurée totale : {time.perf_counter() - started:.0f} s ; charge {load()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1000,22000",
                        help="numbers of member organisations, growing")
    parser.add_argument("--requests", type=int, default=30, help="requests per page")
    parser.add_argument("--builds", type=int, default=3, help="snapshot builds timed")
    parser.add_argument("--people-per-org", type=int, default=11)
    parser.add_argument("--audit", type=int, default=0,
                        help="audit entries generated at each size (the dashboard reads none)")
    parser.add_argument("--history", type=int, default=11,
                        help="earlier periods' snapshots, for the trend")
    parser.add_argument("--profile", action="store_true",
                        help="a cProfile of one snapshot build at the largest size")
    parser.add_argument("--variants", action="store_true",
                        help="the diagnostic's values query as is and in two other forms")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.scales = sorted(int(n) for n in args.scales.split(",") if n)
    name = f"bench_federation_{os.getpid()}"
    subprocess.run(["createdb", *SERVER, name], check=True)
    # Stopped by a signal, the scratch database is dropped all the same.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        subprocess.run(["dropdb", *SERVER, "--force", name], check=False)


if __name__ == "__main__":
    main()
