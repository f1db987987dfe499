"""`pharmagarde audit verify`: check the whole hash chain of the audit log.

The chain shows any entry edited, removed or moved, except entries cut from its very end.
For those, record the position and hash that `verify` prints (a ticket, a printed report,
an e-mail to the auditor) and give them back later with `--anchor N:HASH`: the check then
also fails if the log no longer reaches entry N with that hash.
"""

from django.core.management.base import BaseCommand, CommandError

from pharmagarde.core import audit


def parse_anchor(value):
    position, _, entry_hash = value.partition(":")
    if not position.isdigit() or len(entry_hash) != 64:
        raise CommandError("Ancre attendue sous la forme N:EMPREINTE (N entrées, empreinte "
                           "de 64 caractères), telle qu'affichée par « audit verify ».")
    return int(position), entry_hash


class Command(BaseCommand):
    help = "Vérifie l'intégrité du journal d'audit (chaînage des empreintes)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="Vérifie que aucune entrée n'a été modifiée, "
                                               "supprimée ou déplacée.")
        verify.add_argument("--anchor", action="append", default=[], metavar="N:EMPREINTE",
                            help="position et empreinte notées lors d'une vérification "
                                 "précédente (répétable)")

    def handle(self, *args, subcommand, anchor, **options):
        anchors = [parse_anchor(value) for value in anchor]
        result = audit.verify(anchors=anchors)
        if not result.ok:
            for problem in result.problems[:50]:
                self.stderr.write(problem)
            raise CommandError(
                f"Journal d'audit altéré : {len(result.problems)} anomalie(s) sur "
                f"{result.checked} entrée(s)."
            )
        self.stdout.write(
            f"Journal d'audit intact : {result.checked} entrée(s) vérifiée(s).\n"
            f"Ancre à noter ailleurs : {result.checked}:{result.last_hash}"
        )
