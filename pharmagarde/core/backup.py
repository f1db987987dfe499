"""Backups of the instance itself (`pharmagarde backup`), and what the admin's page shows.

The commands (core/management/commands/backup.py, restore.py) only parse and print. A
backup is one encrypted file (the format: core/backup_format.py) holding a tar stream:

    database/pharmagarde.sqlite3   SQLite's online backup API: a consistent copy taken
      or database/pharmagarde.dump while the server keeps writing (WAL); `pg_dump
                                   --format=custom` for PostgreSQL
    media/...                      the uploaded evidence, as stored
    secret_key                     SECRET_KEY: without it, pending mail and sessions
                                   would not read back
    manifest.json                  what the backup holds, for the check

Memory stays bounded whatever the size of the evidence: files are streamed through in
chunks; only the database snapshot passes through a temporary file, in a private folder
of the data directory, because a tar member must state its size first. The file is
written under a hidden name, synced, then renamed: a backup cut short never looks whole.
Reading it back and checking it: core/backup_check.py.
"""

import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from .backup_format import (
    FORMAT_VERSION,
    BackupError,
    EncryptingWriter,
    inside,
    key_warnings,
    new_key_file,
    read_key,
)

__all__ = ["BackupError", "new_key_file", "run_backup", "status", "write_backup"]

SUFFIX = ".sauvegarde"
PREFIX = "pharmagarde-"
SQLITE_MEMBER = "database/pharmagarde.sqlite3"
PG_MEMBER = "database/pharmagarde.dump"
# How long a SQLite backup waits for a lock (never in WAL mode, but never forever).
LOCK_WAIT_SECONDS = 120
# libpq parameters that may come from DATABASE_URL's query string (Django OPTIONS).
LIBPQ_OPTIONS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "sslpassword",
                 "channel_binding", "gssencmode", "target_session_attrs", "connect_timeout",
                 "application_name", "options", "service", "passfile"}


# ---------------------------------------------------------------- database snapshots


def _database():
    return connections["default"].settings_dict


def engine_name(settings_dict):
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"Base de données non prise en charge par la sauvegarde : {engine}.")


def sqlite_snapshot(name, target: Path, *, lock_wait=LOCK_WAIT_SECONDS):
    """A consistent copy of the SQLite database `name`, taken while others write.

    One step of the online backup API copies every page inside one read transaction: in
    WAL mode writers go on meanwhile, and the copy is the database as it was at its start.
    """
    deadline = time.monotonic() + lock_wait

    def progress(_status, _remaining, _total):
        if time.monotonic() > deadline:
            raise BackupError(f"La base est restée verrouillée plus de {lock_wait} s : "
                              "sauvegarde abandonnée, réessayez.")

    name = str(name)
    source = sqlite3.connect(name, uri=name.startswith("file:"), timeout=20)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy, pages=-1, progress=progress, sleep=0.1)
            # A file that stands alone: no -wal beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    except sqlite3.Error as error:
        raise BackupError(f"Copie de la base SQLite impossible : {error}.") from None
    finally:
        source.close()


def pg_conninfo(settings_dict, dbname=None):
    """(libpq connection string without the password, environment with it)."""
    params = {"dbname": dbname or settings_dict["NAME"], "host": settings_dict.get("HOST"),
              "port": settings_dict.get("PORT"), "user": settings_dict.get("USER")}
    params.update({k: v for k, v in (settings_dict.get("OPTIONS") or {}).items()
                   if k in LIBPQ_OPTIONS})

    def quoted(value):
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"

    conninfo = " ".join(f"{k}={quoted(v)}" for k, v in params.items() if v not in (None, ""))
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return conninfo, env


