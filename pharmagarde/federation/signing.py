"""Signed aggregates between servers: a member organisation on its own server exports its
values (federation/values.py) signed with its Ed25519 key, and the federation, which knows
the member by its public key, imports them (remote_services.py).

The exported file is JSON: {"document": "<canonical JSON>", "signature": "<base64>",
"public_key": "<base64>"}. The signature covers exactly the bytes of `document` (UTF-8),
the canonical JSON (sorted keys, no spaces) of:

    {"format": "pharmagarde-aggregate", "version": 1, "federation": "PGF-…",
     "as_of": "2026-03-02T08:00:00+00:00", "kind": "officine", "region": "53",
     "size_band": "1-5", "values": {"diagnostic.score": 72.0, …}, "instance": "<hex>"}

Scores and counts only. `check_document` is the one gate, on export and on import: every
key fixed, every value a number, a pair of counts or a yes/no of a metric of the catalogue,
the other fields drawn from short closed lists or fixed patterns. A name, a slug, an e-mail
address, a SIRET or any free text has nowhere to go.

Keys: the member's private key is created on first use and kept encrypted at rest
(core/crypto.py, its own purpose); the public key is base64 of its 32 raw bytes; its
fingerprint the SHA-256 of those bytes in hex, shown in groups of four to be read aloud.
"""

import base64
import binascii
import datetime
import hashlib
import hmac
import json
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pharmagarde.core import crypto
from pharmagarde.core.models import Organisation, OrganisationKind, Region, SizeBand

from . import values as federation_values
from .models import SigningKey

FORMAT = "pharmagarde-aggregate"
VERSION = 1
KEY_PURPOSE = "federation-signing-key"
DOCUMENT_FIELDS = frozenset({"format", "version", "federation", "as_of", "kind", "region",
                             "size_band", "values", "instance"})
WRAPPER_FIELDS = frozenset({"document", "signature", "public_key"})
# « PGF-ABCD-EFGH-IJKL-MNOP »: four groups of base32 letters and digits.
IDENTIFIER_PATTERN = re.compile(r"PGF(-[A-Z2-7]{4}){4}")
INSTANCE_PATTERN = re.compile(r"[0-9a-f]{32}")
PUBLIC_KEY_BYTES = 32
# No export was made before Pharmagarde existed.
EARLIEST_AS_OF = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


class AggregateRefused(ValueError):
    """A document that is not a valid signed aggregate; the message says why, in French."""


# -- Identifiers ------------------------------------------------------------------------

def _derived(secret: str, label: str) -> bytes:
    return hmac.new(secret.encode(), f"pharmagarde:{label}".encode(), hashlib.sha256).digest()


def _secrets() -> tuple[str, ...]:
    return (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))


def _identifier(secret: str, federation_id: int) -> str:
    letters = base64.b32encode(_derived(secret, f"federation-identifier:{federation_id}"))
    text = letters.decode("ascii")[:16]
    return "PGF-" + "-".join(text[i:i + 4] for i in range(0, 16, 4))


def federation_identifier(federation: Organisation) -> str:
    """What the federation gives its remote members to put in their exports: derived
    from this server's secret key, so it names nothing and cannot be guessed, and it is
    the same every time it is asked for."""
    return _identifier(settings.SECRET_KEY, federation.pk)


def federation_identifiers(federation: Organisation) -> set[str]:
    """The identifier and those derived from SECRET_KEY_FALLBACKS: files made before a
    rotation of the key still import."""
    return {_identifier(secret, federation.pk) for secret in _secrets()}


def normalise_identifier(text: str) -> str:
    """What a person typed (spaces, small letters, a missing prefix), as the identifier."""
    compact = re.sub(r"[\s\-]", "", text or "").upper()
    if compact.startswith("PGF"):
        compact = compact[3:]
    if len(compact) != 16:
        return (text or "").strip().upper()
    return "PGF-" + "-".join(compact[i:i + 4] for i in range(0, 16, 4))


def instance_id() -> str:
    """This server's identifier in the exports: random-looking, derived from its secret
    key, the same for every organisation it hosts and every export."""
    return _derived(settings.SECRET_KEY, "instance-id").hex()[:32]


# -- Keys -------------------------------------------------------------------------------

