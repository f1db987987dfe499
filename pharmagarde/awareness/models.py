"""Awareness: fake phishing campaigns that lead to a teaching page, the e-learning modules
assigned to the staff and their completion records.

The templates of the library and the modules are data files (library/, modules/), not rows:
a campaign keeps a copy of what it sent (Campaign.content), an assignment the key of its
module. People are the staff directory's (core.Person); StaffGroup adds the groups a
campaign or an assignment targets (by site, imported from the directory, or by hand).

Sending and tracking are built to scale (docs/awareness.md):
- one Recipient row per person and campaign, with an unguessable token; a worker claims due
  rows with a lease, so any number of workers share a campaign, and a killed worker's rows
  are taken over when its lease ends;
- a message is marked sent in the database before the last line of its SMTP transaction
  (the « . » that makes the server accept it): a worker killed before that line sent
  nothing (the server drops an unfinished message), one killed after it has its row marked;
- a tracking hit is one lookup by token (unique index), one Event insert and one
  conditional UPDATE of the recipient (statuses only move upward): its cost does not grow
  with the campaign or the number of campaigns.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import Organisation, Person


def new_token() -> str:
    """43 URL-safe characters: 256 random bits."""
    return secrets.token_urlsafe(32)


class StaffGroup(models.Model):
    class Kind(models.TextChoices):
        MANUAL = "manuel", _("Groupe fait à la main")
        SITE = "site", _("Site")
        DIRECTORY = "annuaire", _("Groupe de l'annuaire (Active Directory)")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nom"), max_length=150)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices,
                            default=Kind.MANUAL)
    members = models.ManyToManyField(Person, blank=True, related_name="+",
                                     verbose_name=_("membres"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("groupe")
        constraints = [models.UniqueConstraint(fields=["organisation", "kind", "name"],
                                               name="awareness_group_name")]

    def __str__(self):
        return self.name


class SendingProfile(models.Model):
    """An SMTP server the campaigns are sent through; its password encrypted at rest
    (core.crypto, purpose "awareness.smtp")."""

    class Security(models.TextChoices):
        STARTTLS = "starttls", _("STARTTLS (port 587)")
        TLS = "tls", _("TLS implicite (port 465)")
        NONE = "aucune", _("Aucune (serveur local seulement)")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nom"), max_length=100)
    host = models.CharField(_("serveur SMTP"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=587)
    security = models.CharField(_("sécurité"), max_length=10, choices=Security.choices,
                                default=Security.STARTTLS)
    username = models.CharField(_("identifiant"), max_length=200, blank=True)
    password = models.TextField(editable=False, blank=True)  # encrypted
    from_address = models.EmailField(_("adresse d'envoi (enveloppe)"))
    # Messages per minute, across every worker; 0: no limit (a local relay).
    rate_per_minute = models.PositiveIntegerField(_("messages par minute au plus"),
                                                  default=60)
    tested_at = models.DateTimeField(_("testé le"), null=True, blank=True, editable=False)
    test_ok = models.BooleanField(null=True, blank=True, editable=False)
    test_message = models.CharField(max_length=300, blank=True, editable=False)
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("profil d'envoi")

    def __str__(self):
        return self.name


class CustomTemplate(models.Model):
    """A phishing template written by the organisation (the library's are data files)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nom"), max_length=150)
    sender_name = models.CharField(_("nom de l'expéditeur affiché"), max_length=150)
    sender_address = models.EmailField(_("adresse de l'expéditeur affichée"))
    subject = models.CharField(_("objet"), max_length=200)
    html = models.TextField(_("message (HTML)"), max_length=50000)  # cleaned by nh3
    text = models.TextField(_("message (texte)"), max_length=20000, blank=True)
    # [{"type", "extrait", "explication"}], as the library's clues.
    clues = models.JSONField(_("indices"), default=list, blank=True)
    difficulty = models.PositiveSmallIntegerField(_("difficulté"), default=2)
    module = models.CharField(_("module de formation proposé"), max_length=40, blank=True)
    fake_form = models.JSONField(default=dict, blank=True)
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("modèle personnalisé")

    def __str__(self):
        return self.name


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "brouillon", _("Brouillon")
        # Launched: its rows wait for their send time (the first may be days away).
        SENDING = "envoi", _("Lancée")
        PAUSED = "pause", _("En pause")
        STOPPED = "arretee", _("Arrêtée")
        DONE = "terminee", _("Envois terminés")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(editable=False)
    name = models.CharField(_("nom"), max_length=150)
    template_key = models.CharField(_("modèle de la bibliothèque"), max_length=60,
                                    blank=True)
    custom_template = models.ForeignKey(CustomTemplate, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+",
                                        verbose_name=_("modèle personnalisé"))
    profile = models.ForeignKey(SendingProfile, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+",
                                verbose_name=_("profil d'envoi"))
    groups = models.ManyToManyField(StaffGroup, blank=True, related_name="+",
                                    verbose_name=_("groupes visés"))
    people = models.ManyToManyField(Person, blank=True, related_name="+",
                                    verbose_name=_("personnes visées"))
    jobs = models.JSONField(_("fonctions visées"), default=list, blank=True)
    fake_form = models.BooleanField(_("faux formulaire de connexion"), default=False)
    start_at = models.DateTimeField(_("début des envois"), null=True, blank=True)
    send_by = models.DateTimeField(_("tout envoyer avant le"), null=True, blank=True)
    window_start = models.TimeField(_("envois à partir de"), null=True, blank=True)
    window_end = models.TimeField(_("envois jusqu'à"), null=True, blank=True)
    weekdays = models.JSONField(_("jours d'envoi"), default=list, blank=True)  # 0 = Monday
    spread = models.BooleanField(_("espacer les envois au hasard"), default=True)
    enrol = models.BooleanField(_("inscrire au module ceux qui cliquent"), default=True)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT)
    # Named results: a recorded reason and the staff told beforehand (C. trav. L. 1222-4).
    named = models.BooleanField(_("résultats nominatifs"), default=False)
    named_reason = models.TextField(_("raison des résultats nominatifs"), max_length=1000,
                                    blank=True)
    # When the person who set the named mode confirmed the staff had been told (the
    # earliest such confirmation is kept).
    named_informed_at = models.DateTimeField(_("personnel informé le"), null=True,
                                             blank=True, editable=False)
    # What was sent, copied at launch: {"subject", "sender_name", "sender_address", "html",
    # "text", "clues", "module", "form", "lesson"}.
    content = models.JSONField(default=dict, blank=True, editable=False)
    launched_at = models.DateTimeField(null=True, blank=True, editable=False)
    launched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campagne")
        constraints = [models.UniqueConstraint(fields=["organisation", "number"],
                                               name="awareness_campaign_number")]

    def __str__(self):
        return self.name


