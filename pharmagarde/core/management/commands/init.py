"""`pharmagarde init`: everything a fresh installation needs before it can serve.

Safe to run at every start and after every upgrade: the key file is kept, migrations and
collectstatic only do what is missing.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from pharmagarde.cli import ensure_secret_key


class Command(BaseCommand):
    help = "Crée le répertoire de données, la clé secrète, la base et les fichiers statiques."

    def handle(self, *args, verbosity=1, **options):
        settings.DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        written = ensure_secret_key()
        if written:
            self.stdout.write(f"Clé secrète créée : {written}")
        # Verbosity 0 for the sub-commands: their detail drowns what `up` prints next.
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        call_command("collectstatic", interactive=False, verbosity=max(verbosity - 1, 0))
        if verbosity:
            self.stdout.write(f"Données prêtes dans {settings.DATA_DIR}")