def _run_pg_tool(tool, args, env):
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} est introuvable : installez le paquet postgresql-client de "
                          "la même version que le serveur (ou plus récente).")
    # Our own arguments; the password goes through the environment, never the command line.
    result = subprocess.run([executable, "--no-password", *args], env=env,  # noqa: S603
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{tool} a échoué : {result.stderr.strip()[-600:]}")


def pg_snapshot(settings_dict, target: Path):
    conninfo, env = pg_conninfo(settings_dict)
    _run_pg_tool("pg_dump", ["--format=custom", f"--file={target}", f"--dbname={conninfo}"],
                 env)


# -------------------------------------------------------------------------- backup


@dataclass
class BackupResult:
    path: Path
    size: int
    duration: float
    engine: str
    database_bytes: int
    media_files: int
    media_bytes: int
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def summary(self):
        engine = "SQLite" if self.engine == "sqlite" else "PostgreSQL"
        text = (f"{human_size(self.size)} en {seconds(self.duration)} : base {engine} "
                f"({human_size(self.database_bytes)}), {plural(self.media_files, 'fichier')} "
                f"de preuve ({human_size(self.media_bytes)}), clé secrète")
        if self.skipped:
            text += (f" ; {plural(len(self.skipped), 'fichier')} disparu(s) pendant la "
                     "sauvegarde")
        return text + "."


def backup_name(now):
    return f"{PREFIX}{timezone.localtime(now):%Y-%m-%d-%H%M%S}{SUFFIX}"


def check_destination(destination) -> tuple[Path, list[str]]:
    if not destination:
        raise BackupError("Aucun dossier de destination : donnez --to DOSSIER (un disque "
                          "externe, un partage) ou la variable PHARMAGARDE_BACKUP_DIR.")
    folder = Path(destination)
    if not folder.is_dir():
        raise BackupError(f"Le dossier de destination {folder} n'existe pas (disque externe "
                          "non branché ?).")
    if inside(folder, Path(settings.MEDIA_ROOT)):
        raise BackupError("Le dossier de destination est dans celui des fichiers envoyés : "
                          "chaque sauvegarde contiendrait les précédentes.")
    warnings = []
    if folder.resolve().stat().st_dev == Path(settings.DATA_DIR).stat().st_dev:
        warnings.append("Attention : le dossier de destination est sur le même disque que "
                        "les données. Une sauvegarde doit aussi partir ailleurs (disque "
                        "externe débranché ensuite, autre machine).")
    return folder, warnings


def _add_file(tar, arcname, handle, size, mtime):
    info = tarfile.TarInfo(arcname)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    tar.addfile(info, handle)


def _add_bytes(tar, arcname, data):
    _add_file(tar, arcname, io.BytesIO(data), len(data), time.time())


def _add_media(tar, media_root: Path, skipped):
    """Every regular file under media_root, streamed; (count, bytes)."""
    count = total = 0
    if not media_root.is_dir():
        return count, total
    for folder, dirs, files in os.walk(media_root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            relative = path.relative_to(media_root).as_posix()
            try:
                # Never follow a link out of the media folder.
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            except OSError:
                skipped.append(relative)  # deleted meanwhile, or a link
                continue
            with os.fdopen(fd, "rb") as handle:
                status = os.fstat(handle.fileno())
                if not stat.S_ISREG(status.st_mode):
                    skipped.append(relative)
                    continue
                _add_file(tar, f"media/{relative}", handle, status.st_size, status.st_mtime)
            count += 1
            total += status.st_size
    return count, total


def _version():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pharmagarde")
    except PackageNotFoundError:
        return "inconnue"


def write_backup(destination, key: bytes, *, now=None) -> BackupResult:
    """Write one encrypted backup into the folder `destination`."""
    started = time.monotonic()
    now = now or timezone.now()
    folder, warnings = check_destination(destination)
    settings_dict = _database()
    engine = engine_name(settings_dict)
    final = folder / backup_name(now)
    partial = folder / f".{final.name}.partial"
    # The plain snapshot stays in the data directory, private (0700) like it.
    workdir = Path(tempfile.mkdtemp(prefix=".sauvegarde-", dir=settings.DATA_DIR))
    partial_is_ours = False
    try:
        snapshot = workdir / ("database.sqlite3" if engine == "sqlite" else "database.dump")
        snapshot_started = timezone.now()
        if engine == "sqlite":
            sqlite_snapshot(settings_dict["NAME"], snapshot)
        else:
            pg_snapshot(settings_dict, snapshot)
        snapshot_finished = timezone.now()
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as error:
            raise BackupError(f"Impossible d'écrire dans {folder} : {error.strerror}.") from None
        partial_is_ours = True
        skipped = []
        with os.fdopen(fd, "wb") as out:
            writer = EncryptingWriter(out, key)
            with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                with snapshot.open("rb") as handle:
                    database_bytes = os.fstat(handle.fileno()).st_size
                    _add_file(tar, SQLITE_MEMBER if engine == "sqlite" else PG_MEMBER,
                              handle, database_bytes, time.time())
                snapshot.unlink()
                media_files, media_bytes = _add_media(tar, Path(settings.MEDIA_ROOT), skipped)
                _add_bytes(tar, "secret_key", settings.SECRET_KEY.encode())
                manifest = {"format": FORMAT_VERSION, "application": "pharmagarde",
                            "version": _version(), "created_at": now.isoformat(),
                            "engine": engine, "database_bytes": database_bytes,
                            # The database is as it was at some instant in between.
                            "snapshot": [snapshot_started.isoformat(),
                                         snapshot_finished.isoformat()],
                            "media_files": media_files, "media_bytes": media_bytes}
                _add_bytes(tar, "manifest.json", json.dumps(manifest).encode())
            writer.finish()
            out.flush()
            os.fsync(out.fileno())
            size = writer.bytes_out
        if final.exists():
            raise BackupError(f"{final} existe déjà.")
        os.rename(partial, final)
        _fsync_folder(folder)
    finally:
        if partial_is_ours:
            partial.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)
    return BackupResult(path=final, size=size, duration=time.monotonic() - started,
                        engine=engine, database_bytes=database_bytes,
                        media_files=media_files, media_bytes=media_bytes, skipped=skipped,
                        warnings=warnings)


def _fsync_folder(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (FAT on a USB disk) do not sync folders
    finally:
        os.close(fd)


def prune(folder, keep: int) -> list[Path]:
    """Delete the oldest backups of `folder` beyond the `keep` newest; those deleted."""
    backups = sorted(Path(folder).glob(f"{PREFIX}*{SUFFIX}"))
    removed = backups[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def run_backup(*, destination, key_file, keep=None, now=None) -> BackupResult:
    """The command: write a backup, prune, and record how it went (InstanceBackup)."""
    from .models import InstanceBackup

    now = now or timezone.now()
    started = time.monotonic()
    try:
        key = read_key(key_file)
        key_notes = key_warnings(key_file, destination=destination)
        result = write_backup(destination, key, now=now)
    except BackupError as error:
        record_run(kind=InstanceBackup.Kind.BACKUP, started_at=now, ok=False,
                   detail=str(error), duration=timedelta(seconds=time.monotonic() - started),
                   file_name=str(destination or "")[:500])
        raise
    result.warnings = key_notes + result.warnings
    if keep:
        prune(result.path.parent, keep)
    record_run(kind=InstanceBackup.Kind.BACKUP, started_at=now, ok=True, size=result.size,
               duration=timedelta(seconds=result.duration), file_name=str(result.path)[:500],
               detail=result.summary())
    return result


AUDIT_CODES = {("backup", True): "instance.backup_made",
               ("backup", False): "instance.backup_failed",
               ("check", True): "instance.backup_checked",
               ("check", False): "instance.check_failed"}


def record_run(**fields):
    """The InstanceBackup row of a backup or a check (the administrator's page reads
    them) and its entry in the audit log, together."""
    from django.db import transaction

    from . import audit
    from .models import InstanceBackup

    with transaction.atomic():
        run = InstanceBackup.objects.create(**fields)
        audit.record(AUDIT_CODES[(run.kind, run.ok)], actor_label="pharmagarde " + (
            "backup" if run.kind == InstanceBackup.Kind.BACKUP else "restore --check"),
            details={"fichier": run.file_name[-200:], "taille": run.size or 0,
                     "durée (s)": round(run.duration.total_seconds(), 1)
                     if run.duration else 0})
    return run


# ------------------------------------------------------------------- the admin's page

# A nightly backup is late after two days; a restore check after three months (the
# rhythm the continuity plan asks of every pharmacy's own backups).
BACKUP_LATE_AFTER = timedelta(days=2)
CHECK_LATE_AFTER = timedelta(days=92)


def status(now) -> dict:
    """What the administrator's page shows, in five queries whatever the history."""
    from .models import InstanceBackup

    rows = InstanceBackup.objects
    kinds = InstanceBackup.Kind
    last_backup = rows.filter(kind=kinds.BACKUP).first()
    last_good_backup = rows.filter(kind=kinds.BACKUP, ok=True).first()
    last_check = rows.filter(kind=kinds.CHECK).first()
    last_good_check = rows.filter(kind=kinds.CHECK, ok=True).first()
    return {
        "last_backup": last_backup,
        "last_good_backup": last_good_backup,
        "last_check": last_check,
        "last_good_check": last_good_check,
        "backup_late": last_good_backup is None
        or now - last_good_backup.started_at > BACKUP_LATE_AFTER,
        "check_late": last_good_check is None
        or now - last_good_check.started_at > CHECK_LATE_AFTER,
        "history": list(rows.all()[:20]),
    }


# ------------------------------------------------------------------------ wording


def human_size(size):
    for unit, scale in (("Go", 1 << 30), ("Mo", 1 << 20), ("Ko", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".", ",")
    return f"{size} octet{'s' if size > 1 else ''}"


def seconds(value):
    if value >= 60:
        return f"{int(value // 60)} min {int(value % 60):02d} s"
    return f"{value:.{1 if value >= 1 else 2}f} s".replace(".", ",")


def plural(count, words):
    """'1 fichier', '2 autres fichiers': each word takes the mark of the plural."""
    if count > 1:
        words = " ".join(word + "s" for word in words.split())
    return f"{count:,}".replace(",", "\u202f") + f" {words}"
