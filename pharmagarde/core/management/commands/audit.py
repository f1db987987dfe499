"""`pharmagarde audit verify`: check the whole hash chain of the audit log."""

from django.core.management.base import BaseCommand, CommandError

from pharmagarde.core import audit


class Command(BaseCommand):
    help = "Vérifie l'intégrité du journal d'audit (chaînage des empreintes)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="Vérifie que aucune entrée n'a été modifiée, "
                                      "supprimée ou déplacée.")

    def handle(self, *args, subcommand, **options):
        result = audit.verify()
        if not result.ok:
            for problem in result.problems[:50]:
                self.stderr.write(problem)
            raise CommandError(
                f"Journal d'audit altéré : {len(result.problems)} anomalie(s) sur "
                f"{result.checked} entrée(s)."
            )
        # Writing the last hash somewhere else (a ticket, a printed report) lets a later
        # check also prove that no entry was cut from the end of the chain.
        self.stdout.write(
            f"Journal d'audit intact : {result.checked} entrée(s) vérifiée(s).\n"
            f"Dernière empreinte : {result.last_hash}"
        )
