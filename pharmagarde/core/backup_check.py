"""Reading a backup back: `restore --check` and `restore --into` (core/backup.py writes).

The check decrypts the backup into a scratch folder, restores the database there (SQLite:
the file itself; PostgreSQL: pg_restore into a scratch database on the same server,
created then dropped), and starts a fresh process of Pharmagarde on the restored data,
with the restored secret key: it applies the migrations, checks SQLite's integrity, walks
the whole audit chain, looks for each evidence file named by a row (and its size), and
reads back a session or a pending mail with the key. The live data is never touched; the
only write to the live database is the row saying how the check went (InstanceBackup).
"""

import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils import timezone

from .backup import (
    LIBPQ_OPTIONS,
    PG_MEMBER,
    PREFIX,
    SQLITE_MEMBER,
    SUFFIX,
    _database,
    _run_pg_tool,
    engine_name,
    pg_conninfo,
    plural,
    record_run,
    seconds,
)
from .backup_format import CHUNK_SIZE, BackupError, DecryptingReader, inside, read_key

VERIFY_MARK = "PHARMAGARDE-VERIFICATION "
TRUNCATED_CONTENT = ("Sauvegarde incomplète : il lui manque une partie de son contenu. Elle "
                     "ne peut pas être restaurée ; prenez-en une autre.")

# ------------------------------------------------------------------------- reading


