"""The inventory of an organisation: accounts, devices, software, Wi-Fi networks, removable
media, CPS cards and backups; the history of their changes; the findings computed from them.

Every item belongs to one organisation and is fetched through core.access (access.py).
Booleans that a person may not know (« le disque est-il chiffré ? ») are nullable: None
means « je ne sais pas », which no rule treats as « non » (rules work on facts), but which
the lists show so that it can be checked.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import Organisation, Person

KNOWN = [(True, _("Oui")), (False, _("Non"))]


class Item(models.Model):
    """What every inventory item has: its organisation, notes, where it came from (a key
    that lets a re-import update it instead of adding a copy), and a revision for
    concurrent edits (core.concurrency)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="+")
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    import_key = models.CharField(max_length=200, blank=True, editable=False,
                                  help_text="Identifiant de l'élément dans la source importée.")
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Account(Item):
    class System(models.TextChoices):
        WINDOWS = "windows", _("Windows ou Active Directory")
        METIER = "metier", _("Logiciel métier (LGO, SIL…)")
        MESSAGERIE = "messagerie", _("Messagerie")
        MSSANTE = "mssante", _("MSSanté")
        DP = "dp", _("Dossier pharmaceutique ou services de santé en ligne")
        BANQUE = "banque", _("Banque")
        FOURNISSEUR = "fournisseur", _("Portail fournisseur ou grossiste")
        ACCES_DISTANCE = "acces-distance", _("Accès à distance (VPN, prise en main)")
        EQUIPEMENT = "equipement", _("Équipement (box, NAS, caméras…)")
        SITE = "site", _("Site Internet ou réseaux sociaux")
        AUTRE = "autre", _("Autre")

    class Holder(models.TextChoices):
        PERSON = "personne", _("Une personne")
        SHARED = "partage", _("Compte partagé")
        SERVICE = "service", _("Compte de service (logiciel, appareil)")

    system = models.CharField(_("système"), max_length=20, choices=System.choices,
                              default=System.WINDOWS)
    system_name = models.CharField(_("nom du système"), max_length=100, blank=True,
                                   help_text=_("Par exemple : le nom du LGO ou de la banque."))
    login = models.CharField(_("identifiant"), max_length=150)
    holder_kind = models.CharField(_("titulaire"), max_length=10, choices=Holder.choices,
                                   default=Holder.PERSON)
    holder = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("personne"))
    is_admin = models.BooleanField(_("administrateur"), default=False)
    mfa = models.BooleanField(_("double authentification"), null=True, blank=True)
    enabled = models.BooleanField(_("actif"), default=True)
    last_used = models.DateField(_("dernière utilisation"), null=True, blank=True)
    password_last_set = models.DateField(_("mot de passe changé le"), null=True, blank=True)
    password_never_expires = models.BooleanField(_("mot de passe sans expiration"),
                                                 null=True, blank=True)

    class Meta:
        ordering = ["system", "login", "id"]
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        indexes = [models.Index(fields=["organisation", "system", "login"])]

    def __str__(self):
        # As get_system_display(), which hashes every choice on each call: the findings and
        # the history of an import name 100,000 accounts.
        return account_label(self.login, self.system)


def account_label(login: str, system: str) -> str:
    """What str(account) gives, without an instance (an import names 100,000 accounts)."""
    return f"{login} ({_system_label(system)})"


SYSTEM_LABELS = dict(Account.System.choices)
_SYSTEM_LABEL_CACHE = {}


def _system_label(system: str) -> str:
    """The system's label in the current language, translated once per language."""
    key = (get_language(), system)
    if key not in _SYSTEM_LABEL_CACHE:
        _SYSTEM_LABEL_CACHE[key] = str(SYSTEM_LABELS.get(system, system))
    return _SYSTEM_LABEL_CACHE[key]


