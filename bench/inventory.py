"""Inventory benchmark: the real import path (prepare + apply) of a 100,000-row Active
Directory export and of a 5,000-host nmap scan, the findings recomputation over 5,000
devices, and the inventory lists at 10 and 10,000 items.

    python -m bench.inventory [--rows 100000] [--hosts 5000] [--devices 5000]
                              [--scales 10,10000] [--requests 20]

The files are written by bench/import_parsers.py's generators. Each import step and each
recomputation runs in its own child process (a fresh interpreter on the same database), so
that its peak RSS (VmHWM, see peak_rss_mb) is its own; the baselines are measured the same
way: csv.reader and iterparse over the same files, and a child that only sets Django up.
Pages are timed in this process as a ratio of the bare view (bench/urls.py), with their SQL
query counts, which must not grow with the number of items. Runs against a throw-away SQLite
database, or DATABASE_URL. Numbers are printed, never asserted.

Targets from the product issue: the AD export imported in 10 s or less with a peak RSS of
300 MB or less; the findings of 5,000 devices recomputed in 1 s or less; list pages with
the same query count at every size.
"""

import argparse
import datetime
import multiprocessing
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from bench.foundation import percentile, prepare_environment
from bench.import_parsers import baseline_csv, baseline_xml, write_ad_export, write_nmap

OS_CHOICES = [("Windows 10 Professionnel", "22H2"), ("Windows 11 Pro", "23H2"),
              ("Windows 7 Professionnel", ""), ("Windows Server 2012 R2", ""),
              ("macOS 14", ""), ("Ubuntu 18.04", ""), ("", "")]


# --- Child processes ---------------------------------------------------------------------

class QueryCounter:
    """Counts the SQL statements without keeping them (CaptureQueriesContext would keep
    every bulk INSERT's text, and its memory would count in the peak)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _child(task, args, data_dir, queue):
    prepare_environment(data_dir)
    from django.db import connection

    if task in WARMUPS:
        WARMUPS[task]()  # before the timer and outside the query count
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = TASKS[task](*args)
        elapsed = time.perf_counter() - start
    queue.put((result, elapsed, peak_rss_mb(), counter.count))


def peak_rss_mb():
    """This process's peak RSS: VmHWM, the high-water mark of its own memory map (a new one
    since exec). ru_maxrss is kept across fork and exec on Linux, so a spawned child would
    report its parent's size at the fork when that is larger (macOS: ru_maxrss, in bytes)."""
    try:
        with open("/proc/self/status") as status:
            for text in status:
                if text.startswith("VmHWM:"):
                    return int(text.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def in_child(task, *args, data_dir=None):
    """(result, seconds, peak RSS in MB, SQL queries) of TASKS[task](*args) in a fresh
    interpreter; the parent's connection is closed first (SQLite: no lock held)."""
    from django.db import connections

    if task not in ("csv", "xml"):
        connections.close_all()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(task, args, data_dir, queue))
    process.start()
    outcome = queue.get()
    process.join()
    return outcome


def task_django():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.count()


def task_prepare(source, path, org_id, user_id):
    from django.contrib.auth import get_user_model

    from pharmagarde.core.models import Organisation
    from pharmagarde.inventory import importers

    prepare = importers.prepare_ad if source == "ad" else importers.prepare_nmap
    with open(path, "rb") as file:
        prepared = prepare(acting_user=get_user_model().objects.get(pk=user_id),
                           organisation=Organisation.objects.get(pk=org_id), file=file,
                           filename=Path(path).name)
    assert prepared.batch is not None, prepared.errors
    return prepared.batch.pk, prepared.batch.summary


def task_apply(batch_id, user_id):
    from django.contrib.auth import get_user_model

    from pharmagarde.inventory import importers
    from pharmagarde.inventory.models import ImportBatch

    batch = ImportBatch.objects.only("pk").get(pk=batch_id)
    summary = importers.batch_apply(acting_user=get_user_model().objects.get(pk=user_id),
                                    batch=batch)
    return summary


