"""The audit log: one function to record, one to verify.

Every sensitive write calls `record(...)` inside its own transaction, so the entry and the
change it describes are committed together or not at all.
"""

from dataclasses import dataclass

from django.db import connection, transaction

from .models import AuditEntry

GENESIS_HASH = "0" * 64
# Any constant works: it names the lock that serialises appends to the chain on PostgreSQL.
CHAIN_LOCK_KEY = 7_266_001


def client_ip(request):
    """The address the request came from (REMOTE_ADDR: set BEHIND_PROXY and a proxy that
    overwrites it if needed; X-Forwarded-For is never trusted blindly)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    # SQLite: settings open every transaction with BEGIN IMMEDIATE, which already
    # serialises writers.


def record(action, *, actor=None, organisation=None, obj=None, request=None, details=None,
           actor_label=""):
    """Append one entry to the chain and return it.

    `action` is a short dotted code (`member.role_changed`); `details` a small JSON-able
    dict of strings and numbers describing the change.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
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
            previous_hash=last or GENESIS_HASH,
        )
        entry.entry_hash = entry.compute_hash()
        entry.save()
    return entry


@dataclass
class VerifyResult:
    checked: int
    last_hash: str
    problems: list

    @property
    def ok(self):
        return not self.problems


def verify(batch_size=2000):
    """Walk the whole chain in id order, in batches (constant memory)."""
    expected_previous = GENESIS_HASH
    checked = 0
    problems = []
    last_id = 0
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
            expected_previous = entry.entry_hash
            last_id = entry.id
    return VerifyResult(checked=checked, last_hash=expected_previous, problems=problems)
