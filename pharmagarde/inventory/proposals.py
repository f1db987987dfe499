"""Answers the inventory suggests to the diagnostic (AppDeclaration.answer_proposals).

Only facts the inventory holds for certain become a proposal: a Wi-Fi in WEP proposes
« ouvert ou WEP » to the Wi-Fi question; a WPA2 Wi-Fi proposes nothing, since the inventory
does not know the quality of its password. A new assessment shows them as proposed answers,
with the reason in the comment, for the person to confirm or change; an answer already given
is never replaced (diagnostic/services.py)."""

import datetime

from django.utils import timezone

from . import selectors
from .models import Device, WifiNetwork
from .rules import RULES_BY_ID, Snapshot

PREFIX = "Proposé d'après l'inventaire : "


def _wifi(snapshot: Snapshot, proposals: dict) -> None:
    if not snapshot.wifi:
        return
    proposals["res-wifi-present"] = (("oui",), PREFIX + ", ".join(
        f"« {w.ssid} »" for w in snapshot.wifi[:5]) + ".")
    weak = [w for w in snapshot.wifi if not w.is_guest and w.security in (
        WifiNetwork.Security.OPEN, WifiNetwork.Security.WEP)]
    if weak:
        proposals["res-wifi"] = (("ouvert",), PREFIX + "; ".join(
            f"« {w.ssid} » : {w.get_security_display()}" for w in weak[:5]) + ".")


def _backups(snapshot: Snapshot, today: datetime.date, proposals: dict) -> None:
    backups = snapshot.backups
    if not backups:
        return
    if all(b.offline_copy is False for b in backups):
        proposals["sauv-hors-ligne"] = (("non",), PREFIX + "aucune des sauvegardes inscrites "
                                        "n'a de copie hors ligne.")
    year_ago = today - datetime.timedelta(days=365)
    tested = [b.last_restore_test for b in backups]
    if all(day is not None and day >= year_ago for day in tested):
        proposals["sauv-test"] = (("annuel",), PREFIX + "chaque sauvegarde a été testée au "
                                  "cours des douze derniers mois.")
    elif all(day is None for day in tested):
        proposals["sauv-test"] = (("jamais",), PREFIX + "aucun test de restauration noté.")
    else:
        proposals["sauv-test"] = (("ancien",), PREFIX + "des sauvegardes n'ont pas été "
                                  "testées depuis plus d'un an.")


def _mobiles(snapshot: Snapshot, proposals: dict) -> None:
    mobiles = [d for d in snapshot.devices if d.kind in Device.MOBILE]
    if not mobiles or any(d.disk_encrypted is None for d in mobiles):
        return
    encrypted = sum(bool(d.disk_encrypted) for d in mobiles)
    choice = "tous" if encrypted == len(mobiles) else "non" if not encrypted else "certains"
    proposals["nomade-chiffrement"] = ((choice,), PREFIX + f"{encrypted} appareil(s) nomade(s) "
                                       f"chiffré(s) sur {len(mobiles)}.")


def _departures(snapshot: Snapshot, today: datetime.date, proposals: dict) -> None:
    departed = list(RULES_BY_ID["compte-parti-actif"].check(snapshot, today))
    if departed:
        proposals["cpt-departs"] = (("non",), PREFIX + f"{len(departed)} compte(s) de "
                                    "personnes parties encore actif(s).")


def proposals(organisation) -> dict:
    """{question id: (choice ids, reason)} for the questions the inventory can answer."""
    snapshot = selectors.snapshot(organisation)
    today = timezone.localdate()
    found = {}
    _wifi(snapshot, found)
    _backups(snapshot, today, found)
    _mobiles(snapshot, found)
    _departures(snapshot, today, found)
    return found