class Device(Item):
    class Kind(models.TextChoices):
        WORKSTATION = "poste", _("Poste de travail")
        LAPTOP = "portable", _("Ordinateur portable")
        SERVER = "serveur", _("Serveur")
        NAS = "nas", _("NAS (stockage en réseau)")
        PRINTER = "imprimante", _("Imprimante")
        CAMERA = "camera", _("Caméra ou enregistreur")
        PHONE = "telephone", _("Téléphone")
        TABLET = "tablette", _("Tablette")
        PAYMENT = "tpe", _("Terminal de paiement")
        ROBOT = "robot", _("Robot de dispensation")
        CABINET = "armoire", _("Armoire automatisée")
        ANALYSER = "automate", _("Automate d'analyse")
        MEDICAL = "dm", _("Dispositif médical connecté")
        ROUTER = "box", _("Box ou routeur")
        ACCESS_POINT = "borne-wifi", _("Borne Wi-Fi")
        FIREWALL = "pare-feu", _("Pare-feu")
        OTHER = "autre", _("Autre")

    # The kinds that carry data on the move: their disk should be encrypted.
    MOBILE = {Kind.LAPTOP, Kind.PHONE, Kind.TABLET}
    # The kinds whose system someone should keep updated.
    COMPUTERS = {Kind.WORKSTATION, Kind.LAPTOP, Kind.SERVER, Kind.PHONE, Kind.TABLET}

    name = models.CharField(_("nom"), max_length=150)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices,
                            default=Kind.WORKSTATION)
    os_name = models.CharField(_("système"), max_length=150, blank=True,
                               help_text=_("Par exemple : Windows 11 Pro, macOS 14."))
    os_version = models.CharField(_("version du système"), max_length=60, blank=True)
    last_update = models.DateField(_("dernière mise à jour"), null=True, blank=True)
    disk_encrypted = models.BooleanField(_("disque chiffré"), null=True, blank=True)
    antivirus = models.BooleanField(_("antivirus actif"), null=True, blank=True)
    extended_support_paid = models.BooleanField(
        _("support étendu payé"), default=False,
        help_text=_("Cochez si vous payez les mises à jour de sécurité étendues (ESU)."))
    owner = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("utilisateur principal"))
    location = models.CharField(_("emplacement"), max_length=100, blank=True)
    network_zone = models.CharField(_("zone réseau"), max_length=60, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    mac_address = models.CharField(_("adresse MAC"), max_length=17, blank=True)
    mac_vendor = models.CharField(_("fabricant (d'après l'adresse MAC)"), max_length=100,
                                  blank=True)
    # [{"port": 3389, "protocol": "tcp", "service": "ms-wbt-server", "product": "", "version": ""}]
    open_ports = models.JSONField(_("ports ouverts"), default=list, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("appareil")
        verbose_name_plural = _("appareils")
        indexes = [models.Index(fields=["organisation", "name"]),
                   models.Index(fields=["organisation", "ip_address"])]

    def __str__(self):
        return self.name


class Software(Item):
    name = models.CharField(_("nom"), max_length=150)
    vendor = models.CharField(_("éditeur"), max_length=100, blank=True)
    version = models.CharField(_("version"), max_length=60, blank=True)
    support_end = models.DateField(
        _("fin du support"), null=True, blank=True,
        help_text=_("Laissez vide : Pharmagarde la cherche dans son catalogue quand il la "
                    "connaît."))
    extended_support_paid = models.BooleanField(_("support étendu payé"), default=False)
    devices = models.ManyToManyField(Device, blank=True, related_name="software",
                                     verbose_name=_("installé sur"))

    class Meta:
        ordering = ["name", "version", "id"]
        verbose_name = _("logiciel")
        verbose_name_plural = _("logiciels")
        indexes = [models.Index(fields=["organisation", "name"])]

    def __str__(self):
        return f"{self.name} {self.version}".strip()


class WifiNetwork(Item):
    class Security(models.TextChoices):
        OPEN = "ouvert", _("Ouvert (sans mot de passe)")
        WEP = "wep", _("WEP")
        WPA = "wpa", _("WPA (première version)")
        WPA2 = "wpa2", _("WPA2")
        WPA3 = "wpa3", _("WPA3")
        UNKNOWN = "inconnu", _("Je ne sais pas")

    ssid = models.CharField(_("nom du réseau (SSID)"), max_length=64)
    security = models.CharField(_("sécurité"), max_length=10, choices=Security.choices,
                                default=Security.UNKNOWN)
    is_guest = models.BooleanField(_("réseau pour les visiteurs"), default=False)
    separated = models.BooleanField(
        _("séparé du réseau de travail"), null=True, blank=True,
        help_text=_("Pour un réseau de visiteurs : il ne donne accès ni aux postes ni aux "
                    "serveurs."))

    class Meta:
        ordering = ["ssid", "id"]
        verbose_name = _("réseau Wi-Fi")
        verbose_name_plural = _("réseaux Wi-Fi")

    def __str__(self):
        return self.ssid


class RemovableMedium(Item):
    class Kind(models.TextChoices):
        USB_KEY = "cle", _("Clé USB")
        DISK = "disque", _("Disque externe")
        OTHER = "autre", _("Autre")

    label = models.CharField(_("nom ou repère"), max_length=100)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices,
                            default=Kind.USB_KEY)
    encrypted = models.BooleanField(_("chiffré"), null=True, blank=True)
    holder = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("détenteur"))

    class Meta:
        ordering = ["label", "id"]
        verbose_name = _("support amovible")
        verbose_name_plural = _("supports amovibles")

    def __str__(self):
        return self.label


class CpsCard(Item):
    class Kind(models.TextChoices):
        CPS = "cps", _("Carte CPS")
        ECPS = "e-cps", _("e-CPS (application)")

    holder = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("titulaire de la carte"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices,
                            default=Kind.CPS)
    kept_secure = models.BooleanField(_("rangée en lieu sûr, code gardé secret"),
                                      null=True, blank=True)
    lent = models.BooleanField(_("prêtée ou utilisée par d'autres"), default=False)

    class Meta:
        ordering = ["holder__last_name", "id"]
        verbose_name = _("carte CPS")
        verbose_name_plural = _("cartes CPS et e-CPS")

    def __str__(self):
        return f"{self.get_kind_display()} — {self.holder}"


