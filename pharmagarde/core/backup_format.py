"""The backup file format and its key (core/backup.py writes it, core/backup_check.py
reads it).

A header (magic, format version, the key's fingerprint, a random salt, the chunk size),
then the plain stream cut into chunks, each sealed with AES-256-GCM under a key derived
from the backup key and the salt (HKDF-SHA256). A chunk's nonce is its number and a flag
marking the last one; the header is authenticated with every chunk. So a flipped byte,
chunks swapped or removed, a file cut short (even between two chunks) or data after the
end are all refused, and a wrong key is named as such thanks to the fingerprint.

The key file holds 32 random bytes, base64, behind a prefix that tells it from any other
secret. It never enters a backup, the database, the task table or a log: only its
fingerprint (an HMAC of a constant, which reveals nothing of it) is shown.
"""

import base64
import hashlib
import hmac
import io
import os
import secrets
import stat
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

MAGIC = b"PHGBKUP"
FORMAT_VERSION = 1
CHUNK_SIZE = 1 << 20
MAX_CHUNK_SIZE = 16 << 20
TAG_SIZE = 16
FINAL_FLAG = 0x8000_0000
# magic, version, key fingerprint, salt, chunk size
HEADER = struct.Struct(f">{len(MAGIC)}sB16s32sI")
KEY_PREFIX = "pharmagarde-cle-sauvegarde-1:"
KEY_HOWTO = ("Créez la clé une fois avec « pharmagarde backup --new-key FICHIER » et "
             "gardez-en une copie hors de la machine.")
KEY_MISSING = ("Aucune clé de sauvegarde : donnez --key-file FICHIER ou la variable "
               "PHARMAGARDE_BACKUP_KEY_FILE. " + KEY_HOWTO)


class BackupError(Exception):
    """A backup or a check that cannot go on; the message says why, in French."""


# ---------------------------------------------------------------------------- keys


def fingerprint(key: bytes) -> bytes:
    return hmac.new(key, b"pharmagarde-sauvegarde:empreinte", hashlib.sha256).digest()[:16]


def new_key_file(path) -> str:
    """Write a new key to `path` (mode 0600, never over an existing file); its fingerprint."""
    path = Path(path)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(
            f"{path} existe déjà : une clé n'est jamais remplacée (les sauvegardes faites "
            "avec elle ne se liraient plus). Choisissez un autre nom.") from None
    except OSError as error:
        raise BackupError(f"Impossible de créer {path} : {error.strerror}.") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(KEY_PREFIX + base64.urlsafe_b64encode(key).decode() + "\n")
    return fingerprint(key).hex()


def read_key(path) -> bytes:
    if not path:
        raise BackupError(KEY_MISSING)
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise BackupError(f"Fichier de clé introuvable : {path}. {KEY_HOWTO}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BackupError(f"Fichier de clé illisible : {path} ({error}).") from None
    try:
        if not text.startswith(KEY_PREFIX):
            raise ValueError
        key = base64.urlsafe_b64decode(text.removeprefix(KEY_PREFIX).encode())
        if len(key) != 32:
            raise ValueError
    except ValueError:
        raise BackupError(f"{path} n'est pas une clé de sauvegarde Pharmagarde (elle se crée "
                          "avec « pharmagarde backup --new-key FICHIER »).") from None
    return key


def key_warnings(key_path, *, destination=None) -> list[str]:
    """Refuse a key that would travel with the backups; warn when others may read it."""
    key_path = Path(key_path).resolve()
    if inside(key_path, Path(settings.MEDIA_ROOT)):
        raise BackupError("La clé est dans le dossier des fichiers envoyés : elle partirait "
                          "dans la sauvegarde. Rangez-la ailleurs.")
    if destination is not None and inside(key_path, Path(destination)):
        raise BackupError("La clé ne doit pas être rangée avec les sauvegardes : qui "
                          "prendrait le disque aurait les deux. Rangez-la ailleurs.")
    if key_path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        return [f"Attention : d'autres comptes peuvent lire la clé ({key_path}) ; "
                f"faites « chmod 600 {key_path} »."]
    return []


def inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


# ------------------------------------------------------------------------ the stream


def _file_cipher(key, salt):
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                   info=b"pharmagarde-sauvegarde-v1").derive(key)
    return AESGCM(derived)


def _nonce(index, final):
    return struct.pack(">QI", index, 1 if final else 0)