def task_recompute(org_id):
    from pharmagarde.core.models import Organisation
    from pharmagarde.inventory.services import findings_recompute

    return findings_recompute(organisation=Organisation.objects.get(pk=org_id))


def warm_catalogue():
    """What a worker has done once before its first recomputation: read the end-of-life
    catalogue (get_catalogue is cached for the process)."""
    from pharmagarde.inventory.catalogue import get_catalogue

    get_catalogue()


TASKS = {"csv": baseline_csv, "xml": baseline_xml, "django": task_django,
         "prepare": task_prepare, "apply": task_apply, "recompute": task_recompute,
         "recompute_warm": task_recompute}
WARMUPS = {"recompute_warm": warm_catalogue}


# --- Data --------------------------------------------------------------------------------

def changed_export(path, target):
    """The same export a month later: every enabled flag and "never expires" flag turned
    over, and the logon dates moved, so that every row updates several fields."""
    with open(path, encoding="utf-8-sig", newline="") as source, \
            open(target, "w", encoding="utf-8-sig", newline="") as changed:
        for text in source:
            changed.write(text.replace('"True"', '"T"').replace('"False"', '"True"')
                          .replace('"T"', '"False"').replace("/2024 08:15:00", "/2025 09:30:00"))


def add_people(org, rows, every=20):
    """Staff whose e-mail matches one AD row in `every`: the holder matching has work."""
    from pharmagarde.core.models import Person

    Person.objects.bulk_create(
        [Person(organisation=org, first_name=f"Prénom{n}", last_name=f"Nom{n}",
                email=f"user{n:06d}@pharmacie.fr") for n in range(0, rows, every)],
        batch_size=5000)


def add_devices(org, count, seed=3):
    """Devices of every kind with every kind of problem, some software, Wi-Fi, backups."""
    from pharmagarde.inventory.models import Backup, Device, Software, WifiNetwork

    rng = random.Random(seed)
    today = datetime.date.today()
    kinds = [k.value for k in Device.Kind]
    ports = [[], [{"port": 443, "protocol": "tcp", "service": "https", "product": "",
                   "version": ""}],
             [{"port": 3389, "protocol": "tcp", "service": "ms-wbt-server", "product": "",
               "version": ""}, {"port": 445, "protocol": "tcp", "service": "microsoft-ds",
                                "product": "", "version": ""}],
             [{"port": 80, "protocol": "tcp", "service": "http", "product": "", "version": ""}]]
    devices = []
    for n in range(count):
        os_name, os_version = rng.choice(OS_CHOICES)
        devices.append(Device(
            organisation=org, name=f"appareil-{n:05d}", kind=rng.choice(kinds),
            os_name=os_name, os_version=os_version,
            last_update=today - datetime.timedelta(days=rng.randint(0, 400)),
            disk_encrypted=rng.choice([True, False, None]),
            antivirus=rng.choice([True, False, None]),
            ip_address=f"10.1.{n // 256}.{n % 256}", open_ports=rng.choice(ports)))
    Device.objects.bulk_create(devices, batch_size=2000)
    Software.objects.bulk_create([
        Software(organisation=org, name=name, version=version)
        for name, version in [("Windows 7", ""), ("Office", "2013"), ("Java", "8"),
                              ("LGO", "12.1"), ("AnyDesk", "7")] * 20])
    WifiNetwork.objects.bulk_create([
        WifiNetwork(organisation=org, ssid="Officine", security="wpa"),
        WifiNetwork(organisation=org, ssid="Clients", security="wpa2", is_guest=True,
                    separated=False)])
    Backup.objects.create(organisation=org, what="Base du LGO", offline_copy=False)