def to_base64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def raw_public_key(public_key: str) -> bytes:
    """The 32 bytes of a public key given as base64, or AggregateRefused."""
    text = re.sub(r"\s", "", public_key or "")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != PUBLIC_KEY_BYTES or to_base64(raw) != text:
        raise AggregateRefused(_("Ce n'est pas une clé publique de Pharmagarde : copiez les "
                                 "44 caractères affichés sur la page « Partager avec une "
                                 "fédération » de la structure."))
    return raw


def fingerprint(public_key: str) -> str:
    """SHA-256 of the raw public key, in hex (64 characters)."""
    return hashlib.sha256(raw_public_key(public_key)).hexdigest()


def fingerprint_display(value: str) -> str:
    """« 3f2a 9c01 … »: groups of four, to be read over the phone."""
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4))


def _new_key(organisation: Organisation) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes_raw()
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return SigningKey(organisation=organisation,
                      private_key=crypto.encrypt(to_base64(raw_private), purpose=KEY_PURPOSE),
                      public_key=to_base64(raw_public))


def signing_key(organisation: Organisation, *, on_create=None) -> SigningKey:
    """The organisation's key, created on first use (two processes at once: one wins);
    `on_create(key)` runs in the creating transaction (the audit entry)."""
    found = SigningKey.objects.filter(organisation=organisation).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            key = _new_key(organisation)
            key.save()
            if on_create is not None:
                on_create(key)
            return key
    except IntegrityError:
        return SigningKey.objects.get(organisation=organisation)


def replace_key(organisation: Organisation) -> tuple[SigningKey | None, SigningKey]:
    """(the old key or None, the new one): the old one is deleted, in the caller's
    transaction."""
    old = SigningKey.objects.select_for_update().filter(organisation=organisation).first()
    if old is not None:
        old.delete()
    key = _new_key(organisation)
    key.save()
    return old, key


def _private_key(key: SigningKey) -> Ed25519PrivateKey:
    raw = base64.b64decode(crypto.decrypt(key.private_key, purpose=KEY_PURPOSE))
    return Ed25519PrivateKey.from_private_bytes(raw)


# -- Documents --------------------------------------------------------------------------

def canonical(document: dict) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


def _refuse(message: str):
    raise AggregateRefused(message)


def parse_as_of(text) -> datetime.datetime:
    """The file's date, in UTC. Between EARLIEST_AS_OF and a year from now: a signed date
    of year 1 or 9999 with an offset of almost a day passes fromisoformat, then overflows
    in any conversion (the page would fail instead of refusing it). A date a little in
    the future passes here and is refused with its own message on import."""
    if not isinstance(text, str):
        _refuse(_("La date du fichier est illisible."))
    try:
        moment = datetime.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError
        moment = moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        _refuse(_("La date du fichier est illisible."))
    latest = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=366)
    if not EARLIEST_AS_OF <= moment <= latest:
        _refuse(_("La date du fichier n'est pas une date possible pour un export."))
    return moment


def check_document(document) -> None:
    """Refuse (AggregateRefused) anything that is not scores and counts: the closed list
    of fields, a known format and version, the identifier's pattern, a closed list for
    kind, region and size band, and only metrics of the catalogue with valid values."""
    if not isinstance(document, dict):
        _refuse(_("Le contenu du fichier n'a pas la forme attendue."))
    extra = set(document) - DOCUMENT_FIELDS
    if extra:
        _refuse(_("Le fichier contient des champs inconnus (%(fields)s) : il n'est pas "
                  "accepté.") % {"fields": ", ".join(sorted(map(str, extra)))[:200]})
    if set(document) != DOCUMENT_FIELDS:
        _refuse(_("Il manque des champs dans le fichier."))
    if document["format"] != FORMAT or document["version"] != VERSION \
            or isinstance(document["version"], bool):
        _refuse(_("Ce n'est pas un fichier d'agrégats de Pharmagarde dans une version "
                  "connue (format %(format)s, version 1).") % {"format": FORMAT})
    if not isinstance(document["federation"], str) \
            or not IDENTIFIER_PATTERN.fullmatch(document["federation"]):
        _refuse(_("L'identifiant de fédération du fichier n'a pas la forme attendue."))
    parse_as_of(document["as_of"])
    kinds = {value for value in OrganisationKind.values if value != OrganisationKind.FEDERATION}
    for field, allowed in (("kind", kinds), ("region", set(Region.values)),
                           ("size_band", set(SizeBand.values))):
        value = document[field]
        if not isinstance(value, str) or (value != "" and value not in allowed):
            _refuse(_("Le type, la région ou la taille de la structure n'est pas une valeur "
                      "connue."))
    if not isinstance(document["instance"], str) \
            or not INSTANCE_PATTERN.fullmatch(document["instance"]):
        _refuse(_("L'identifiant du serveur du fichier n'a pas la forme attendue."))
    check_values(document["values"])


