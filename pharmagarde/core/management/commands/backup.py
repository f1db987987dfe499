"""`pharmagarde backup`: an encrypted backup of the instance (core/backup.py).

    pharmagarde backup --new-key /root/cle-sauvegarde-pharmagarde     (once)
    pharmagarde backup --to /mnt/sauvegardes --key-file /root/cle-…   (every night)
"""

import os

from django.core.management.base import BaseCommand, CommandError

from pharmagarde.core import backup


class Command(BaseCommand):
    help = ("Écrit une sauvegarde chiffrée de l'instance (base, fichiers envoyés, clé "
            "secrète) dans un dossier ou sur un disque externe.")

    def add_arguments(self, parser):
        parser.add_argument("--to", metavar="DOSSIER",
                            default=os.environ.get("PHARMAGARDE_BACKUP_DIR"),
                            help="dossier de destination (défaut : PHARMAGARDE_BACKUP_DIR)")
        parser.add_argument("--key-file", metavar="FICHIER",
                            default=os.environ.get("PHARMAGARDE_BACKUP_KEY_FILE"),
                            help="clé de chiffrement, gardée à part des sauvegardes (défaut : "
                                 "PHARMAGARDE_BACKUP_KEY_FILE)")
        parser.add_argument("--keep", type=int, metavar="N",
                            help="ne garde que les N sauvegardes les plus récentes du dossier")
        parser.add_argument("--new-key", metavar="FICHIER",
                            help="crée une nouvelle clé dans FICHIER (mode 0600) et s'arrête")

    def handle(self, *args, to, key_file, keep, new_key, **options):
        try:
            if new_key:
                return self.create_key(new_key)
            if keep is not None and keep < 1:
                raise backup.BackupError("--keep doit valoir au moins 1.")
            result = backup.run_backup(destination=to, key_file=key_file, keep=keep)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        for warning in result.warnings:
            self.stderr.write(warning)
        self.stdout.write(f"Sauvegarde écrite : {result.path}\n{result.summary()}")

    def create_key(self, path):
        print_fingerprint = backup.new_key_file(path)
        self.stdout.write(
            f"Clé de sauvegarde créée : {path} (empreinte {print_fingerprint}).\n"
            "Gardez-en une copie hors de la machine et loin des sauvegardes (coffre, clé USB "
            "rangée à part, gestionnaire de mots de passe) : sans elle, aucune sauvegarde ne "
            "se relit.")