def add_list_items(org, count):
    from pharmagarde.inventory.models import Account, Device

    people = list(org.people.values_list("pk", flat=True))
    rng = random.Random(count)
    Account.objects.bulk_create([
        Account(organisation=org, login=f"compte{n:05d}", holder_id=rng.choice(people),
                is_admin=n % 10 == 0, mfa=rng.choice([True, False, None]),
                last_used=datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300))
        for n in range(count)], batch_size=2000)
    Device.objects.bulk_create([
        Device(organisation=org, name=f"poste-{n:05d}", owner_id=rng.choice(people),
               os_name="Windows 11 Pro", disk_encrypted=rng.choice([True, False, None]),
               ip_address=f"10.2.{n // 256}.{n % 256}")
        for n in range(count)], batch_size=2000)


# --- Parts -------------------------------------------------------------------------------

def line(label, elapsed, peak, queries="", ratio=""):
    print(f"  {label:40} {elapsed:8.2f} s  pic RSS {peak:7.1f} Mo  {queries:>8}  {ratio}")


def measure_import(title, source, path, baseline_task, org, user, data_dir, django_rss,
                   second_path=None):
    """Prepare then apply `path` (each in its own child), then the same import again
    (`second_path`, or the same file): the second run matches every row to an item."""
    base = in_child(baseline_task, path, data_dir=data_dir)
    print(f"\n{title} ({path.stat().st_size / 1024 / 1024:.1f} Mo)")
    line(f"référence ({'csv.reader' if source == 'ad' else 'iterparse'})", base[1], base[2])
    totals = []
    for label, file in (("premier import", path), ("second import", second_path or path)):
        (batch_id, summary), prepare_s, prepare_rss, prepare_q = in_child(
            "prepare", source, str(file), org.pk, user.pk, data_dir=data_dir)
        applied, apply_s, apply_rss, apply_q = in_child("apply", batch_id, user.pk,
                                                        data_dir=data_dir)
        total = prepare_s + apply_s
        peak = max(prepare_rss, apply_rss)
        print(f" {label} : {summary['new']:,} nouveaux, {summary['updated']:,} déjà connus ; "
              f"{applied.get('created', 0):,} ajoutés, {applied.get('changed', 0):,} modifiés")
        line("préparation (lecture + rapprochement)", prepare_s, prepare_rss, f"{prepare_q} req.")
        line("confirmation (écriture + constats)", apply_s, apply_rss, f"{apply_q} req.")
        line("total", total, peak, "",
             f"{total / base[1]:5.1f} × référence ; RSS {peak / base[2]:4.1f} × référence, "
             f"{peak - django_rss:+.0f} Mo au-dessus de Django seul")
        totals.append((total, peak))
    return totals


def measure_recompute(org, data_dir, base_view):
    from pharmagarde.inventory.models import Device

    count = Device.objects.filter(organisation=org).count()
    print(f"\nRecalcul des constats, {count:,} appareils (et 100 logiciels, 2 Wi-Fi, "
          "1 sauvegarde)")
    results = []
    for task, label in (("recompute", "premier calcul (tout est nouveau)"),
                        ("recompute", "recalcul (rien ne change)"),
                        ("recompute_warm", "recalcul, catalogue déjà chargé")):
        counts, seconds, rss, queries = in_child(task, org.pk, data_dir=data_dir)
        line(label, seconds, rss, f"{queries} req.", f"{seconds / base_view:7.0f} × vue nue  "
             f"{counts}")
        results.append(seconds)
    return results


