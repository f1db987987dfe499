"""The `pharmagarde` console command: Django's management commands, ready to use.

`pharmagarde serve`, `pharmagarde demo`, `pharmagarde migrate`… are the management
commands of the same name, with the production settings selected by default. Two things
happen before Django starts, because the settings refuse to load without a secret key:
`init` and `up` create the key file first, and any other command that finds no key stops
with a clear message instead of a traceback.
"""

import os
import shutil
import sys
from pathlib import Path

PROG = "pharmagarde"

# (command, one-line description), in the order a newcomer needs them.
COMMANDS = [
    ("up", "Prépare, charge la démonstration si la base est vide et démarre (make run)."),
    ("init", "Crée le répertoire de données, la clé secrète, la base et les fichiers statiques."),
    ("serve", "Démarre le serveur web de production (gunicorn) ; --with-worker ajoute le worker."),
    ("worker", "Exécute les tâches de fond (courriels, rappels, rapports) en continu."),
    ("demo", "Charge les données de démonstration ; --code E-MAIL affiche un code à 6 chiffres."),
    ("createadmin", "Crée un premier compte utilisateur, adresse e-mail vérifiée."),
    ("audit verify", "Vérifie que le journal d'audit chaîné n'a pas été modifié."),
    ("import ad|nmap", "Importe un export Active Directory ou un scan nmap (--org, --dry-run)."),
    ("backup", "Sauvegarde chiffrée de la base, des pièces et de la clé (--to, --key-file)."),
    ("restore", "Vérifie une sauvegarde (--check) ou la restaure ailleurs (--into)."),
    ("migrate", "Met à jour le schéma de la base après une mise à jour du logiciel."),
    ("check --deploy", "Vérifie la configuration de sécurité avant une mise en production."),
]


def data_dir():
    """The data directory, computed as in settings.py (which cannot be imported yet)."""
    default = Path(__file__).resolve().parent.parent / "data"
    return Path(os.environ.get("PHARMAGARDE_DATA_DIR", default)).resolve()


def secret_key_path():
    return Path(os.environ.get("SECRET_KEY_FILE", data_dir() / "secret_key"))


def ensure_secret_key():
    """Create the key file once (mode 0600) unless a key is already configured.

    Returns the path written, or None when nothing had to be done. The file is never
    rewritten: a new key would sign everyone out and invalidate reset links.
    """
    if os.environ.get("SECRET_KEY"):
        return None
    path = secret_key_path()
    if path.is_file() and path.read_text().strip():
        return None
    # The data directory holds the database and the key: readable by its owner only.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    import secrets

    key = secrets.token_urlsafe(64)
    path.unlink(missing_ok=True)  # an empty file left by a crash
    # O_EXCL: two processes starting together cannot both write (and disagree on) a key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return path


def invoked_as():
    """How to call us again, as the user did: `.venv/bin/pharmagarde` after `make run`."""
    script = sys.argv[0] if sys.argv else ""
    if os.path.basename(script) != PROG or shutil.which(PROG) == script:
        return PROG
    relative = os.path.relpath(script)
    return script if relative.startswith("..") else relative


def other_project_commands():
    """Commands of the project's apps that the table above does not describe yet."""
    from django.core.management import find_commands

    described = {name.split()[0] for name, _ in COMMANDS}
    package = Path(__file__).resolve().parent
    found = set()
    for commands_dir in package.glob("*/management"):
        found.update(find_commands(str(commands_dir)))
    return sorted(found - described)


def print_help(stream=sys.stdout):
    width = max(len(name) for name, _ in COMMANDS) + 2
    lines = ["Pharmagarde — cybersécurité des structures pharmaceutiques.", "",
             f"Usage : {PROG} <commande> [options]", "", "Commandes :"]
    lines += [f"  {name.ljust(width)}{text}" for name, text in COMMANDS]
    others = other_project_commands()
    if others:
        lines += ["", "Autres commandes du projet : " + ", ".join(others)]
    lines += [
        "",
        f"Aide d'une commande : {PROG} help <commande>. "
        f"Toutes les commandes Django : {PROG} help --commands.",
        "La configuration se fait par variables d'environnement (voir docs/configuration.md).",
    ]
    stream.write("\n".join(lines) + "\n")


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pharmagarde.settings")
    command = argv[0] if argv else "help"
    if command in {"help", "-h", "--help"} and len(argv) <= 1:
        print_help()
        return 0
    if command in {"init", "up"} and (written := ensure_secret_key()):
        print(f"Clé secrète créée : {written} (gardez-la avec les sauvegardes).")

    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        sys.stderr.write(f"{PROG} : configuration incomplète. {error}\n")
        return 2
    from django.core.management import execute_from_command_line

    execute_from_command_line([PROG, *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
