"""Incidents benchmark: the incident list and the breach register at 10 and 10,000 records.

    python -m bench.incidents [--scales 10,10000] [--requests 20]

Each page is timed as a ratio of the bare view (bench/urls.py) measured in the same run,
with its SQL query count, which must be the same at every size. Runs against a throw-away
SQLite database, or DATABASE_URL. Numbers are printed, never asserted.

Target from the product issue: the register page and the incident list with 10,000 records,
constant query counts.
"""

import argparse
import datetime
import statistics
import tempfile
import time

from bench.foundation import percentile, prepare_environment
from bench.inventory import count_queries, fetch, timed

PAGES = {
    "incidents": "incidents/",
    "incidents, dernière page": "incidents/?page=last",
    "incidents, filtre": "incidents/?etat=ouvert",
    "registre": "incidents/registre/",
    "registre, dernière page": "incidents/registre/?page=last",
}


def add_records(org, user, count):
    """`count` incidents, one in two with its breach record, over the last three years."""
    from django.utils import timezone

    from pharmagarde.incidents.models import Breach, Incident

    now = timezone.now()
    kinds = [kind.value for kind in Incident.Kind]
    statuses = [status.value for status in Incident.Status]
    Incident.objects.bulk_create([
        Incident(organisation=org, number=n + 1, kind=kinds[n % len(kinds)],
                 description=f"Incident de banc d'essai {n}", declared_by=user,
                 noticed_at=now - datetime.timedelta(hours=n * 2.6),
                 status=statuses[n % len(statuses)])
        for n in range(count)], batch_size=2000)
    incidents = list(Incident.objects.filter(organisation=org).values_list("pk", "noticed_at"))
    Breach.objects.bulk_create([
        Breach(organisation=org, number=n + 1, incident_id=pk, aware_at=noticed,
               health_data=n % 3 == 0, facts="Faits du banc d'essai")
        for n, (pk, noticed) in enumerate(incidents[::2])], batch_size=2000)


def measure(args):
    from bench.diagnostic import member_organisation

    sites = []
    for size in args.scales:
        org, user, client = member_organisation(f"incidents-{size}", people=10)
        add_records(org, user, size)
        sites.append((size, org, client))
    client = sites[0][2]
    bare = timed(client, "/bench/bare/", args.requests * 3)
    base = statistics.median(bare)
    print(f"\nIncidents et registre ; vue nue : p50 {base * 1000:.2f} ms, "
          f"p95 {percentile(bare, .95) * 1000:.2f} ms")
    scales = " ".join(f"{size:>7}" for size in args.scales)
    width = 8 * len(args.scales)
    print(f"  {'page':28} {'requêtes SQL':>{width}}   {'p50 ms':>{width}}   "
          f"{'× vue nue':>{width}}")
    print(f"  {'':28} {scales}   {scales}   {scales}")
    for name, tail in PAGES.items():
        counts, p50s = [], []
        for _size, org, client in sites:
            url = f"/o/{org.slug}/{tail}"
            fetch(client, url)
            counts.append(count_queries(client, url))
            p50s.append(statistics.median(timed(client, url, args.requests)))
        flag = "  ← le nombre de requêtes croît" if len(set(counts)) > 1 else ""
        print(f"  {name:28} " + " ".join(f"{c:7}" for c in counts) + "   "
              + " ".join(f"{t * 1000:7.1f}" for t in p50s) + "   "
              + " ".join(f"{t / base:7.1f}" for t in p50s) + flag)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="10,10000", help="numbers of incidents")
    parser.add_argument("--requests", type=int, default=20, help="requests per page")
    args = parser.parse_args()
    args.scales = [int(n) for n in args.scales.split(",") if n]
    started = time.perf_counter()
    import os

    data_dir = None if "DATABASE_URL" in os.environ else tempfile.mkdtemp(
        prefix="pharmagarde-bench-")
    prepare_environment(data_dir)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"Base : {connection.vendor} {'(' + data_dir + ')' if data_dir else ''}")
    measure(args)
    print(f"\nDurée totale : {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