def _member_target(name: str, into: Path):
    """Where a member goes in a data directory, or None for the manifest."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        raise BackupError(f"Sauvegarde refusée : chemin suspect « {name} ».")
    if name == "manifest.json":
        return None
    if name in {"secret_key", SQLITE_MEMBER, PG_MEMBER}:
        return into / path.name
    if path.parts[0] == "media" and len(path.parts) > 1:
        return into.joinpath(*path.parts)
    raise BackupError(f"Sauvegarde refusée : élément inattendu « {name} ».")


@dataclass
class Extracted:
    manifest: dict
    secret_key: str
    database: Path
    media_files: int


def extract(path, key: bytes, into: Path) -> Extracted:
    """Decrypt the backup at `path` into the data directory `into` (made if missing)."""
    into.mkdir(mode=0o700, parents=True, exist_ok=True)
    manifest, media_files = None, 0
    try:
        source = open(path, "rb")  # noqa: SIM115 - closed below, after the drain
    except OSError as error:
        raise BackupError(f"Sauvegarde illisible : {path} ({error.strerror}).") from None
    with source:
        reader = DecryptingReader(source, key)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                for member in tar:
                    if member.isdir():
                        continue
                    if not member.isfile():
                        raise BackupError(f"Sauvegarde refusée : « {member.name} » n'est pas "
                                          "un fichier.")
                    target = _member_target(member.name, into)
                    handle = tar.extractfile(member)
                    if target is None:
                        manifest = json.loads(handle.read(1 << 20))
                        continue
                    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "wb") as out:
                        shutil.copyfileobj(handle, out, CHUNK_SIZE)
                    media_files += member.name.startswith("media/")
        except tarfile.TarError as error:
            raise BackupError(f"Sauvegarde illisible : {error}.") from None
        except OSError as error:
            raise BackupError(f"Écriture impossible dans {into} : {error.strerror} (place "
                              "disque ? choisissez un autre dossier avec --scratch).") from None
        reader.drain()
    if manifest is None or not (into / "secret_key").is_file():
        raise BackupError(TRUNCATED_CONTENT)
    database = into / PurePosixPath(
        SQLITE_MEMBER if manifest["engine"] == "sqlite" else PG_MEMBER).name
    if not database.is_file() or media_files != manifest["media_files"]:
        raise BackupError(TRUNCATED_CONTENT)
    return Extracted(manifest=manifest, secret_key=(into / "secret_key").read_text(),
                     database=database, media_files=media_files)


def restore_into(path, key: bytes, into) -> Extracted:
    """Decrypt a backup into a new, empty data directory, for a real restore."""
    into = Path(into)
    if into.exists() and any(into.iterdir()):
        raise BackupError(f"{into} n'est pas vide : la restauration va dans un répertoire "
                          "neuf, jamais par-dessus des données.")
    if inside(into, Path(settings.DATA_DIR)) or inside(Path(settings.DATA_DIR), into):
        raise BackupError("La restauration ne va jamais dans le répertoire de données de "
                          "l'instance en marche : choisissez un autre dossier.")
    return extract(path, key, into)


# ------------------------------------------------------------------------ checking


@dataclass
class CheckResult:
    ok: bool
    duration: float
    message: str
    steps: dict = field(default_factory=dict)
    report: dict = field(default_factory=dict)


def _scratch_database_url(settings_dict, name):
    auth = quote(str(settings_dict.get("USER") or ""), safe="")
    if settings_dict.get("PASSWORD"):
        auth += ":" + quote(str(settings_dict["PASSWORD"]), safe="")
    host = settings_dict.get("HOST") or ""
    if ":" in host and not host.startswith("/"):
        host = f"[{host}]"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    query = {k: v for k, v in (settings_dict.get("OPTIONS") or {}).items()
             if k in LIBPQ_OPTIONS}
    if host.startswith("/"):  # a Unix socket folder
        query["host"], host = host, ""
    netloc = f"{auth}@{host}{port}" if auth else f"{host}{port}"
    return f"postgres://{netloc}/{quote(name)}" + (f"?{urlencode(query)}" if query else "")


class ScratchPostgres:
    """A database of its own on the live server, for the check only, dropped after."""

    def __init__(self, settings_dict):
        self.settings_dict = settings_dict
        self.name = f"{settings_dict['NAME'][:40]}_verif_{secrets.token_hex(4)}"

    def _admin(self):
        import psycopg

        conninfo, _env = pg_conninfo(self.settings_dict)
        return psycopg.connect(conninfo, password=self.settings_dict.get("PASSWORD") or None,
                               autocommit=True)

    def __enter__(self):
        from psycopg import Error, sql

        try:
            with self._admin() as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        except Error as error:
            raise BackupError(
                "Impossible de créer la base de vérification sur le serveur PostgreSQL "
                f"({str(error).strip()}). Donnez au compte le droit CREATEDB (ALTER ROLE … "
                "CREATEDB) ou lancez la vérification sur une autre machine.") from None
        return self

    def restore(self, dump: Path):
        conninfo, env = pg_conninfo(self.settings_dict, dbname=self.name)
        _run_pg_tool("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error",
                                    "--single-transaction", f"--dbname={conninfo}",
                                    str(dump)], env)

    @property
    def url(self):
        return _scratch_database_url(self.settings_dict, self.name)

    def __exit__(self, *exc):
        from psycopg import sql

        with self._admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(self.name)))


def _project_root():
    """The folder holding the `pharmagarde` package: the child imports it from there."""
    return Path(__file__).resolve().parents[2]


def _verify_in_child(data_dir: Path, database_url, secret_key):
    """Run a fresh Pharmagarde on the restored data; its report (a dict)."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"SECRET_KEY_FILE", "PHARMAGARDE_BACKUP_KEY_FILE"}}
    env.update(DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE",
                                                     "pharmagarde.settings"),
               PHARMAGARDE_DATA_DIR=str(data_dir), DATABASE_URL=database_url,
               SECRET_KEY=secret_key.strip(), CACHE_URL="locmem://", EMAIL_URL="",
               LOG_LEVEL="WARNING")
    result = subprocess.run(
        [sys.executable, "-m", "pharmagarde.cli", "restore", "--verify-restored"],
        cwd=_project_root(), env=env, capture_output=True, text=True, check=False)
    for line in reversed(result.stdout.splitlines()):
        if line.startswith(VERIFY_MARK):
            return json.loads(line.removeprefix(VERIFY_MARK))
    tail = (result.stderr.strip() or result.stdout.strip())[-800:]
    raise BackupError(f"La base restaurée ne démarre pas (migrations ou contrôles) : {tail}")


