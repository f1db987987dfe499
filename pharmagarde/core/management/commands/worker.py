"""`pharmagarde worker`: the background task worker (django-tasks-db's db_worker).

Run as many as needed, on as many machines as needed, against one PostgreSQL: each task is
claimed with SELECT … FOR UPDATE SKIP LOCKED, so no two workers run the same one.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Exécute les tâches de fond (courriels, rappels, rapports) en continu."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="default",
                            help="Files à traiter, séparées par des virgules ; « * » pour toutes.")
        parser.add_argument("--interval", default="1",
                            help="Secondes d'attente quand aucune tâche n'est prête.")
        parser.add_argument("--batch", action="store_true",
                            help="Traite les tâches en attente puis s'arrête (pour cron).")
        parser.add_argument("--max-tasks", default=None,
                            help="S'arrête après ce nombre de tâches (redémarrage par systemd).")

    def handle(self, *args, queue_name, interval, batch, max_tasks, verbosity=1, **options):
        argv = ["--queue-name", queue_name, "--interval", interval, "--no-reload"]
        if batch:
            argv.append("--batch")
        if max_tasks:
            argv += ["--max-tasks", max_tasks]
        call_command("db_worker", *argv, verbosity=verbosity)
