"""`pharmagarde demo`: load the demonstration data, or show a demo account's MFA code."""

import time

from allauth.mfa import app_settings as mfa_settings
from django.core.management.base import BaseCommand, CommandError

from pharmagarde.cli import invoked_as
from pharmagarde.core import demo


class Command(BaseCommand):
    help = "Charge les données de démonstration ; --code E-MAIL affiche un code à 6 chiffres."

    def add_arguments(self, parser):
        parser.add_argument(
            "--code", metavar="E-MAIL",
            help=f"Affiche le code de double authentification actuel d'un compte de "
                 f"démonstration (adresse en @{demo.DEMO_DOMAIN}).",
        )

    def handle(self, *args, code=None, **options):
        if code:
            return self.show_code(code)
        counts = demo.load()
        if any(counts.values()):
            created = ", ".join(f"{number} {what}" for what, number in counts.items())
            self.stdout.write(f"Données de démonstration chargées : {created}.")
        else:
            self.stdout.write("Données de démonstration déjà présentes : rien à ajouter.")
        self.stdout.write(demo.banner(invoked_as()), ending="")

    def show_code(self, email):
        try:
            value = demo.current_code(email)
        except demo.NotADemoAccount:
            # A real account's code must only ever come from its owner's device.
            raise CommandError(
                f"{email} n'est pas un compte de démonstration : seuls les comptes en "
                f"@{demo.DEMO_DOMAIN} ont un code affichable ici."
            ) from None
        except demo.NoAuthenticator:
            raise CommandError(
                f"{email} n'a pas de double authentification : elle n'est exigée que des "
                "responsables et des référents cybersécurité. Connectez-vous sans code."
            ) from None
        self.stdout.write(value)
        remaining = mfa_settings.TOTP_PERIOD - int(time.time()) % mfa_settings.TOTP_PERIOD
        self.stderr.write(f"Valable encore {remaining} s ; chaque code ne sert qu'une fois.")