class Recipient(models.Model):
    """One person of one campaign. `delivery` says where its message is; `result` how far
    the person went (0 nothing, 1 opened, 2 clicked, 3 submitted: only ever raised)."""

    class Delivery(models.TextChoices):
        QUEUED = "attente", _("En attente")
        CLAIMED = "envoi", _("En cours d'envoi")
        SENT = "envoye", _("Envoyé")
        FAILED = "echec", _("Échec")
        CANCELLED = "annule", _("Annulé")

    class Result(models.IntegerChoices):
        NONE = 0, _("Aucune action")
        OPENED = 1, _("Ouvert")
        CLICKED = 2, _("Lien cliqué")
        SUBMITTED = 3, _("Formulaire envoyé")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE,
                                 related_name="recipients")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    email = models.EmailField()
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    job = models.CharField(max_length=100, blank=True)
    site = models.CharField(max_length=150, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    send_at = models.DateTimeField()
    delivery = models.CharField(max_length=8, choices=Delivery.choices,
                                default=Delivery.QUEUED)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    result = models.PositiveSmallIntegerField(choices=Result.choices, default=Result.NONE)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    scanner_hits = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("destinataire")
        constraints = [models.UniqueConstraint(fields=["campaign", "email"],
                                               name="awareness_recipient_once")]
        indexes = [models.Index(fields=["campaign", "delivery", "send_at"],
                                name="awareness_due")]

    def __str__(self):
        return self.email


class Event(models.Model):
    """One tracking hit or delivery fact. Inserted, never updated; the client address is
    kept truncated (/24, /48) and the user agent cut to 300 characters."""

    class Kind(models.TextChoices):
        SENT = "envoi", _("Envoyé")
        OPENED = "ouverture", _("Ouvert")
        CLICKED = "clic", _("Lien cliqué")
        SECOND_STEP = "lecture", _("Page pédagogique lue")
        SUBMITTED = "formulaire", _("Formulaire envoyé")
        REPORTED = "signalement", _("Signalé")
        FAILED = "echec", _("Échec d'envoi")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField()
    scanner = models.BooleanField(default=False)
    # Why it is thought to come from a mail scanner, in French (« requête HEAD »…).
    scanner_reason = models.CharField(max_length=120, blank=True)
    client = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["campaign", "at"], name="awareness_event_time")]

    def __str__(self):
        return f"{self.kind} {self.recipient_id}"


class ReportMailbox(models.Model):
    """The mailbox staff forward suspicious e-mails to, polled by the worker (IMAP): a
    forwarded campaign message counts as reported."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="+")
    host = models.CharField(_("serveur IMAP"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    tls = models.BooleanField(_("TLS implicite"), default=True)
    username = models.CharField(_("identifiant"), max_length=200)
    password = models.TextField(editable=False, blank=True)  # encrypted
    folder = models.CharField(_("dossier"), max_length=100, default="INBOX")
    enabled = models.BooleanField(_("relever la boîte"), default=True)
    polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=300, blank=True, editable=False)
    revision = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self):
        return f"{self.username}@{self.host}"


class Assignment(models.Model):
    """A module a person is asked to take, and its completion."""

    class Source(models.TextChoices):
        MANUAL = "manuel", _("Assigné")
        CAMPAIGN = "campagne", _("Après un clic dans une campagne")
        SELF = "libre", _("Suivi librement")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    module = models.CharField(_("module"), max_length=40)
    due_on = models.DateField(_("à faire avant le"), null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    # The personal link of staff without an account: /formation/<token>/.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("formation assignée")
        constraints = [models.UniqueConstraint(
            fields=["person", "module"], condition=Q(completed_at=None),
            name="awareness_one_open_assignment")]
        indexes = [models.Index(fields=["organisation", "completed_at", "due_on"])]

    def __str__(self):
        return f"{self.module} — {self.person_id}"