def _problems(report):
    """The report's failures, in French; empty when the restore is sound."""
    problems = []
    if report.get("integrity", "ok") != "ok":
        problems.append(f"base abîmée (PRAGMA integrity_check : {report['integrity']})")
    if report.get("foreign_key_errors"):
        problems.append(f"{report['foreign_key_errors']} lien(s) entre lignes rompu(s)")
    if report["unknown_migrations"]:
        problems.append("sauvegarde d'une version plus récente de Pharmagarde (migrations "
                        "inconnues : " + ", ".join(report["unknown_migrations"][:5]) + ")")
    if report["audit_problems"]:
        problems.append(f"journal d'audit altéré ({report['audit_problem_count']} "
                        f"anomalie(s), dont : {report['audit_problems'][0]})")
    if report["files_missing"]:
        problems.append(f"{report['files_missing']} fichier(s) de preuve absent(s) ou "
                        "tronqué(s) sur " + str(report["file_rows"]) + " ("
                        + ", ".join(report["files_missing_sample"]) + ")")
    if report["key_check"] == "wrong":
        problems.append("la clé secrète de la sauvegarde ne relit pas ses données")
    return problems


def _success_message(manifest, report, steps, total):
    created = timezone.localtime(datetime.fromisoformat(manifest["created_at"]))
    engine = "SQLite" if manifest["engine"] == "sqlite" else "PostgreSQL"
    migrations = report["migrations_applied"]
    files = report["file_rows"]
    parts = [
        f"sauvegarde du {created:%d/%m/%Y à %H:%M}",
        "base SQLite intègre" if engine == "SQLite" else "base PostgreSQL restaurée",
        f"{plural(migrations, 'migration')} appliquée{'s' if migrations > 1 else ''}"
        if migrations else "schéma déjà à jour",
        f"journal d'audit intact ({plural(report['audit_entries'], 'entrée')})",
        f"{plural(files, 'fichier')} de preuve, {'tous présents' if files > 1 else 'présent'}"
        if files
        else "aucun fichier de preuve",
        *([f"{plural(extra, 'autre fichier')} sans ligne dans la base"]
          if (extra := report["files_on_disk"] - files + report["files_missing"]) > 0 else []),
        {"ok": "clé secrète vérifiée",
         "nothing": "clé secrète présente (rien de chiffré à relire)"}[report["key_check"]],
    ]
    timing = [("déchiffrement", steps["decrypt"]), ("pg_restore", steps.get("database")),
              ("migrations et contrôles", steps["verify"])]
    timing = ", ".join(f"{label} {seconds(value)}" for label, value in timing
                       if value is not None)
    return f"Restauration vérifiée en {seconds(total)} ({timing}) : " + ", ".join(parts) + "."


def check_backup(path, key: bytes, *, scratch_parent=None) -> CheckResult:
    """Restore the backup at `path` into a scratch folder and check it; nothing is kept."""
    started = time.monotonic()
    try:
        scratch = Path(tempfile.mkdtemp(prefix="pharmagarde-verification-",
                                        dir=scratch_parent))
    except OSError as error:
        folder = scratch_parent or tempfile.gettempdir()
        raise BackupError(f"Dossier temporaire impossible à créer dans {folder} : "
                          f"{error.strerror}.") from None
    try:
        data_dir = scratch / "data"
        extracted = extract(path, key, data_dir)
        steps = {"decrypt": time.monotonic() - started}
        if extracted.manifest["engine"] == "sqlite":
            mark = time.monotonic()
            report = _verify_in_child(data_dir, f"sqlite:///{extracted.database}",
                                      extracted.secret_key)
        else:
            live = _database()
            if engine_name(live) != "postgresql":
                raise BackupError("Cette sauvegarde vient de PostgreSQL : lancez la "
                                  "vérification avec DATABASE_URL vers un serveur PostgreSQL.")
            with ScratchPostgres(live) as scratch_db:
                mark = time.monotonic()
                scratch_db.restore(extracted.database)
                steps["database"] = time.monotonic() - mark
                mark = time.monotonic()
                report = _verify_in_child(data_dir, scratch_db.url, extracted.secret_key)
        steps["verify"] = time.monotonic() - mark
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    total = time.monotonic() - started
    if problems := _problems(report):
        return CheckResult(ok=False, duration=total, steps=steps, report=report,
                           message="Restauration refusée : " + " ; ".join(problems) + ".")
    return CheckResult(ok=True, duration=total, steps=steps, report=report,
                       message=_success_message(extracted.manifest, report, steps, total))


def newest_backup(folder: Path) -> Path:
    backups = sorted(folder.glob(f"{PREFIX}*{SUFFIX}"))
    if not backups:
        raise BackupError(f"Aucune sauvegarde dans {folder}.")
    return backups[-1]


