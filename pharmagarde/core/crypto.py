"""Encryption at rest for what must wait in the database: mail holding a secret link.

Keys are derived from SECRET_KEY with HKDF-SHA256, one per purpose, so a key never serves
two uses. Why SECRET_KEY and not a key of its own: whoever holds SECRET_KEY can already
forge the links these mails carry (password reset tokens are derived from it), so a copy
of the database alone reveals nothing, and there is no second secret to lose. Keys in
SECRET_KEY_FALLBACKS still decrypt, so rotating the key loses no mail waiting to be sent.
"""

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt"]


def _derive(secret: str, purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=f"pharmagarde:{purpose}".encode()).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


@cache
def _fernet(secrets: tuple[str, ...], purpose: str) -> MultiFernet:
    return MultiFernet([_derive(secret, purpose) for secret in secrets])


def _keys(purpose: str) -> MultiFernet:
    secrets = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))
    return _fernet(secrets, purpose)


def encrypt(text: str, *, purpose: str) -> str:
    return _keys(purpose).encrypt(text.encode()).decode("ascii")


def decrypt(token: str, *, purpose: str) -> str:
    """The text, or InvalidToken if it was not encrypted for `purpose` with a current key."""
    return _keys(purpose).decrypt(token.encode("ascii")).decode()
