"""`pharmagarde up` (what `make run` runs): prepare, load the demo if empty, serve.

The address and the demo logins are printed once the server answers, so the last lines
on screen are the ones to read.
"""

import io
import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from pharmagarde.cli import invoked_as
from pharmagarde.core import demo
from pharmagarde.core.models import Organisation

from .serve import default_workers, gunicorn_argv, is_listening, supervise, worker_argv


def load_demo_if_empty():
    """Only a database without any structure gets the demo: never mix it with real data."""
    if Organisation.objects.exists():
        return False
    call_command("demo", verbosity=0, stdout=io.StringIO())
    return True


class Command(BaseCommand):
    help = "Prépare, charge la démonstration si la base est vide et démarre (make run)."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true",
                            help="Ne charge pas les données de démonstration.")

    def handle(self, *args, no_demo=False, verbosity=1, **options):
        host = os.environ.get("HOST", "127.0.0.1")
        port = os.environ.get("PORT", "8000")
        call_command("init", verbosity=verbosity)
        if not no_demo and load_demo_if_empty():
            self.stdout.write("Base vide : données de démonstration chargées.")
        web = gunicorn_argv(host=host, port=port, workers=default_workers())
        self.stdout.flush()
        status = supervise([web, worker_argv()], ready_check=lambda: is_listening(host, port),
                           on_ready=lambda: self.announce(host, port))
        if status:
            sys.exit(status)

    def announce(self, host, port):
        shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)  # noqa: S104
        if ":" in shown and not shown.startswith("["):
            shown = f"[{shown}]"
        scheme = "https" if settings.HTTPS else "http"
        lines = ["", demo.banner(invoked_as()).rstrip("\n"), "",
                 f" Pharmagarde est prêt : {scheme}://{shown}:{port}/",
                 " Arrêt : Ctrl+C (les données sont gardées dans "
                 f"{settings.DATA_DIR}).", ""]
        if settings.HTTPS:
            lines.insert(-1, " HTTPS=true : sans proxy TLS devant, le navigateur sera redirigé "
                             "vers https:// ; en local, lancez avec HTTPS=false.")
        self.stdout.write("\n".join(lines))
        self.stdout.flush()
