"""The rules that turn the inventory into findings.

Each rule is a small function over a `Snapshot` of one organisation's inventory and the day
it is run, yielding a `Hit` per item that breaks it. Rules work on absolute facts (this
account belongs to someone who left; this laptop's disk is not encrypted), never on ratios,
so they hold for a 3-account officine as for a 1,000-person distributor. A fact nobody
recorded (None: « je ne sais pas ») breaks no rule.

Every rule says, in plain French, what is wrong, why it matters and what to do, and names the
diagnostic questions and ANSSI measures it relates to. Tests: tests/inventory/test_rules.py,
one positive and one negative case per rule at least.
"""

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from .models import Account, Backup, CpsCard, Device, RemovableMedium, Software, WifiNetwork

CRITICAL, HIGH, MEDIUM = 1, 2, 3
# Marked for translation, translated where shown (gettext(SEVERITY_LABELS[…])).
SEVERITY_LABELS = {CRITICAL: gettext_noop("Critique"), HIGH: gettext_noop("Élevée"),
                   MEDIUM: gettext_noop("Moyenne")}


@dataclass(frozen=True)
class Hit:
    subject: str  # "account:12"; "" when the finding is about the organisation as a whole
    label: str  # the item as people know it
    detail: str = ""  # what exactly is wrong with it


@dataclass
class Snapshot:
    """One organisation's inventory, loaded once for every rule (inventory.selectors)."""

    accounts: list = field(default_factory=list)
    devices: list = field(default_factory=list)
    software: list = field(default_factory=list)
    wifi: list = field(default_factory=list)
    media: list = field(default_factory=list)
    cards: list = field(default_factory=list)
    backups: list = field(default_factory=list)
    # The end-of-life status of each (name, version, paid, day) already looked up: a few
    # systems are shared by thousands of devices, and a catalogue lookup costs milliseconds.
    cycles: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: int
    title: str
    explanation: str
    remediation: str
    check: Callable[[Snapshot, datetime.date], Iterable[Hit]]
    questions: tuple[str, ...] = ()
    anssi: tuple[int, ...] = ()
    effort: str = "faible"


def subject(item) -> str:
    return f"{item._meta.model_name}:{item.pk}"


def _hit(item, detail=""):
    return Hit(subject(item), str(item)[:200], detail)