def check_values(found) -> None:
    catalogue = federation_values.catalogue()
    if not isinstance(found, dict):
        _refuse(_("Les valeurs du fichier n'ont pas la forme attendue."))
    unknown = [key for key in found if key not in catalogue]
    if unknown:
        _refuse(_("Le fichier contient des mesures inconnues de ce serveur (%(keys)s) : "
                  "mettez Pharmagarde à jour ou demandez un nouveau fichier.")
                % {"keys": ", ".join(sorted(map(str, unknown)))[:200]})
    wrong = [key for key, value in found.items()
             if not federation_values.is_valid(catalogue[key], value)]
    if wrong:
        _refuse(_("Des valeurs du fichier ne sont pas des scores ou des nombres valides "
                  "(%(keys)s) : il n'est pas accepté.") % {"keys": ", ".join(sorted(wrong))})


def build_document(organisation: Organisation, federation: str,
                   as_of: datetime.datetime, found: dict) -> dict:
    """The document of `organisation`'s values `found` (values.collect) for `federation`,
    checked (check_document)."""
    document = {
        "format": FORMAT, "version": VERSION, "federation": federation,
        "as_of": as_of.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "kind": organisation.kind, "region": organisation.region or "",
        "size_band": organisation.size_band or "",
        "values": {key: list(value) if isinstance(value, tuple) else value
                   for key, value in sorted(found.items())},
        "instance": instance_id(),
    }
    check_document(document)
    return document


def sign(key: SigningKey, document: dict) -> bytes:
    """The file to hand over: the document, its signature and the public key."""
    check_document(document)
    body = canonical(document)
    signature = _private_key(key).sign(body)
    wrapper = {"document": body.decode("utf-8"), "signature": to_base64(signature),
               "public_key": key.public_key}
    return json.dumps(wrapper, sort_keys=True, ensure_ascii=False, indent=1).encode("utf-8")


def _no_duplicates(pairs):
    keys = [key for key, _value in pairs]
    if len(keys) != len(set(keys)):
        _refuse(_("Le fichier contient deux fois le même champ : il n'est pas accepté."))
    return dict(pairs)


def _json(text: str):
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates,
                          parse_constant=lambda name: _refuse(
                              _("Le fichier contient une valeur qui n'est pas un nombre.")))
    except (ValueError, RecursionError) as error:
        if isinstance(error, AggregateRefused):
            raise
        _refuse(_("Ce fichier n'est pas un fichier JSON lisible : il a peut-être été "
                  "modifié ou tronqué. Demandez un nouvel export à la structure."))


def read_wrapper(data: bytes) -> dict:
    """The file's three fields, or AggregateRefused: UTF-8, JSON, exactly those fields."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        _refuse(_("Ce fichier n'est pas un fichier texte en UTF-8 : ce n'est pas un export "
                  "d'agrégats de Pharmagarde."))
    wrapper = _json(text)
    if not isinstance(wrapper, dict) or set(wrapper) != WRAPPER_FIELDS \
            or not all(isinstance(wrapper[field], str) for field in WRAPPER_FIELDS):
        _refuse(_("Ce fichier n'a pas la forme d'un export d'agrégats de Pharmagarde "
                  "(document, signature, clé publique)."))
    return wrapper


def verify(wrapper: dict, public_key: str) -> dict:
    """The document, once its signature checks with `public_key` (the one stored for the
    member, never the one the file carries), and check_document passes."""
    try:
        signature = base64.b64decode(wrapper["signature"], validate=True)
        Ed25519PublicKey.from_public_bytes(raw_public_key(public_key)).verify(
            signature, wrapper["document"].encode("utf-8"))
    except (InvalidSignature, binascii.Error, ValueError):
        _refuse(_("La signature ne correspond pas : le fichier a été modifié, ou il n'a pas "
                  "été signé par la clé enregistrée pour cette structure. Il n'est pas "
                  "accepté."))
    document = _json(wrapper["document"])
    if not isinstance(document, dict) or canonical(document) != \
            wrapper["document"].encode("utf-8"):
        _refuse(_("Le document signé n'est pas sous la forme attendue."))
    check_document(document)
    return document