class Backup(Item):
    what = models.CharField(_("ce qui est sauvegardé"), max_length=150,
                            help_text=_("Par exemple : base du LGO, documents, comptabilité."))
    where = models.CharField(_("où"), max_length=150, blank=True,
                             help_text=_("Par exemple : NAS, disque externe, hébergeur."))
    frequency = models.CharField(_("fréquence"), max_length=60, blank=True)
    offline_copy = models.BooleanField(_("copie hors ligne ou non modifiable"), null=True,
                                       blank=True)
    encrypted = models.BooleanField(_("chiffrée"), null=True, blank=True)
    separate_credentials = models.BooleanField(
        _("identifiants séparés, avec double authentification"), null=True, blank=True)
    last_restore_test = models.DateField(_("dernier test de restauration"), null=True,
                                         blank=True)
    # The 3-2-1-1-0 rule: three copies, on two different media, one off-site, one offline
    # or immutable (offline_copy above), zero errors at the last check. None: not known.
    copies = models.PositiveSmallIntegerField(
        _("nombre de copies"), null=True, blank=True,
        help_text=_("Toutes les copies des données, l'original compris : il en faut trois au "
                    "moins."))
    media = models.PositiveSmallIntegerField(
        _("nombre de supports différents"), null=True, blank=True,
        help_text=_("Par exemple le serveur, un disque externe et un hébergeur : trois "
                    "supports. Il en faut deux au moins."))
    offsite = models.BooleanField(_("une copie hors des locaux"), null=True, blank=True)
    errors_at_last_check = models.PositiveIntegerField(
        _("erreurs à la dernière vérification"), null=True, blank=True,
        help_text=_("Le nombre d'erreurs du dernier compte rendu de sauvegarde : 0 si tout "
                    "s'est bien passé. Laissez vide si vous ne savez pas."))
    test_every_months = models.PositiveSmallIntegerField(
        _("tester la restauration tous les (mois)"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Tous les 3 mois conseillé, au moins une fois par an (12 mois)."))

    class Meta:
        ordering = ["what", "id"]
        verbose_name = _("sauvegarde")
        verbose_name_plural = _("sauvegardes")

    def __str__(self):
        return self.what


class ItemChange(models.Model):
    """One change of one item: who, when, and each field's value before and after."""

    class Action(models.TextChoices):
        CREATED = "created", _("Ajout")
        UPDATED = "updated", _("Modification")
        DELETED = "deleted", _("Suppression")
        IMPORTED = "imported", _("Import")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="+")
    item_type = models.CharField(max_length=30)
    item_id = models.PositiveBigIntegerField()
    item_label = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                              null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    # {field label: [before, after]}, as shown to people.
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "item_type", "item_id", "-at"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.item_label}"


class Finding(models.Model):
    """A problem a rule sees in the inventory, kept between recomputations so that its
    history (first seen, accepted as a risk) survives."""

    class Status(models.TextChoices):
        OPEN = "open", _("Ouvert")
        ACCEPTED = "accepted", _("Risque accepté")
        RESOLVED = "resolved", _("Résolu")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="+")
    rule = models.CharField(max_length=40)
    # The item it is about ("device:12"), or "" for the organisation as a whole.
    subject = models.CharField(max_length=60, blank=True)
    subject_label = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    severity = models.PositiveSmallIntegerField()  # 1 critique, 2 élevée, 3 moyenne
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    accepted_reason = models.CharField(_("raison"), max_length=500, blank=True)
    accepted_owner = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="+",
                                       verbose_name=_("responsable"))
    accepted_until = models.DateField(_("jusqu'au"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["severity", "rule", "subject_label", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "rule", "subject"],
                                               name="one_finding_per_rule_and_subject")]
        indexes = [models.Index(fields=["organisation", "status", "severity"])]

    def __str__(self):
        return f"{self.rule} {self.subject_label}"


class ImportBatch(models.Model):
    """A file read and matched, waiting to be confirmed (importers.py). Kept in the database
    so that the preview and the confirmation may be served by different processes."""

    class Source(models.TextChoices):
        AD = "ad", _("Export Active Directory")
        NMAP = "nmap", _("Scan nmap")
        TABLE = "tableau", _("Tableau CSV ou Excel (personnel, comptes, appareils)")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    filename = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    rows = models.JSONField(default=list)
    summary = models.JSONField(default=dict)
    warnings = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_source_display()} {self.filename}"


class ColumnMapping(models.Model):
    """The columns an organisation's last spreadsheet import used for each field: proposed
    again next time (tables.guess_mapping)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="+")
    target = models.CharField(max_length=20)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "target"],
                                               name="one_mapping_per_target")]

    def __str__(self):
        return self.target