def fr_date(day: datetime.date) -> str:
    """dd/mm/yyyy, as day.strftime("%d/%m/%Y") writes it, in a quarter of the time (an
    import of 100,000 accounts writes hundreds of thousands of dates)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


# ---------------------------------------------------------------------------------- accounts

def departed_still_enabled(snapshot, today):
    for account in snapshot.accounts:
        person = account.holder
        if (account.enabled and person is not None and person.departure_date
                and person.departure_date <= today):
            yield _hit(account, f"{person} a quitté la structure le "
                                f"{fr_date(person.departure_date)}.")


def shared_admin(snapshot, today):
    for account in snapshot.accounts:
        if account.enabled and account.is_admin and (
                account.holder_kind == Account.Holder.SHARED or is_generic_login(account.login)):
            yield _hit(account)


def admin_without_mfa(snapshot, today):
    for account in snapshot.accounts:
        if account.enabled and account.is_admin and account.mfa is False:
            yield _hit(account)


def password_never_expires(snapshot, today):
    for account in snapshot.accounts:
        if (account.enabled and account.password_never_expires
                and account.holder_kind == Account.Holder.PERSON and not account.is_admin):
            yield _hit(account)


def old_admin_password(snapshot, today):
    limit = today - datetime.timedelta(days=3 * 365)
    for account in snapshot.accounts:
        if not (account.enabled and account.is_admin):
            continue
        if account.password_last_set and account.password_last_set < limit:
            yield _hit(account, f"Changé pour la dernière fois le "
                                f"{fr_date(account.password_last_set)}.")
        elif account.password_last_set is None and account.password_never_expires:
            yield _hit(account, "Jamais changé depuis sa création, et sans expiration.")


def unused_account(snapshot, today):
    limit = today - datetime.timedelta(days=182)
    for account in snapshot.accounts:
        if account.enabled and account.last_used and account.last_used < limit:
            yield _hit(account, f"Dernière utilisation le {fr_date(account.last_used)}.")


# Names that say nothing about who uses the account, or that every attacker tries first.
GENERIC_LOGINS = {
    "administrateur", "administrator", "admin", "root", "pharmacie", "officine", "labo",
    "laboratoire", "user", "utilisateur", "test", "invite", "guest", "comptoir", "accueil",
    "caisse", "poste", "sa", "support", "maintenance", "stagiaire", "secretariat", "compta",
}


def is_generic_login(login: str) -> bool:
    """« Administrateur », "PHARMACIE\\admin", "admin@pharmacie.fr", "poste1"…"""
    name = login.strip().lower()
    name = name.rsplit("\\", 1)[-1].split("@", 1)[0]
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = re.sub(r"[\d._-]+$", "", name)
    return name in GENERIC_LOGINS


def generic_login(snapshot, today):
    for account in snapshot.accounts:
        if (account.enabled and not account.is_admin
                and account.holder_kind != Account.Holder.SERVICE
                and is_generic_login(account.login)):
            yield _hit(account)


# ----------------------------------------------------------------------------------- devices

def _cycle_status(name, version, extended_paid, today, memo=None):
    """(cycle, status) of a system or software; `memo` (the snapshot's) keeps each answer
    for the rest of the run."""
    if memo is None:
        return _lookup_cycle_status(name, version, extended_paid, today)
    key = (name, version, extended_paid, today)
    if key not in memo:
        memo[key] = _lookup_cycle_status(name, version, extended_paid, today)
    return memo[key]


def _lookup_cycle_status(name, version, extended_paid, today):
    from .catalogue import get_catalogue

    catalogue = get_catalogue()
    cycle = catalogue.match(name, version)
    if cycle is None:
        return None, None
    status = cycle.status(today, extended_paid=extended_paid)
    if status == "ended" and not _version_known(name, version):
        # "Windows 11 Pro" without its version: ended only if every version has.
        candidates = catalogue.candidates(name, version)
        if any(c.status(today, extended_paid=extended_paid) != "ended" for c in candidates):
            return cycle, "unknown"
    return cycle, status


def _version_known(name, version):
    return bool(version.strip()) or bool(re.search(r"\b\d{2}H\d\b|\b\d+\.\d+", name, re.I))


def end_of_life_system(snapshot, today):
    for device in snapshot.devices:
        if not device.os_name:
            continue
        cycle, status = _cycle_status(device.os_name, device.os_version,
                                      device.extended_support_paid, today, snapshot.cycles)
        if status == "ended":
            end = cycle.effective_end(device.extended_support_paid)
            when = f" le {fr_date(end)}" if end else ""
            yield _hit(device, f"{cycle.product_label} {cycle.label} : support terminé{when}.")


def end_of_life_software(snapshot, today):
    for software in snapshot.software:
        if software.support_end:
            if software.support_end < today:
                yield _hit(software, f"Support terminé le {fr_date(software.support_end)}.")
            continue
        cycle, status = _cycle_status(software.name, software.version,
                                      software.extended_support_paid, today,
                                      snapshot.cycles)
        if status == "ended":
            end = cycle.effective_end(software.extended_support_paid)
            when = f" le {fr_date(end)}" if end else ""
            yield _hit(software, f"{cycle.product_label} {cycle.label} : support terminé{when}.")


def not_updated(snapshot, today):
    limit = today - datetime.timedelta(days=30)
    for device in snapshot.devices:
        if device.kind in Device.COMPUTERS and device.last_update and device.last_update < limit:
            yield _hit(device, f"Dernière mise à jour le {fr_date(device.last_update)}.")


def unencrypted_mobile(snapshot, today):
    for device in snapshot.devices:
        if device.kind in Device.MOBILE and device.disk_encrypted is False:
            yield _hit(device)
    for medium in snapshot.media:
        if medium.encrypted is False:
            yield _hit(medium)


# Ports whose service should never answer on a pharmacy's network without a good reason,
# and why, in words a titulaire understands.
RISKY_PORTS = {
    21: "FTP (transferts de fichiers en clair)",
    23: "Telnet (administration en clair)",
    139: "partage de fichiers Windows (NetBIOS)",
    445: "partage de fichiers Windows (SMB)",
    1433: "base de données SQL Server",
    1521: "base de données Oracle",
    3306: "base de données MySQL ou MariaDB",
    3389: "bureau à distance Windows (RDP)",
    5432: "base de données PostgreSQL",
    5800: "prise en main à distance VNC",
    5900: "prise en main à distance VNC",
    5938: "TeamViewer",
    6379: "base de données Redis",
    7070: "AnyDesk",
    27017: "base de données MongoDB",
}
# Equipment whose administration page should not be served in plain HTTP.
ADMIN_WEB_KINDS = {Device.Kind.ROUTER, Device.Kind.NAS, Device.Kind.CAMERA,
                   Device.Kind.PRINTER, Device.Kind.ACCESS_POINT, Device.Kind.FIREWALL}
PLAIN_HTTP_PORTS = {80, 8080, 8000}


def risky_services(snapshot, today):
    for device in snapshot.devices:
        found = []
        for port in device.open_ports or ():
            number = port.get("port")
            if number in RISKY_PORTS:
                found.append(f"{number} : {RISKY_PORTS[number]}")
            elif number in PLAIN_HTTP_PORTS and device.kind in ADMIN_WEB_KINDS:
                found.append(f"{number} : page d'administration sans chiffrement (HTTP)")
        if found:
            yield _hit(device, "Ports ouverts : " + " ; ".join(found) + ".")


# ------------------------------------------------------------------------ Wi-Fi, CPS, backups

def weak_wifi(snapshot, today):
    for network in snapshot.wifi:
        if network.security in (WifiNetwork.Security.OPEN, WifiNetwork.Security.WEP,
                                WifiNetwork.Security.WPA) and not network.is_guest:
            yield _hit(network, f"Sécurité : {network.get_security_display()}.")
        elif network.security == WifiNetwork.Security.WEP:
            yield _hit(network, "Sécurité : WEP.")


def guest_wifi_not_separated(snapshot, today):
    for network in snapshot.wifi:
        if network.is_guest and network.separated is False:
            yield _hit(network)


def cps_shared(snapshot, today):
    for card in snapshot.cards:
        if card.lent:
            yield _hit(card, "Prêtée ou utilisée par d'autres personnes.")
        elif card.kept_secure is False:
            yield _hit(card, "Ni rangée en lieu sûr, ni son code gardé secret.")


def no_offline_backup(snapshot, today):
    if not snapshot.backups:
        yield Hit("", "Sauvegardes", "Aucune sauvegarde n'est inscrite à l'inventaire.")
    elif not any(backup.offline_copy for backup in snapshot.backups) and any(
            backup.offline_copy is False for backup in snapshot.backups):
        yield Hit("", "Sauvegardes", "Aucune des sauvegardes inscrites n'a de copie hors ligne.")


def restore_not_tested(snapshot, today):
    limit = today - datetime.timedelta(days=365)
    for backup in snapshot.backups:
        if backup.last_restore_test is None:
            yield _hit(backup, "Aucun test de restauration noté.")
        elif backup.last_restore_test < limit:
            yield _hit(backup, f"Dernier test le {fr_date(backup.last_restore_test)}.")


def backup_not_321(snapshot, today):
    """The 3-2-1 of the 3-2-1-1-0 rule, on what is known: fewer than three copies, fewer
    than two media, no copy off-site. (The offline copy and the restore test have their
    own rules.)"""
    for backup in snapshot.backups:
        missing = []
        if backup.copies is not None and backup.copies < 3:
            missing.append("une seule copie" if backup.copies <= 1
                           else f"{backup.copies} copies")
        if backup.media is not None and backup.media < 2:
            missing.append("un seul support")
        if backup.offsite is False:
            missing.append("aucune copie hors des locaux")
        if missing:
            text = " ; ".join(missing)
            yield _hit(backup, f"{text[0].upper()}{text[1:]} (il faut trois copies, sur "
                               f"deux supports, dont une hors des locaux).")


def backup_errors(snapshot, today):
    for backup in snapshot.backups:
        if backup.errors_at_last_check:
            errors = backup.errors_at_last_check
            yield _hit(backup, f"{errors} erreur{'s' if errors > 1 else ''} à la dernière "
                               "vérification.")


RULES = (
    Rule("compte-parti-actif", CRITICAL,
         "Des comptes de personnes parties sont encore actifs",
         "Une personne qui a quitté la structure peut encore se connecter, ou quelqu'un "
         "d'autre avec ses identifiants, sans que personne ne le remarque.",
         "Désactivez ces comptes aujourd'hui, puis supprimez-les une fois les données "
         "récupérées ; ajoutez la désactivation des comptes à la procédure de départ.",
         departed_still_enabled, ("cpt-departs",), (6,)),
    Rule("admin-partage", HIGH,
         "Des comptes administrateur sont partagés ou génériques",
         "Un compte administrateur partagé ne dit pas qui a fait quoi, et son mot de passe "
         "circule : c'est la clé de toute l'installation.",
         "Donnez à chaque personne qui administre son propre compte administrateur, et "
         "désactivez les comptes génériques après avoir changé leur mot de passe.",
         shared_admin, ("cpt-nominatifs", "cpt-inventaire-admins"), (5, 8)),
    Rule("admin-sans-mfa", CRITICAL,
         "Des comptes administrateur n'ont pas de double authentification",
         "Un mot de passe d'administrateur volé par hameçonnage suffit alors à prendre la "
         "main sur le système.",
         "Activez la double authentification sur ces comptes, en commençant par la "
         "messagerie, l'accès à distance et la console d'administration.",
         admin_without_mfa, ("cpt-mfa-comptes", "cpt-mfa-distance"), (13,)),
    Rule("mdp-sans-expiration", MEDIUM,
         "Des mots de passe n'expirent jamais",
         "Un mot de passe sans expiration n'est pas une faute en soi (la CNIL ne demande plus "
         "de changement périodique), mais il doit alors être long, unique et changé dès qu'il "
         "a pu fuiter.",
         "Vérifiez que ces comptes suivent la règle de longueur de la structure, et qu'un "
         "blocage après plusieurs erreurs est actif.",
         password_never_expires, ("cpt-mdp-regles",), (10,)),
    Rule("mdp-admin-ancien", HIGH,
         "Des mots de passe administrateur n'ont pas changé depuis plus de trois ans",
         "Un ancien salarié ou un ancien prestataire peut encore les connaître.",
         "Changez ces mots de passe, rangez-les dans le coffre-fort, et changez-les à chaque "
         "départ de quelqu'un qui les connaissait.",
         old_admin_password, ("cpt-admin-renouvellement",), (5, 10)),
    Rule("compte-inutilise", MEDIUM,
         "Des comptes actifs ne servent plus depuis six mois",
         "Un compte oublié n'est surveillé par personne : s'il est piraté, personne ne le "
         "remarque.",
         "Désactivez les comptes qui ne servent plus ; réactivez-les à la demande.",
         unused_account, ("cpt-departs",), (5, 6)),
    Rule("compte-generique", MEDIUM,
         "Des comptes portent un nom générique",
         "« pharmacie », « accueil » ou « admin » : ces comptes ne disent pas qui s'en sert, "
         "et ce sont les premiers noms qu'un attaquant essaie.",
         "Remplacez-les par des comptes nominatifs ; si un compte commun reste nécessaire "
         "(poste d'accueil), retirez-lui tout droit d'administration.",
         generic_login, ("cpt-nominatifs",), (8,)),
    Rule("systeme-fin-de-support", CRITICAL,
         "Des appareils tournent sur un système qui n'est plus mis à jour",
         "Les failles découvertes après la fin du support ne seront jamais corrigées : "
         "l'appareil reste ouvert à des attaques connues de tous.",
         "Remplacez ou mettez à niveau ces systèmes ; en attendant, isolez-les d'Internet et "
         "du reste du réseau.",
         end_of_life_system, ("maj-fin-support",), (35,), effort="important"),
    Rule("logiciel-fin-de-support", HIGH,
         "Des logiciels ne sont plus maintenus par leur éditeur",
         "Un logiciel sans correctifs de sécurité est une porte que l'éditeur ne fermera plus.",
         "Passez à une version maintenue, ou remplacez le logiciel ; demandez à l'éditeur sa "
         "date de fin de support.",
         end_of_life_software, ("maj-fin-support", "maj-logiciels"), (34, 35),
         effort="moyen"),
    Rule("appareil-non-mis-a-jour", HIGH,
         "Des appareils n'ont pas été mis à jour depuis plus de 30 jours",
         "Les mises à jour de sécurité corrigent des failles que les attaquants exploitent "
         "dans les jours qui suivent leur publication.",
         "Activez les mises à jour automatiques et vérifiez chaque mois qu'elles "
         "s'installent.",
         not_updated, ("maj-systemes",), (34,)),
    Rule("mobile-non-chiffre", HIGH,
         "Des appareils nomades ou des supports amovibles ne sont pas chiffrés",
         "Perdu ou volé, un appareil non chiffré livre ses données à qui le trouve : c'est "
         "une violation de données à déclarer.",
         "Activez le chiffrement (BitLocker, FileVault, chiffrement du téléphone) et "
         "remplacez les clés USB par des modèles chiffrés.",
         unencrypted_mobile, ("nomade-chiffrement", "poste-usb"), (15, 31)),
    Rule("service-a-risque", HIGH,
         "Des services à risque sont ouverts sur des appareils",
         "Bureau à distance, partage de fichiers, bases de données ou prise en main à "
         "distance ouverts sans nécessité sont les premières portes qu'essaient les robots "
         "d'attaque, surtout s'ils sont joignables depuis Internet.",
         "Fermez les services inutiles ; pour les autres, limitez-les au réseau interne, "
         "derrière un VPN avec double authentification, et vérifiez qu'ils ne sont pas "
         "visibles depuis Internet.",
         risky_services, ("res-services-exposes", "res-protocoles"), (21, 23), effort="moyen"),
    Rule("wifi-faible", HIGH,
         "Un Wi-Fi de travail est ouvert ou protégé par un chiffrement dépassé",
         "Un Wi-Fi ouvert, en WEP ou en WPA se pénètre depuis le trottoir en quelques "
         "minutes.",
         "Passez la borne en WPA2 ou WPA3 avec un mot de passe d'au moins 16 caractères.",
         weak_wifi, ("res-wifi",), (20,)),
    Rule("wifi-invites-non-separe", HIGH,
         "Le Wi-Fi des visiteurs n'est pas séparé du réseau de travail",
         "Un téléphone de visiteur infecté peut alors atteindre les postes et le serveur.",
         "Isolez le réseau des visiteurs (réseau invité de la box ou VLAN séparé).",
         guest_wifi_not_separated, ("res-wifi-invites", "off-wifi-clients"), (20,)),
    Rule("cps-partagee", HIGH,
         "Des cartes CPS sont prêtées ou mal gardées",
         "Les actes faits avec une carte sont attribués à son titulaire, qui en répond.",
         "Chacun utilise sa propre carte ; retirez-la du lecteur en cas d'absence et gardez "
         "le code secret.",
         cps_shared, ("off-cps", "cpt-cps"), (8,)),
    Rule("pas-de-sauvegarde-hors-ligne", CRITICAL,
         "Aucune sauvegarde hors ligne",
         "Un rançongiciel chiffre aussi les sauvegardes qu'il peut atteindre par le réseau.",
         "Gardez toujours une copie débranchée du réseau (disque externe chiffré mis en "
         "lieu sûr, ou copie non modifiable chez un hébergeur).",
         no_offline_backup, ("sauv-hors-ligne",), (37,), effort="moyen"),
    Rule("restauration-non-testee", CRITICAL,
         "Des sauvegardes n'ont pas été testées depuis plus d'un an",
         "Une sauvegarde jamais restaurée est une promesse : beaucoup de structures ne "
         "découvrent qu'après l'attaque que la leur ne fonctionnait pas.",
         "Restaurez au moins une fois par an (tous les trois mois, c'est mieux) un jeu de "
         "données réel sur un poste de test, et notez la date, la durée et le résultat dans "
         "les tests de restauration de la continuité d'activité.",
         restore_not_tested, ("sauv-test",), (37,), effort="moyen"),
    Rule("sauvegarde-321", HIGH,
         "Des sauvegardes ne suivent pas la règle 3-2-1",
         "Avec une seule copie, ou toutes les copies au même endroit, un seul incident "
         "(panne du disque, incendie, vol, rançongiciel) peut tout emporter.",
         "Gardez trois copies des données (l'original compris), sur deux supports "
         "différents, dont une hors des locaux : par exemple un disque externe chiffré "
         "emporté chaque semaine, ou une copie chez un hébergeur.",
         backup_not_321, ("sauv-hors-ligne",), (37,), effort="moyen"),
    Rule("sauvegarde-en-erreur", HIGH,
         "La dernière vérification d'une sauvegarde a trouvé des erreurs",
         "Une sauvegarde en erreur peut manquer des fichiers, ou ne plus rien copier du "
         "tout, sans que personne ne s'en aperçoive.",
         "Lisez le compte rendu avec votre prestataire, faites corriger la cause, puis "
         "vérifiez que la sauvegarde suivante se termine sans erreur.",
         backup_errors, ("sauv-quotidienne",), (37,)),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}


def run_rules(snapshot: Snapshot, today: datetime.date, rules=RULES):
    """{(rule id, subject): (rule, hit)} for every hit of every rule."""
    found = {}
    for rule in rules:
        for hit in rule.check(snapshot, today):
            found[(rule.id, hit.subject)] = (rule, hit)
    return found


ITEM_MODELS = (Account, Device, Software, WifiNetwork, RemovableMedium, CpsCard, Backup)
