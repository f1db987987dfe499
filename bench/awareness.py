"""Awareness benchmark: sending a campaign with one and two workers, and the open pixel
under load, on a fresh installation.

    python -m bench.awareness [--part all|sending|tracking] [--recipients 10000]
                              [--clients 50] [--seconds 8] [--scales 100,10000,100000]
                              [--paced-share 0.25] [--postgres] [--profile]

1. Sending. A fresh data directory (`pharmagarde init`, as tests/test_cli.py does), a
   campaign of --recipients people sent through a profile with no rate limit to an
   aiosmtpd sink running in another process, by real `pharmagarde worker` processes: one,
   then two (AWARENESS_SENDERS=2), each run with its own campaign. Printed: messages per
   second at the sink (first to last message) and from the workers' start, duplicates
   and losses by recipient address. --profile adds a cProfile of one worker's sending
   loop (sending.run, in this process, 500 messages).
2. Tracking. gunicorn started as `pharmagarde serve` starts it (serve.gunicorn_argv), on
   bench/wsgi.py: the project plus the bare view of bench/urls.py
   (/bench/bare/). --clients threads with keep-alive connections (http.client, split over
   two processes so that the client is not held by one GIL) request the open pixel
   /p/<token>/o.gif with random valid tokens, for --seconds each, at each --scales number
   of recipients (rows bulk-created, sent an hour ago). Two measurements:
   a. closed loop (each client sends again as soon as it is answered: the server's
      maximum), each pixel measurement between two of the bare view, its throughput as a
      share of their mean (this machine's speed drifts within a minute);
   b. open loop at a fixed rate (--paced-share of the slowest bare view measured in a, so
      below saturation), the same --clients each on its own schedule, the latency counted
      from the moment a request was due (as wrk2 does). At saturation a closed loop's
      latency is only its queue: clients ÷ throughput (50 clients at 800 req/s wait about
      60 ms each whatever the endpoint costs), so p99 is read in b.
   Printed: requests per second, p50 and p99 latency, errors.

SQLite in the new data directory; with --postgres the same again on the PostgreSQL at
127.0.0.1:5432 (user postgres, trust) in a scratch database created and dropped here.
Numbers are printed, never asserted. Targets from the product issue: ≥ 500 messages/s with
two workers, no duplicate and no loss; the pixel at ≥ half the bare view's throughput,
p99 ≤ 50 ms, flat from 100 to 100,000 recipients.
"""

import argparse
import collections
import cProfile
import datetime
import http.client
import multiprocessing
import os
import pstats
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What must not leak from the caller's environment into a fresh installation.
LEAKY = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "SECRET_KEY_FILE", "PHARMAGARDE_DATA_DIR",
         "DATABASE_URL", "DEBUG", "HTTPS", "HOST", "PORT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
CONTENT = {
    "subject": "Votre facture de {{structure}}",
    "sender_name": "Service facturation",
    "sender_address": "facturation@grossiste-exemple.example",
    "html": '<p>Bonjour {{prenom}},</p><p><a href="{{lien}}">Voir la facture</a></p>'
            '<img src="{{pixel}}" alt="">',
    "text": "Bonjour {{prenom}},\nVoir la facture : {{lien}}\n",
    "clues": [], "module": "hameconnage", "form": None, "lesson": [],
}
BROWSER = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 "
           "Firefox/133.0")
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The installation -------------------------------------------------------------------

