"""The audit log: one function to record, one to verify.

Every sensitive write calls `record(...)` inside its own transaction, so the entry and the
change it describes are committed together or not at all.
"""

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry

GENESIS_HASH = "0" * 64

# What each action code means, for people reading the log. Each app adds its own through
# the `audit_labels` of its declaration (core/registry.py); record() refuses a code that has
# none, so that no responsable ever reads a raw code (tests/core/test_audit_labels.py).
ACTION_LABELS = {
    "auth.login": _("Connexion"),
    "auth.logout": _("Déconnexion"),
    "auth.login_failed": _("Échec de connexion"),
    "auth.locked": _("Connexion bloquée après des échecs répétés"),
    "auth.password_changed": _("Mot de passe changé"),
    "auth.password_reset": _("Mot de passe réinitialisé"),
    "auth.password_set": _("Mot de passe défini"),
    "auth.mfa_failed": _("Code de double authentification erroné"),
    "account.created_by_command": _("Compte créé en ligne de commande"),
    "mfa.added": _("Double authentification ajoutée"),
    "mfa.removed": _("Double authentification retirée"),
    "mfa.reset": _("Codes de secours régénérés"),
    "organisation.created": _("Structure créée"),
    "organisation.updated": _("Fiche de la structure modifiée"),
    "member.role_changed": _("Rôle d'un membre changé"),
    "member.removed": _("Accès d'un membre retiré"),
    "invitation.sent": _("Invitation envoyée"),
    "invitation.revoked": _("Invitation annulée"),
    "invitation.accepted": _("Invitation acceptée"),
    "person.created": _("Personne ajoutée au personnel"),
    "person.updated": _("Fiche d'une personne modifiée"),
    "person.deleted": _("Personne retirée du personnel"),
    "audit.exported": _("Journal d'audit exporté"),
    "portfolio.exported": _("Tableau de toutes mes structures exporté"),
    "demo.loaded": _("Données de démonstration chargées"),
    "instance.backup_made": _("Sauvegarde de l'instance faite"),
    "instance.backup_failed": _("Sauvegarde de l'instance en échec"),
    "instance.backup_checked": _("Restauration d'une sauvegarde vérifiée"),
    "instance.check_failed": _("Vérification d'une sauvegarde en échec"),
}


def register_actions(labels):
    ACTION_LABELS.update(labels)


def action_label(code):
    return ACTION_LABELS.get(code, code)
# Any constant works: it names the lock that serialises appends to the chain on PostgreSQL.
CHAIN_LOCK_KEY = 7_266_001


def client_ip(request):
    """The address the request came from.

    Behind our reverse proxy (BEHIND_PROXY), REMOTE_ADDR is the proxy's own address: the
    client's is the LAST X-Forwarded-For entry, the one the proxy appended. Earlier entries
    are whatever the client sent and are never trusted.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or None
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        address = forwarded or address
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def _lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    # SQLite: settings open every transaction with BEGIN IMMEDIATE, which already
    # serialises writers.


def _check_action(action):
    if action not in ACTION_LABELS:
        raise ValueError(f"Code d'audit sans libellé : {action!r}. Déclarez-le avec "
                         "audit_labels dans la déclaration de son application.")


def _last_hash():
    last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
    return last or GENESIS_HASH


def _entry(action, *, previous_hash, actor, organisation, obj, request, details,
           actor_label):
    entry = AuditEntry(
        actor=actor,
        actor_label=actor_label or (actor.email if actor is not None else ""),
        organisation=organisation,
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=str(obj)[:200] if obj is not None else "",
        details=details or {},
        ip_address=client_ip(request),
        previous_hash=previous_hash,
    )
    entry.entry_hash = entry.compute_hash()
    return entry


def record(action, *, actor=None, organisation=None, obj=None, request=None, details=None,
           actor_label=""):
    """Append one entry to the chain and return it.

    `action` is a short dotted code (`member.role_changed`); `details` a small JSON-able
    dict of strings and numbers describing the change.
    """
    _check_action(action)
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    with transaction.atomic():
        _lock_chain()
        entry = _entry(action, previous_hash=_last_hash(), actor=actor,
                       organisation=organisation, obj=obj, request=request, details=details,
                       actor_label=actor_label)
        entry.save()
    return entry


def record_many(action, *, organisations, actor=None, request=None, details=None,
                actor_label=""):
    """Append one entry per organisation of `organisations`, in that order, the same
    action and details in each, in one transaction: the chain is locked and read once
    and the entries inserted together (a few queries, whatever their number)."""
    _check_action(action)
    organisations = list(organisations)
    if not organisations:
        return []
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    with transaction.atomic():
        _lock_chain()
        previous = _last_hash()
        entries = []
        for organisation in organisations:
            entry = _entry(action, previous_hash=previous, actor=actor,
                           organisation=organisation, obj=None, request=request,
                           details=details, actor_label=actor_label)
            entries.append(entry)
            previous = entry.entry_hash
        # In one INSERT, the rows take their ids in the list's order: the chain's order.
        AuditEntry.objects.bulk_create(entries)
    return entries


@dataclass
class VerifyResult:
    checked: int
    last_hash: str
    problems: list

    @property
    def ok(self):
        return not self.problems


def verify(batch_size=2000, anchors=()):
    """Walk the whole chain in id order, in batches (constant memory).

    anchors: (position, hash) pairs noted from earlier runs; the entry at that position
    (1 = the first) must still carry that hash, which also catches a cut-off tail.
    """
    expected_previous = GENESIS_HASH
    checked = 0
    problems = []
    last_id = 0
    pending = dict(anchors)
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            checked += 1
            if entry.previous_hash != expected_previous:
                problems.append(
                    f"Entrée n° {entry.id} : elle ne suit pas l'entrée précédente "
                    "(entrée supprimée, insérée ou déplacée)."
                )
            if entry.compute_hash() != entry.entry_hash:
                problems.append(f"Entrée n° {entry.id} : son contenu a été modifié.")
            if checked in pending and pending.pop(checked) != entry.entry_hash:
                problems.append(f"Ancre {checked} : l'entrée à cette position n'a plus "
                                "l'empreinte notée.")
            expected_previous = entry.entry_hash
            last_id = entry.id
    for position in sorted(pending):
        problems.append(f"Ancre {position} : le journal ne compte plus que {checked} "
                        "entrée(s) (entrées retirées à la fin).")
    return VerifyResult(checked=checked, last_hash=expected_previous, problems=problems)
