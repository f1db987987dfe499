"""Foundation benchmark: page latency as a ratio of a bare Django view, audit throughput,
memory of the audit verify and CSV export.

    python -m bench.foundation [--organisations 2000] [--big-org-people 5000] [--requests 60]

Everything runs in one process against a throw-away SQLite database (or DATABASE_URL), so
the ratios compare like with like on a noisy machine. Numbers are printed, never asserted.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc


def prepare_environment(data_dir=None):
    """Settings for a throw-away database: a SQLite file in `data_dir` (a new temporary
    directory when None; a child process passes its parent's), or DATABASE_URL."""
    if "DATABASE_URL" not in os.environ:
        os.environ["PHARMAGARDE_DATA_DIR"] = data_dir or tempfile.mkdtemp(
            prefix="pharmagarde-bench-")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["HTTPS"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "pharmagarde.settings"
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Production serves hashed names from collectstatic's manifest; the bench has none.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def time_requests(client, url, count):
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    return samples


def big_organisation(people, audit_entries):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model

    from bench.generate import generate
    from pharmagarde.core.models import Membership, Organisation, Person, Role

    generate(1, people, audit_entries)
    org = Organisation.objects.order_by("-id").first()
    user = get_user_model().objects.create_user(username="b@bench.example",
                                                email="b@bench.example")
    TOTP.activate(user, generate_totp_secret())
    Membership.objects.create(organisation=org, user=user, role=Role.RESPONSABLE)
    assert Person.objects.filter(organisation=org).count() == people
    return org, user


def measure_pages(client, org, count):
    bare = time_requests(client, "/bench/bare/", count)
    base = statistics.median(bare)
    pages = {
        "tableau de bord": f"/o/{org.slug}/",
        "personnel (page 1)": f"/o/{org.slug}/personnel/",
        "personnel (dernière page)": f"/o/{org.slug}/personnel/?page=last",
        "personnel (recherche)": f"/o/{org.slug}/personnel/?q=Nom4",
        "membres": f"/o/{org.slug}/membres/",
        "journal d'audit": f"/o/{org.slug}/journal/",
        "journal d'audit filtré": f"/o/{org.slug}/journal/?action=person.updated",
    }
    print(f"{'page':30} {'p50 ms':>8} {'p95 ms':>8} {'× vue nue (p50)':>16}")
    print(f"{'vue nue':30} {base * 1000:8.2f} {percentile(bare, .95) * 1000:8.2f} {1:16.1f}")
    for name, url in pages.items():
        samples = time_requests(client, url, count)
        p50 = statistics.median(samples)
        print(f"{name:30} {p50 * 1000:8.2f} {percentile(samples, .95) * 1000:8.2f} "
              f"{p50 / base:16.1f}")
    return base


def measure_audit(org, user, base, count):
    from pharmagarde.core import audit

    started = time.perf_counter()
    for i in range(count):
        audit.record("person.updated", actor=user, organisation=org, details={"i": i})
    per_entry = (time.perf_counter() - started) / count
    print(f"\nAjout au journal : {1 / per_entry:,.0f} entrées/s "
          f"({per_entry / base:.1f} × vue nue)")

    started = time.perf_counter()
    result = audit.verify()
    elapsed = time.perf_counter() - started
    _, peak = traced_peak(audit.verify)
    print(f"Vérification : {result.checked:,} entrées en {elapsed:.2f} s "
          f"({result.checked / elapsed:,.0f}/s), pic mémoire {peak / 1e6:.1f} Mo, "
          f"{'intact' if result.ok else 'ALTÉRÉ'}")


def traced_peak(function):
    """Run again under tracemalloc (which slows Python down: never time this run)."""
    tracemalloc.start()
    result = function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, peak


def measure_export(client, org):
    def export():
        response = client.get(f"/o/{org.slug}/journal/export.csv")
        return sum(len(chunk) for chunk in response.streaming_content)

    started = time.perf_counter()
    size = export()
    elapsed = time.perf_counter() - started
    _, peak = traced_peak(export)
    print(f"Export CSV du journal : {size / 1e6:.1f} Mo en {elapsed:.2f} s, "
          f"pic mémoire {peak / 1e6:.1f} Mo")


def main():
    parser = argparse.ArgumentParser(description="Benchmark of the foundation pages.")
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--big-org-people", type=int, default=5000)
    parser.add_argument("--big-org-audit", type=int, default=50_000)
    parser.add_argument("--audit", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    prepare_environment()
    from django.core.management import call_command
    from django.test import Client

    from bench.generate import generate

    call_command("migrate", verbosity=0)
    seconds = generate(args.organisations, 11, args.audit)
    org, user = big_organisation(args.big_org_people, args.big_org_audit)
    print(f"Données : {args.organisations + 1} structures, "
          f"{args.organisations * 11 + args.big_org_people} personnes, "
          f"{args.audit + args.big_org_audit} entrées d'audit ({seconds:.0f} s)\n")
    client = Client()
    client.force_login(user)
    base = measure_pages(client, org, args.requests)
    measure_audit(org, user, base, 500)
    measure_export(client, org)


if __name__ == "__main__":
    main()