class EncryptingWriter(io.RawIOBase):
    """A write-only stream: what is written goes out encrypted, one chunk at a time."""

    def __init__(self, out, key, chunk_size=CHUNK_SIZE):
        super().__init__()
        self.out, self.chunk_size = out, chunk_size
        salt = secrets.token_bytes(32)
        self.header = HEADER.pack(MAGIC, FORMAT_VERSION, fingerprint(key), salt, chunk_size)
        self.cipher = _file_cipher(key, salt)
        self.buffer = bytearray()
        self.index = 0
        self.bytes_out = len(self.header)
        out.write(self.header)

    def writable(self):
        return True

    def write(self, data):
        self.buffer += data
        while len(self.buffer) >= self.chunk_size:
            self._emit(bytes(self.buffer[: self.chunk_size]), final=False)
            del self.buffer[: self.chunk_size]
        return len(data)

    def _emit(self, plain, *, final):
        sealed = self.cipher.encrypt(_nonce(self.index, final), plain, self.header)
        self.out.write(struct.pack(">I", len(sealed) | (FINAL_FLAG if final else 0)))
        self.out.write(sealed)
        self.bytes_out += 4 + len(sealed)
        self.index += 1

    def finish(self):
        """Write the last chunk, marked as such: a file without it is known cut short."""
        self._emit(bytes(self.buffer), final=True)
        self.buffer.clear()


TRUNCATED = ("Sauvegarde incomplète : le fichier s'arrête avant sa fin (copie interrompue, "
             "disque plein ?). Elle ne peut pas être restaurée ; prenez-en une autre.")


def _tampered(index):
    return (f"Sauvegarde altérée : le bloc n° {index + 1} ne correspond pas à ce qui a été "
            "écrit (fichier modifié ou support abîmé). Elle ne peut pas être restaurée ; "
            "prenez-en une autre.")


class DecryptingReader(io.RawIOBase):
    """A read-only stream of the plain tar; raises BackupError on any doubt."""

    def __init__(self, source, key):
        super().__init__()
        self.source = source
        header = source.read(HEADER.size)
        if len(header) < len(MAGIC) + 1 or not header.startswith(MAGIC):
            raise BackupError("Ce fichier n'est pas une sauvegarde Pharmagarde.")
        if header[len(MAGIC)] != FORMAT_VERSION:
            raise BackupError(f"Sauvegarde d'un format inconnu ({header[len(MAGIC)]}) : "
                              "mettez Pharmagarde à jour pour la lire.")
        if len(header) < HEADER.size:
            raise BackupError(TRUNCATED)
        _magic, _version, key_id, salt, self.chunk_size = HEADER.unpack(header)
        if not hmac.compare_digest(key_id, fingerprint(key)):
            raise BackupError(
                "Cette clé n'est pas celle de la sauvegarde : donnez le fichier de clé "
                f"avec lequel elle a été faite (empreinte {key_id.hex()}).")
        if not 0 < self.chunk_size <= MAX_CHUNK_SIZE:
            raise BackupError(_tampered(0))
        self.header = header
        self.cipher = _file_cipher(key, salt)
        self.index = 0
        self.done = False
        self.plain = b""
        self.offset = 0

    def readable(self):
        return True

    def _next_chunk(self):
        prefix = self.source.read(4)
        if len(prefix) < 4:
            raise BackupError(TRUNCATED)
        (length,) = struct.unpack(">I", prefix)
        final = bool(length & FINAL_FLAG)
        length &= ~FINAL_FLAG
        if not TAG_SIZE <= length <= self.chunk_size + TAG_SIZE:
            raise BackupError(_tampered(self.index))
        sealed = self.source.read(length)
        if len(sealed) < length:
            raise BackupError(TRUNCATED)
        try:
            self.plain = self.cipher.decrypt(_nonce(self.index, final), sealed, self.header)
        except InvalidTag:
            raise BackupError(_tampered(self.index)) from None
        self.offset = 0
        self.index += 1
        if final:
            self.done = True
            if self.source.read(1):
                raise BackupError("Sauvegarde altérée : des données suivent sa fin.")

    def readinto(self, buffer):
        while self.offset >= len(self.plain):
            if self.done:
                return 0
            self._next_chunk()
        count = min(len(buffer), len(self.plain) - self.offset)
        buffer[:count] = self.plain[self.offset: self.offset + count]
        self.offset += count
        return count

    def drain(self):
        """Read to the authenticated end: tar stops at its end marker, we do not."""
        while self.read(CHUNK_SIZE):
            pass