def fetch(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return response


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        fetch(client, url)
    return len(context.captured_queries)


def timed(client, url, count):
    fetch(client, url)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        fetch(client, url)
        samples.append(time.perf_counter() - started)
    return samples


def measure_lists(args):
    from bench.diagnostic import member_organisation

    sites = []
    for size in args.scales:
        org, _user, client = member_organisation(f"liste-{size}", people=20)
        add_list_items(org, size)
        sites.append((size, org, client))
    client = sites[0][2]
    bare = timed(client, "/bench/bare/", args.requests * 3)
    base = statistics.median(bare)
    print(f"\nListes de l'inventaire ; vue nue : p50 {base * 1000:.2f} ms, "
          f"p95 {percentile(bare, .95) * 1000:.2f} ms")
    pages = {
        "appareils": "appareils/", "appareils, dernière page": "appareils/?page=last",
        "appareils, recherche": "appareils/?q=poste-0",
        "appareils, tri": "appareils/?tri=-ip_address",
        "comptes": "comptes/", "comptes, dernière page": "comptes/?page=last",
        "comptes, filtre et tri": "comptes/?is_admin=true&tri=-last_used",
    }
    scales = " ".join(f"{size:>7}" for size in args.scales)
    width = 8 * len(args.scales)
    print(f"  {'page':28} {'requêtes SQL':>{width}}   {'p50 ms':>{width}}   "
          f"{'× vue nue':>{width}}")
    print(f"  {'':28} {scales}   {scales}   {scales}")
    rows = {}
    for name, tail in pages.items():
        counts, p50s = [], []
        for _size, org, client in sites:
            url = f"/o/{org.slug}/inventaire/{tail}"
            fetch(client, url)
            counts.append(count_queries(client, url))
            p50s.append(statistics.median(timed(client, url, args.requests)))
        flag = "  ← le nombre de requêtes croît" if len(set(counts)) > 1 else ""
        print(f"  {name:28} " + " ".join(f"{c:7}" for c in counts) + "   "
              + " ".join(f"{t * 1000:7.1f}" for t in p50s) + "   "
              + " ".join(f"{t / base:7.1f}" for t in p50s) + flag)
        rows[name] = (counts, p50s)
    return base, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="AD export rows")
    parser.add_argument("--hosts", type=int, default=5_000, help="nmap hosts")
    parser.add_argument("--devices", type=int, default=5_000, help="for the recomputation")
    parser.add_argument("--scales", default="10,10000", help="list sizes")
    parser.add_argument("--requests", type=int, default=20, help="requests per page")
    parser.add_argument("--skip", default="", help="parts to skip: ad,nmap,findings,lists")
    args = parser.parse_args()
    args.scales = [int(n) for n in args.scales.split(",") if n]
    skip = set(args.skip.split(","))
    started = time.perf_counter()
    data_dir = None if "DATABASE_URL" in os.environ else tempfile.mkdtemp(
        prefix="pharmagarde-bench-")
    prepare_environment(data_dir)
    from django.core.management import call_command
    from django.db import connection

    from bench.diagnostic import member_organisation

    call_command("migrate", verbosity=0)
    print(f"Base : {connection.vendor} {'(' + data_dir + ')' if data_dir else ''}")
    _n, _s, django_rss, _q = in_child("django", data_dir=data_dir)
    print(f"Processus Django seul (setup + une requête) : pic RSS {django_rss:.1f} Mo")

    base_view = None
    if "lists" not in skip:
        base_view, _rows = measure_lists(args)
    if base_view is None:
        org, _user, client = member_organisation("vue-nue")
        base_view = statistics.median(timed(client, "/bench/bare/", 60))
    with tempfile.TemporaryDirectory() as folder:
        if "ad" not in skip:
            ad_path, ad_changed = Path(folder) / "utilisateurs.csv", Path(folder) / "mois2.csv"
            write_ad_export(ad_path, args.rows)
            changed_export(ad_path, ad_changed)
            org, user, _client = member_organisation("import-ad")
            add_people(org, args.rows)
            measure_import(f"Export Active Directory, {args.rows:,} lignes "
                           "(cible : 10 s et 300 Mo)", "ad", ad_path, "csv", org, user,
                           data_dir, django_rss, second_path=ad_changed)
        if "nmap" not in skip:
            nmap_path = Path(folder) / "scan.xml"
            write_nmap(nmap_path, args.hosts)
            org, user, _client = member_organisation("import-nmap")
            measure_import(f"Scan nmap, {args.hosts:,} hôtes", "nmap", nmap_path, "xml", org,
                           user, data_dir, django_rss)
    if "findings" not in skip:
        org, _user, _client = member_organisation("constats")
        add_devices(org, args.devices)
        measure_recompute(org, data_dir, base_view)
    print(f"\nDurée totale : {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
