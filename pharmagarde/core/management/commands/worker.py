"""`pharmagarde worker`: the background task worker (django-tasks-db's db_worker), and the
scheduler of reminders, digests and mail left behind (core/scheduler.py).

Run as many as needed, on as many machines as needed, against one PostgreSQL: each task is
claimed with SELECT … FOR UPDATE SKIP LOCKED, so no two workers run the same one, and each
period of the scheduler is claimed by one worker only. Every worker runs the scheduler:
there is no special one to keep alive.
"""

import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from pharmagarde.core import scheduler


class Command(BaseCommand):
    help = "Exécute les tâches de fond (courriels, rappels, rapports) en continu."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="default",
                            help="Files à traiter, séparées par des virgules ; « * » pour toutes.")
        parser.add_argument("--interval", default="1",
                            help="Secondes d'attente quand aucune tâche n'est prête.")
        parser.add_argument("--batch", action="store_true",
                            help="Un tour du planificateur, les tâches en attente, puis "
                                 "s'arrête (pour cron).")
        parser.add_argument("--max-tasks", default=None,
                            help="S'arrête après ce nombre de tâches (redémarrage par systemd).")

    def handle(self, *args, queue_name, interval, batch, max_tasks, verbosity=1, **options):
        worker_id = get_random_string(32)
        argv = ["--queue-name", queue_name, "--interval", interval, "--no-reload",
                "--worker-id", worker_id]
        if batch:
            scheduler.tick(worker=worker_id)
            call_command("db_worker", *argv, "--batch", verbosity=verbosity)
            return
        if max_tasks:
            argv += ["--max-tasks", max_tasks]
        # A thread, not a task: a task killed mid-run stays "running" for ever in
        # django-tasks-db, and the scheduler would stop with it.
        stop = threading.Event()
        thread = threading.Thread(target=scheduler.run_periodically, args=(stop,),
                                  kwargs={"worker": worker_id}, name="scheduler", daemon=True)
        thread.start()
        try:
            call_command("db_worker", *argv, verbosity=verbosity)
        finally:
            # db_worker leaves by SystemExit on SIGTERM: let a tick in progress finish.
            stop.set()
            thread.join(timeout=30)