def install(database_url: str | None, web_port: int) -> dict:
    """A new data directory initialised by `pharmagarde init`; the environment of every
    process of the run (this one included)."""
    env = {key: value for key, value in os.environ.items() if key not in LEAKY}
    env.update(PHARMAGARDE_DATA_DIR=tempfile.mkdtemp(prefix="pharmagarde-bench-awareness-"),
               HTTPS="false", SECRET_KEY="bench-only-" + "x" * 50,
               ALLOWED_HOSTS="127.0.0.1,localhost", SITE_URL=f"http://127.0.0.1:{web_port}",
               PYTHONPATH=str(ROOT))
    if database_url:
        env["DATABASE_URL"] = database_url
    subprocess.run([sys.executable, "-m", "pharmagarde.cli", "init", "-v", "0"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "pharmagarde.settings"
    import django

    django.setup()
    return env


def organisation(people: int):
    """An organisation, its responsable and `people` staff with an address each."""
    from django.contrib.auth import get_user_model

    from pharmagarde.core.models import Membership, Organisation, Person

    org = Organisation.objects.create(name="Pharmacie du banc d'essai", slug="banc",
                                      kind="officine", siret="73282932000074")
    user = get_user_model().objects.create_user(username="banc@example.org",
                                                email="banc@example.org")
    Membership.objects.create(organisation=org, user=user, role="responsable")
    Person.objects.bulk_create([
        Person(organisation=org, first_name=f"Prénom{i}", last_name=f"Nom{i}",
               email=f"personne{i}@banc.example", job="Préparateur")
        for i in range(people)], batch_size=2000)
    return org, user


# --- 1. Sending -------------------------------------------------------------------------

def _sink(connection, port):
    """An SMTP server that keeps the recipients it is given, in its own process."""
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.recipients, self.first, self.last = [], None, None

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's)
            now = time.monotonic()  # system-wide on Linux: comparable with the parent's
            self.first = self.first or now
            self.last = now
            self.recipients.extend(envelope.rcpt_tos)
            return "250 Message accepted for delivery"

    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    connection.send("ready")
    while True:
        command = connection.recv()
        if command == "count":
            connection.send(len(handler.recipients))
        elif command == "take":
            connection.send((list(handler.recipients), handler.first, handler.last))
            handler.recipients, handler.first, handler.last = [], None, None
        else:
            controller.stop()
            return


class Sink:
    def __init__(self):
        self.port = free_port()
        self._pipe, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=_sink, args=(child, self.port), daemon=True)
        self._process.start()
        self._pipe.recv()

    def ask(self, command):
        self._pipe.send(command)
        return self._pipe.recv()

    def stop(self):
        self._pipe.send("stop")
        self._process.join(timeout=10)


def campaign_of(org, profile, number, people_ids):
    from pharmagarde.awareness.models import Campaign

    campaign = Campaign.objects.create(organisation=org, number=number, profile=profile,
                                       name=f"Banc d'essai {number}", spread=False)
    through = Campaign.people.through
    through.objects.bulk_create([through(campaign_id=campaign.pk, person_id=pk)
                                 for pk in people_ids], batch_size=2000)
    return campaign


def send_run(env, sink, org, user, profile, number, workers, people_ids, timeout):
    from django.conf import settings

    from pharmagarde.awareness import campaign_services
    from pharmagarde.awareness.models import Campaign, Recipient

    campaign = campaign_of(org, profile, number, people_ids)
    settings.AWARENESS_SENDERS = workers
    campaign_services.campaign_launch(acting_user=user, campaign=campaign, content=CONTENT)
    started = time.monotonic()
    logs = [open(Path(env["PHARMAGARDE_DATA_DIR"]) / f"worker-{number}-{n}.log", "w")  # noqa: SIM115
            for n in range(workers)]
    processes = [subprocess.Popen(
        [sys.executable, "-m", "pharmagarde.cli", "worker", "--interval", "0.2"], cwd=ROOT,
        env={**env, "AWARENESS_SENDERS": str(workers)}, stdout=log, stderr=subprocess.STDOUT)
        for log in logs]
    expected = len(people_ids)
    while time.monotonic() - started < timeout:
        time.sleep(0.5)
        if sink.ask("count") >= expected:
            break
        left = Recipient.objects.filter(campaign=campaign,
                                        delivery__in=["attente", "envoi"]).count()
        if not left:
            time.sleep(1)  # the last replies on their way
            break
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process, log in zip(processes, logs, strict=True):
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
    # Left sending, its rows would be resumed by the next run's scheduler (resume_stalled)
    # and counted there as duplicates.
    if Campaign.objects.filter(pk=campaign.pk, status="envoi").exists():
        campaign_services.campaign_stop(acting_user=user, campaign=campaign)
    received, first, last = sink.ask("take")
    counts = collections.Counter(received)
    addresses = set(Recipient.objects.filter(campaign=campaign).values_list("email",
                                                                              flat=True))
    states = collections.Counter(Recipient.objects.filter(campaign=campaign)
                                 .values_list("delivery", flat=True))
    span = (last - first) if first and last and last > first else float("nan")
    marked = set(Recipient.objects.filter(campaign=campaign, delivery="envoye")
                 .values_list("email", flat=True))
    print(f"  {workers} worker(s) : {len(received):>6} messages reçus, "
          f"{len(received) / span:7.0f} messages/s à la réception (premier → dernier, "
          f"{span:.1f} s), {len(received) / ((last or started) - started):6.0f} messages/s "
          f"depuis le démarrage des workers ; doublons {sum(c - 1 for c in counts.values())}"
          f", pertes (marqués envoyés, jamais reçus) {len(marked - set(counts))}, reçus sans "
          f"être de la campagne {len(set(counts) - addresses)} ; états à l'arrêt "
          f"{dict(states)}")


def _no_delay(connect):
    """smtp_connect with TCP_NODELAY on its socket: what sending.py would gain if the
    final « . » did not wait for the server's delayed ACK of the body (Nagle)."""
    def wrapped(profile, **kwargs):
        connection = connect(profile, **kwargs)
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection
    return wrapped


def profile_run(org, profile, number, count=500):
    """One worker's loop (sending.run) in this process, under cProfile; then the same
    without the profiler, as is and with TCP_NODELAY (in this process only)."""
    from django.utils import timezone

    from pharmagarde.awareness import sending
    from pharmagarde.awareness.models import Campaign, Recipient

    def campaign(offset):
        made = Campaign.objects.create(organisation=org, number=number + offset,
                                       profile=profile, name=f"Profil {offset}",
                                       status=Campaign.Status.SENDING, content=CONTENT)
        now = timezone.now()
        Recipient.objects.bulk_create([
            Recipient(organisation=org, campaign=made, email=f"profil{i}@banc.example",
                      first_name=f"P{i}", send_at=now) for i in range(count)],
            batch_size=2000)
        return made

    for offset, label in ((1, "tel quel"), (2, "avec TCP_NODELAY")):
        made = campaign(offset)
        original = sending.smtp_connect
        if offset == 2:
            sending.smtp_connect = _no_delay(original)
        try:
            started = time.perf_counter()
            sending.run(made.pk, worker="mesure")
            elapsed = time.perf_counter() - started
        finally:
            sending.smtp_connect = original
        print(f"  sending.run dans ce processus, {count} messages, {label} : "
              f"{count / elapsed:.0f} messages/s")
    campaign = campaign(0)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(sending.run, campaign.pk, worker="profil")
    elapsed = time.perf_counter() - started
    print(f"\n  cProfile de sending.run, {count} messages, un processus : {elapsed:.1f} s "
          f"({count / elapsed:.0f} messages/s sous le profileur)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(12)
    stats.sort_stats("cumulative").print_stats(20)


def sending_part(args, env, org, user):
    from pharmagarde.awareness.models import SendingProfile
    from pharmagarde.core.models import Person

    sink = Sink()
    try:
        profile = SendingProfile.objects.create(
            organisation=org, name="Puits local", host="127.0.0.1", port=sink.port,
            security=SendingProfile.Security.NONE, from_address="campagnes@banc.example",
            rate_per_minute=0)
        people_ids = list(Person.objects.filter(organisation=org).values_list("pk",
                                                                               flat=True))
        print(f"\nEnvoi de {len(people_ids)} messages, débit du profil illimité, puits "
              "aiosmtpd dans un autre processus :")
        for workers in (1, 2):
            send_run(env, sink, org, user, profile, workers, workers, people_ids,
                     args.send_seconds)
        if args.profile:
            profile_run(org, profile, 10)
    finally:
        sink.stop()


# --- 2. Tracking ------------------------------------------------------------------------

def _client(port, paths, threads, seconds, interval, queue):
    """`threads` keep-alive clients. With an `interval`, each sends one request every
    `interval` seconds on a fixed schedule (an open loop, as wrk2 does) and a latency is
    counted from the moment the request was due, so that a server falling behind is not
    hidden by clients that wait for it (coordinated omission); without, each sends the next
    request as soon as the previous one is answered (a closed loop: the server's maximum)."""
    deadline = time.monotonic() + seconds
    latencies, errors, lock = [], collections.Counter(), threading.Lock()

    def one():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, failed = [], collections.Counter()
        rng = random.Random()
        due = time.perf_counter() + (rng.uniform(0, interval) if interval else 0)
        while time.monotonic() < deadline:
            path = rng.choice(paths)
            if interval:
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                started = due
                due += interval
            else:
                started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"User-Agent": BROWSER})
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                # gunicorn recycles its workers (--max-requests): connect again.
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                failed["connexion"] += 1
                continue
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                failed[response.status] += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            errors.update(failed)

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put((latencies, dict(errors)))


