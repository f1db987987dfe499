"""`pharmagarde import ad|nmap|csv --org SLUG FILE [--target T] [--dry-run] [--as EMAIL]`:
the importers of the inventory's pages, for the IT provider who scripts them. Same checks,
same preview (as text), same all-or-nothing write, same history and audit log. A table
(`csv`, also .xlsx) uses the columns the organisation mapped last time in the pages, or the
column titles of the template."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pharmagarde.core.models import Membership, Organisation
from pharmagarde.inventory import importers, tables
from pharmagarde.inventory.models import ImportBatch
from pharmagarde.inventory.parsers.errors import ImportFileError


class Command(BaseCommand):
    help = "Importe un export Active Directory ou un scan nmap dans l'inventaire d'une structure."

    def add_arguments(self, parser):
        parser.add_argument("source", choices=["ad", "nmap", "csv"],
                            help="ad : export Get-ADUser ou Users.csv d'ADRecon ; "
                                 "nmap : fichier XML (nmap -oX) ; csv : tableau CSV ou Excel.")
        parser.add_argument("--target", choices=sorted(tables.TARGETS),
                            help="Pour un tableau : personnel, comptes ou appareils.")
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="Identifiant (slug) de la structure.")
        parser.add_argument("--as", dest="acting", default="",
                            help="Adresse e-mail du membre au nom de qui l'import est fait "
                                 "(par défaut : le premier responsable).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Affiche ce que l'import ferait, sans rien enregistrer.")

    def handle(self, *args, source, file, org, acting, dry_run, target=None, **options):
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"Aucune structure « {org} ».")
        memberships = Membership.objects.filter(organisation=organisation).select_related("user")
        member = (memberships.filter(user__email__iexact=acting) if acting
                  else memberships.filter(role="responsable").order_by("pk")).first()
        if member is None or not member.can_write:
            raise CommandError("Indiquez avec --as un membre de la structure qui peut écrire.")
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        if source == "csv" and not target:
            raise CommandError("Indiquez avec --target ce que contient le tableau.")
        with transaction.atomic():
            with file.open("rb") as handle:
                if source == "csv":
                    prepared = self.prepare_table(member.user, organisation, target, handle,
                                                  file.name)
                else:
                    prepare = importers.prepare_ad if source == "ad" else importers.prepare_nmap
                    prepared = prepare(acting_user=member.user, organisation=organisation,
                                       file=handle, filename=file.name)
            for warning in prepared.warnings:
                self.stderr.write(f"Attention : {warning}")
            if prepared.batch is None:
                for line, message in prepared.errors:
                    self.stderr.write(f"Ligne {line} : {message}" if line else message)
                raise CommandError("Rien n'a été importé : corrigez le fichier.")
            summary = prepared.batch.summary
            self.stdout.write(f"{summary['new']} élément(s) à ajouter, {summary['updated']} à "
                              "mettre à jour.")
            if dry_run:
                transaction.set_rollback(True)
                self.stdout.write("Essai à blanc : rien n'a été enregistré.")
                return
            result = importers.batch_apply(acting_user=member.user,
                                           batch=ImportBatch.objects.get(pk=prepared.batch.pk))
        self.stdout.write(f"Import terminé : {result['created']} ajouté(s), "
                          f"{result['changed']} mis à jour.")

    def prepare_table(self, user, organisation, target, handle, filename):
        try:
            batch = tables.read_upload(acting_user=user, organisation=organisation,
                                       target=target, file=handle, filename=filename)
        except ImportFileError as error:
            return importers.Prepared(errors=[(error.line, error.message)])
        mapping = tables.guess_mapping(organisation, target, batch.summary["columns"])
        errors = tables.check_rows(batch, mapping)
        if errors:
            return importers.Prepared(errors=errors)
        batch.refresh_from_db()
        return importers.Prepared(batch=batch)