def run_check(*, path, key_file, scratch_parent=None, now=None) -> CheckResult:
    """The command: check the backup at `path` (a folder: its newest), record the result
    (InstanceBackup)."""
    from .models import InstanceBackup

    now = now or timezone.now()
    started = time.monotonic()
    path = Path(path)
    if path.is_dir():
        try:
            path = newest_backup(path)
        except BackupError as error:
            record_run(kind=InstanceBackup.Kind.CHECK, started_at=now, ok=False,
                       file_name=str(path)[:500], detail=str(error))
            return CheckResult(ok=False, duration=0.0, message=str(error))
    size = path.stat().st_size if path.is_file() else None
    try:
        if size is None:
            raise BackupError(f"Sauvegarde introuvable : {path}.")
        result = check_backup(path, read_key(key_file), scratch_parent=scratch_parent)
    except BackupError as error:
        result = CheckResult(ok=False, duration=time.monotonic() - started,
                             message=str(error))
    record_run(kind=InstanceBackup.Kind.CHECK, started_at=now, ok=result.ok, size=size,
               duration=timedelta(seconds=result.duration), file_name=str(path)[:500],
               detail=result.message)
    return result


def verify_restored() -> dict:
    """In the child process, on the restored data: migrate, then check; the report."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from . import audit

    report = {}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            report["integrity"] = "; ".join(row[0] for row in cursor.fetchall()[:5])
            cursor.execute("PRAGMA foreign_key_check")
            report["foreign_key_errors"] = len(cursor.fetchall())
    executor = MigrationExecutor(connection)
    known = set(executor.loader.graph.nodes)
    report["unknown_migrations"] = sorted(
        f"{app}.{name}" for app, name in executor.loader.applied_migrations
        if (app, name) not in known)
    if report["unknown_migrations"]:
        report.update(migrations_applied=0, audit_entries=0, audit_problems=[],
                      audit_problem_count=0, file_rows=0, files_missing=0,
                      files_missing_sample=[], key_check="nothing")
        return report
    report["migrations_applied"] = len(
        executor.migration_plan(executor.loader.graph.leaf_nodes()))
    call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
    chain = audit.verify()
    report.update(audit_entries=chain.checked, audit_problems=chain.problems[:5],
                  audit_problem_count=len(chain.problems))
    report.update(_check_files())
    report["key_check"] = _check_secret_key()
    return report


def _check_files():
    """Each row's file is there, with its recorded size when the row has one."""
    from django.apps import apps
    from django.db import models

    rows = missing = 0
    sample = []
    for model in apps.get_models():
        has_size = any(f.name == "size" for f in model._meta.fields)
        for file_field in model._meta.fields:
            if not isinstance(file_field, models.FileField):
                continue
            columns = [file_field.name, *(["size"] if has_size else [])]
            queryset = (model._base_manager.exclude(**{file_field.name: ""})
                        .exclude(**{f"{file_field.name}__isnull": True})
                        .values_list(*columns).order_by("pk"))
            for name, *size in queryset.iterator(chunk_size=2000):
                rows += 1
                try:
                    on_disk = os.stat(file_field.storage.path(name)).st_size
                except (OSError, ValueError):
                    on_disk = None
                if on_disk is None or (size and size[0] is not None and on_disk != size[0]):
                    missing += 1
                    if len(sample) < 5:
                        sample.append(name)
    on_disk = sum(len(files) for _folder, _dirs, files in os.walk(settings.MEDIA_ROOT))
    return {"file_rows": rows, "files_missing": missing, "files_missing_sample": sample,
            "files_on_disk": on_disk}


def _check_secret_key():
    """'ok' if the key reads back a session or a pending mail, 'wrong' if it does not."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core import signing

    from . import crypto, mail
    from .models import OutgoingEmail

    checked = False
    session = Session.objects.filter(expire_date__gt=timezone.now()).first()
    if session is not None:
        store = SessionStore()
        try:
            signing.loads(session.session_data, salt=store.key_salt,
                          serializer=store.serializer)
        except signing.BadSignature:
            return "wrong"
        checked = True
    email = OutgoingEmail.objects.exclude(content="").first()
    if email is not None:
        try:
            crypto.decrypt(email.content, purpose=mail.PURPOSE)
        except crypto.InvalidToken:
            return "wrong"
        checked = True
    return "ok" if checked else "nothing"