def load(port, paths, clients, seconds, processes=2, rate=None):
    """Requests per second, p50 and p99 in ms, and errors of `clients` concurrent
    keep-alive clients over `seconds`: as fast as the server answers, or, with `rate`,
    `rate` requests per second in all, spread evenly over the clients."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    shares = [clients // processes + (1 if n < clients % processes else 0)
              for n in range(processes)]
    interval = clients / rate if rate else None
    started = time.monotonic()
    children = [context.Process(target=_client,
                                args=(port, paths, share, seconds, interval, queue))
                for share in shares]
    for child in children:
        child.start()
    latencies, errors = [], collections.Counter()
    for _child in children:
        mine, failed = queue.get()
        latencies.extend(mine)
        errors.update(failed)
    for child in children:
        child.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return (len(latencies) / elapsed, statistics.median(latencies) * 1000,
            latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
            dict(errors))


def add_recipients(org, campaign, count):
    from django.utils import timezone

    from pharmagarde.awareness.models import Recipient

    start = Recipient.objects.filter(campaign=campaign).count()
    sent = timezone.now() - datetime.timedelta(hours=1)
    Recipient.objects.bulk_create([
        Recipient(organisation=org, campaign=campaign, email=f"suivi{i}@banc.example",
                  first_name=f"S{i}", send_at=sent, sent_at=sent, delivery="envoye")
        for i in range(start, count)], batch_size=2000)


def tracking_part(args, env, org, port):
    from django.db import connections

    from pharmagarde.awareness.models import Campaign, Recipient
    from pharmagarde.core.management.commands.serve import (
        default_workers,
        gunicorn_argv,
        is_listening,
    )

    campaign = Campaign.objects.create(organisation=org, number=90, name="Suivi",
                                       status=Campaign.Status.DONE, content=CONTENT)
    connections.close_all()  # the forked clients must not share this connection
    argv = [part if part != "pharmagarde.wsgi:application" else
            "bench.wsgi:application"
            for part in gunicorn_argv(host="127.0.0.1", port=port,
                                      workers=default_workers())]
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if is_listening("127.0.0.1", port):
                break
            time.sleep(0.1)
        print(f"\nPixel d'ouverture sous gunicorn ({default_workers()} processus × 4 fils), "
              f"{args.clients} clients simultanés, {args.seconds} s par mesure.")
        bare_paths = ["/bench/bare/"]
        load(port, bare_paths, args.clients, 2)  # warm-up: imports, connections
        print("\n1. Au plus vite (boucle fermée : chaque client renvoie dès qu'il a sa "
              "réponse) ;\n   chaque mesure du pixel entre deux mesures de la vue nue, "
              "rapportée à leur moyenne :")
        pixel_paths, shares, paced_rate = {}, [], None
        for scale in args.scales:
            add_recipients(org, campaign, scale)
            tokens = list(Recipient.objects.filter(campaign=campaign)
                          .values_list("token", flat=True))
            connections.close_all()
            pixel_paths[scale] = [f"/p/{token}/o.gif" for token in tokens]
            before = load(port, bare_paths, args.clients, args.seconds)
            pixel = load(port, pixel_paths[scale], args.clients, args.seconds)
            after = load(port, bare_paths, args.clients, args.seconds)
            bare = ((before[0] + after[0]) / 2, None, max(before[2], after[2]), {})
            print(f"  vue nue avant / après : {before[0]:.0f} / {after[0]:.0f} req/s, "
                  f"p99 {before[2]:.0f} / {after[2]:.0f} ms")
            row(f"pixel, {scale:,} destinataires".replace(",", " "), pixel, bare)
            shares.append(pixel[0] / bare[0])
            rate = args.paced_share * min(before[0], after[0])
            paced_rate = rate if paced_rate is None else min(paced_rate, rate)
        print(f"  part de la vue nue : médiane {statistics.median(shares):.0%}, "
              f"de {min(shares):.0%} à {max(shares):.0%}")
        print(f"\n2. À débit fixé (boucle ouverte) : {paced_rate:.0f} req/s en tout, "
              f"{args.paced_share:.0%} du plus faible débit de la vue nue mesuré ci-dessus, "
              f"réparties sur les {args.clients} clients ;\n   latence comptée depuis "
              "l'instant prévu de chaque requête :")
        for name, paths in [("vue nue", bare_paths)] + [
                (f"pixel, {scale:,} destinataires".replace(",", " "), pixel_paths[scale])
                for scale in args.scales]:
            paced(name, load(port, paths, args.clients, args.seconds, rate=paced_rate),
                  paced_rate)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def paced(name, measured, rate):
    achieved, p50, p99, errors = measured
    print(f"  {name:32} {achieved:7.0f} req/s servies sur {rate:.0f}  "
          f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
          + (f"  erreurs {errors}" if errors else ""))


def row(name, measured, bare):
    rate, p50, p99, errors = measured
    print(f"  {name:32} {rate:7.0f} req/s ({rate / bare[0]:4.0%} de la vue nue)  "
          f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
          + (f"  erreurs {errors}" if errors else ""))


# --- Runs -------------------------------------------------------------------------------

def run_on(args, database_url):
    from_start = time.perf_counter()
    port = free_port()
    env = install(database_url, port)
    from django.db import connection

    print(f"\n=== Base : {connection.vendor} ({env['PHARMAGARDE_DATA_DIR']})")
    org, user = organisation(args.recipients)
    if args.part in ("all", "sending"):
        sending_part(args, env, org, user)
    if args.part in ("all", "tracking"):
        tracking_part(args, env, org, port)
    print(f"\nDurée : {time.perf_counter() - from_start:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", "sending", "tracking"], default="all")
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=8,
                        help="seconds of load per tracking measurement")
    parser.add_argument("--send-seconds", type=float, default=150,
                        help="at most this long per sending run (what is left is counted)")
    parser.add_argument("--scales", default="100,10000,100000")
    parser.add_argument("--paced-share", type=float, default=0.25,
                        help="the fixed rate of the latency measurement, as a share of the "
                             "bare view's maximum measured in the same run")
    parser.add_argument("--postgres", action="store_true",
                        help="PostgreSQL at 127.0.0.1:5432 instead of SQLite")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile of one worker's sending loop")
    args = parser.parse_args()
    args.scales = [int(n) for n in args.scales.split(",") if n]
    if not args.postgres:
        run_on(args, None)
        return
    name = f"bench_awareness_{os.getpid()}"
    server = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["createdb", *server, name], check=True)
    try:
        run_on(args, f"postgres://postgres@127.0.0.1:5432/{name}")
    finally:
        from django.db import connections

        connections.close_all()
        subprocess.run(["dropdb", *server, "--force", name], check=False)


if __name__ == "__main__":
    main()
