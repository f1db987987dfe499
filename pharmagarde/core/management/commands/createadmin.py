"""`pharmagarde createadmin`: the first account of an installation without open sign-up.

The account is an ordinary one with a verified address: its owner signs in, creates the
structure (becoming its responsable, so MFA is set up at first sign-in) and invites the
others. The password never appears on a command line (where `ps` would show it): it is
typed, read from a file, or taken from PHARMAGARDE_ADMIN_PASSWORD.
"""

import getpass
import os

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from pharmagarde.core import audit

PASSWORD_ENV = "PHARMAGARDE_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = "Crée un premier compte utilisateur, adresse e-mail vérifiée."

    def add_arguments(self, parser):
        parser.add_argument("--email", help="Adresse e-mail du compte (demandée sinon).")
        parser.add_argument("--password-file",
                            help=f"Fichier contenant le mot de passe (sinon {PASSWORD_ENV}, "
                                 "sinon saisie masquée).")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="Ne pose aucune question (échoue s'il manque une information).")

    def handle(self, *args, email=None, password_file=None, interactive=True, **options):
        email = self.clean_email(email or self.ask("Adresse e-mail : ", interactive))
        user = get_user_model()(username=email, email=email)
        password = self.obtain_password(user, password_file, interactive)
        with transaction.atomic():
            user.set_password(password)
            user.save()
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            audit.record("account.created_by_command", actor=user,
                         actor_label="pharmagarde createadmin", obj=user)
        self.stdout.write(
            f"Compte créé : {email}. Connectez-vous, puis créez votre structure : vous en "
            "serez le responsable et la double authentification vous sera demandée."
        )

    def ask(self, prompt, interactive):
        if not interactive:
            raise CommandError("Indiquez --email (mode sans question).")
        return input(prompt)

    def clean_email(self, email):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"Adresse e-mail invalide : « {email} ».") from None
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise CommandError(f"Un compte existe déjà pour {email}.")
        return email

    def obtain_password(self, user, password_file, interactive):
        """A password that passes AUTH_PASSWORD_VALIDATORS; typed ones are asked again."""
        given = self.given_password(password_file)
        if given is None and not interactive:
            raise CommandError(f"Indiquez --password-file ou la variable {PASSWORD_ENV}.")
        while True:
            password = given if given is not None else self.type_password()
            try:
                validate_password(password, user)
                return password
            except ValidationError as error:
                message = "Mot de passe refusé : " + " ".join(error.messages)
                if given is not None:
                    raise CommandError(message) from None
                self.stderr.write(message)

    def given_password(self, password_file):
        if password_file:
            try:
                with open(password_file, encoding="utf-8") as handle:
                    return handle.readline().rstrip("\r\n")
            except OSError as error:
                raise CommandError(f"Lecture de {password_file} impossible : {error}") from None
        return os.environ.get(PASSWORD_ENV) or None

    def type_password(self):
        while True:
            first = getpass.getpass("Mot de passe (12 caractères au moins, de quatre types) : ")
            if first == getpass.getpass("Mot de passe, à nouveau : "):
                return first
            self.stderr.write("Les deux saisies diffèrent, recommencez.")
