"""`pharmagarde restore`: check that a backup restores, or restore it (core/backup.py).

    pharmagarde restore --check FICHIER --key-file CLÉ      (scratch folder, then deleted)
    pharmagarde restore FICHIER --into DOSSIER --key-file CLÉ   (a new data directory)
"""

import argparse
import json
import os
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pharmagarde.core import backup_check as backup


class Command(BaseCommand):
    help = ("Vérifie qu'une sauvegarde se restaure (--check), ou la restaure dans un "
            "répertoire de données neuf (--into).")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", metavar="FICHIER",
                            help="la sauvegarde à restaurer avec --into")
        parser.add_argument("--check", metavar="FICHIER",
                            help="(ou un dossier : sa sauvegarde la plus récente) "
                                 "restaure dans un dossier temporaire, applique les "
                                 "migrations, vérifie le journal d'audit et les fichiers, "
                                 "dit le temps pris ; ne touche pas aux données en service")
        parser.add_argument("--into", metavar="DOSSIER",
                            help="répertoire de données neuf (vide) où restaurer FICHIER")
        parser.add_argument("--key-file", metavar="FICHIER",
                            default=os.environ.get("PHARMAGARDE_BACKUP_KEY_FILE"),
                            help="clé de la sauvegarde (défaut : PHARMAGARDE_BACKUP_KEY_FILE)")
        parser.add_argument("--scratch", metavar="DOSSIER",
                            help="où créer le dossier temporaire de --check (défaut : le "
                                 "dossier temporaire du système) ; il faut la place de la "
                                 "sauvegarde")
        # The check's own child process, on the restored data (core/backup.py).
        parser.add_argument("--verify-restored", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, file, check, into, key_file, scratch, verify_restored, **options):
        if verify_restored:
            self.stdout.write(backup.VERIFY_MARK + json.dumps(backup.verify_restored()))
            return
        if bool(check) == bool(file or into) or bool(file) != bool(into):
            raise CommandError("Donnez soit --check FICHIER, soit FICHIER --into DOSSIER.")
        try:
            if check:
                return self.check_backup(check, key_file, scratch)
            extracted = backup.restore_into(file, backup.read_key(key_file), into)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.next_steps(extracted, into))

    def check_backup(self, path, key_file, scratch):
        result = backup.run_check(path=path, key_file=key_file, scratch_parent=scratch)
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write(result.message)

    def next_steps(self, extracted, into):
        created = timezone.localtime(datetime.fromisoformat(extracted.manifest["created_at"]))
        lines = [f"Sauvegarde du {created:%d/%m/%Y à %H:%M} "
                 f"restaurée dans {into} ({extracted.media_files} fichier(s) de preuve, clé "
                 "secrète dans secret_key)."]
        if extracted.manifest["engine"] == "postgresql":
            lines.append(f"Base PostgreSQL : créez une base vide puis « pg_restore "
                         f"--no-owner --dbname=… {extracted.database} ».")
        lines.append(f"Ensuite : PHARMAGARDE_DATA_DIR={into} pharmagarde init (migrations), "
                     "pharmagarde audit verify, puis démarrez le service.")
        return "\n".join(lines)
