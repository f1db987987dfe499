"""Organisations, memberships and roles, people (staff), invitations, the audit log, and
the mail machinery: preferences, outgoing e-mail, reminders and the scheduler's runs."""

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pharmagarde.lib.identifiers import finess_error, normalise, siret_error

from .i18n import translated


class OrganisationKind(models.TextChoices):
    OFFICINE = "officine", _("Officine")
    PUI = "pui", _("Pharmacie à usage intérieur (PUI)")
    LBM = "lbm", _("Laboratoire de biologie médicale (LBM)")
    INDUSTRIE = "industrie", _("Industrie pharmaceutique")
    DISTRIBUTION = "distribution", _("Distribution en gros")
    # A council of the Ordre, a groupement, a hospital group: its members are organisations
    # that accepted to join, and it sees only their anonymous aggregates (federation app).
    FEDERATION = "federation", _("Fédération (conseil de l'Ordre, groupement, GHT)")


# The kinds of organisation that hold their own data (referentials, playbooks, templates
# exist for each of them); a federation holds only its members' aggregates.
MEMBER_KINDS = tuple(kind for kind in OrganisationKind.values
                     if kind != OrganisationKind.FEDERATION)


class Region(models.TextChoices):
    ARA = "ARA", "Auvergne-Rhône-Alpes"
    BFC = "BFC", "Bourgogne-Franche-Comté"
    BRE = "BRE", "Bretagne"
    CVL = "CVL", "Centre-Val de Loire"
    COR = "COR", "Corse"
    GES = "GES", "Grand Est"
    HDF = "HDF", "Hauts-de-France"
    IDF = "IDF", "Île-de-France"
    NOR = "NOR", "Normandie"
    NAQ = "NAQ", "Nouvelle-Aquitaine"
    OCC = "OCC", "Occitanie"
    PDL = "PDL", "Pays de la Loire"
    PAC = "PAC", "Provence-Alpes-Côte d'Azur"
    GUA = "GUA", "Guadeloupe"
    GUF = "GUF", "Guyane"
    MTQ = "MTQ", "Martinique"
    REU = "REU", "La Réunion"
    MAY = "MAY", "Mayotte"


class SizeBand(models.TextChoices):
    MICRO = "1-9", _("1 à 9 personnes")
    SMALL = "10-49", _("10 à 49 personnes")
    MEDIUM = "50-249", _("50 à 249 personnes")
    LARGE = "250+", _("250 personnes et plus")


def validate_siret(value):
    if error := siret_error(value):
        raise ValidationError(translated(error))


def validate_finess(value):
    if error := finess_error(value):
        raise ValidationError(translated(error))


class Organisation(models.Model):
    slug = models.SlugField(_("identifiant d'adresse"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=150)
    kind = models.CharField(_("type de structure"), max_length=20, choices=OrganisationKind)
    siret = models.CharField(
        _("SIRET"), max_length=14, blank=True, validators=[validate_siret],
        help_text=_("14 chiffres, figurant sur l'extrait Kbis ou l'avis de situation INSEE."),
    )
    finess = models.CharField(
        _("numéro FINESS"), max_length=9, blank=True, validators=[validate_finess],
        help_text=_("9 caractères, attribué par l'ARS (FINESS géographique)."),
    )
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    region = models.CharField(_("région"), max_length=3, choices=Region, blank=True)
    size_band = models.CharField(
        _("effectif"), max_length=6, choices=SizeBand, default=SizeBand.MICRO
    )
    require_mfa_for_all = models.BooleanField(
        _("exiger la double authentification pour tous les membres"), default=False,
        help_text=_(
            "Elle est toujours exigée des responsables et des référents cybersécurité."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Who created it: organisations created by one account are one unit in anonymous
    # comparisons (lib/smallcells.py), even after the creator has left them.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+", editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")

    def __str__(self):
        return self.name

    def clean(self):
        self.siret = normalise(self.siret)
        self.finess = normalise(self.finess)
        if not self.siret and not self.finess:
            message = _("Indiquez au moins un identifiant : le SIRET ou le numéro FINESS.")
            raise ValidationError({"siret": message, "finess": message})


class Role(models.TextChoices):
    RESPONSABLE = "responsable", _("Responsable (titulaire, gérant, pharmacien responsable)")
    REFERENT = "referent", _("Référent cybersécurité")
    COLLABORATEUR = "collaborateur", _("Collaborateur")
    DPO = "dpo", _("Délégué à la protection des données (DPO)")
    AUDITEUR = "auditeur", _("Auditeur (lecture seule)")


ROLES_REQUIRING_MFA = {Role.RESPONSABLE, Role.REFERENT}


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership")
        ]
        ordering = ["organisation__name"]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    @property
    def can_write(self):
        return self.role != Role.AUDITEUR

    @property
    def can_manage(self):
        """Members, roles, organisation settings and the audit log."""
        return self.role == Role.RESPONSABLE

    @property
    def requires_mfa(self):
        return self.role in ROLES_REQUIRING_MFA or self.organisation.require_mfa_for_all


class Person(models.Model):
    """A member of staff, with or without a login: training and phishing targets, owners."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="people"
    )
    first_name = models.CharField(_("prénom"), max_length=80)
    last_name = models.CharField(_("nom"), max_length=80)
    email = models.EmailField(_("adresse e-mail"), blank=True)
    job = models.CharField(_("fonction"), max_length=100, blank=True,
                           help_text=_("Par exemple : préparatrice, pharmacien adjoint."))
    arrival_date = models.DateField(_("date d'arrivée"), null=True, blank=True)
    departure_date = models.DateField(_("date de départ"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="people", verbose_name=_("compte utilisateur lié"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("personne")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="one_person_per_user",
                condition=models.Q(user__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["organisation", "last_name", "first_name"])]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def has_left(self):
        return self.departure_date is not None and self.departure_date <= timezone.localdate()

    def clean(self):
        if (self.arrival_date and self.departure_date
                and self.departure_date < self.arrival_date):
            raise ValidationError(
                {"departure_date": _("La date de départ précède la date d'arrivée.")}
            )


class Invitation(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(_("rôle"), max_length=20, choices=Role)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @staticmethod
    def hash_token(token):
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_expired(self):
        return timezone.now() >= self.expires_at

    @property
    def is_pending(self):
        return self.accepted_at is None and not self.is_expired


def evidence_upload_to(instance, filename):
    return f"{instance.storage_folder()}/{filename}"


class EvidenceFile(models.Model):
    """A file kept as evidence, stored under a random name (see core/files.py)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name

    def storage_folder(self):
        raise NotImplementedError


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Le journal d'audit est en ajout seul.")

    def delete(self):
        raise TypeError("Le journal d'audit est en ajout seul.")


class AuditEntry(models.Model):
    """One append-only, hash-chained line of the audit log. Write it with core.audit.record.

    The keys to the actor and the organisation carry no database constraint so that the
    entry, and its hash, stay as written if the account or the organisation is deleted.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        null=True, blank=True, related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False,
        null=True, blank=True, related_name="+",
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["organisation", "-id"]),
            models.Index(fields=["organisation", "action", "-id"]),
            # Account events (no organisation) are looked up by their actor.
            models.Index(fields=["actor", "-id"]),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.actor_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Le journal d'audit est en ajout seul.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Le journal d'audit est en ajout seul.")

    @property
    def action_label(self):
        from .audit import action_label

        return action_label(self.action)

    def hashed_content(self):
        """The protected fields in a canonical form that does not depend on the database.

        The row id is left out: the order is protected by each entry naming its
        predecessor's hash, so moving, removing or editing a row breaks the chain.
        """
        return json.dumps(
            {
                "created_at": self.created_at.astimezone(UTC).isoformat(),
                "actor_id": self.actor_id,
                "actor": self.actor_label,
                "organisation_id": self.organisation_id,
                "action": self.action,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "object_label": self.object_label,
                "details": self.details,
                "ip": self.ip_address or "",
            },
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def compute_hash(self):
        payload = (self.previous_hash + "\n" + self.hashed_content()).encode()
        return hashlib.sha256(payload).hexdigest()


class UserPreferences(models.Model):
    """What a user chose about the mail Pharmagarde sends them. No row: the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                primary_key=True, related_name="preferences")
    language = models.CharField(_("langue"), max_length=8, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE,
                                help_text=_("Celle des pages et des courriels."))
    digest = models.BooleanField(
        _("recevoir le résumé hebdomadaire"), default=True,
        help_text=_("Les rappels urgents sont envoyés à part, sans attendre le résumé."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("préférences")

    def __str__(self):
        return f"{self.user} ({self.language})"

    @classmethod
    def of(cls, user) -> "UserPreferences":
        """The user's preferences, or unsaved defaults."""
        try:
            return user.preferences
        except cls.DoesNotExist:
            return cls(user=user)


class OutgoingEmail(models.Model):
    """One e-mail for the worker to send (core/mail.py).

    Its content is encrypted (core/crypto.py) until it is sent, then wiped: it may hold a
    secret link (an invitation, a password reset). `key`, when given, makes it unique: one
    mail per reminder, one digest per user and week, whichever worker gets there first.
    """

    key = models.CharField(max_length=150, unique=True, null=True, blank=True)
    to = models.JSONField(default=list)
    content = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # No worker takes it before then: one is sending it, or it waits after a failure.
    retry_after = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="outgoing_email_unsent",
                         condition=models.Q(sent_at__isnull=True, abandoned_at__isnull=True)),
            models.Index(fields=["sent_at"], name="outgoing_email_sent"),
        ]

    def __str__(self):
        return f"{', '.join(self.to)} ({self.created_at:%Y-%m-%d %H:%M})"


class Reminder(models.Model):
    """One reminder of something due, for one user (core/reminders.py).

    The unique (key, occurrence, user) is what keeps two workers, on two machines, or a
    worker restarted, from creating it twice; its state says where it went.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("en attente")
        SENT = "sent", _("envoyé à part")
        IN_DIGEST = "digest", _("dans un résumé")
        DROPPED = "dropped", _("non envoyé (résumé désactivé)")

    key = models.CharField(max_length=150)
    occurrence = models.CharField(max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="reminders")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="reminders")
    urgent = models.BooleanField(default=False)
    subject = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    email = models.ForeignKey(OutgoingEmail, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="reminders")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "occurrence", "user"],
                                    name="one_reminder_per_occurrence"),
        ]
        indexes = [
            models.Index(fields=["user", "urgent"], name="reminder_pending",
                         condition=models.Q(state="pending")),
            models.Index(fields=["created_at"], name="reminder_created"),
        ]

    def __str__(self):
        return f"{self.key} {self.occurrence} → {self.user}"


class ScheduledRun(models.Model):
    """One period of a periodic job, claimed by the worker that runs it (core/scheduler.py)."""

    job = models.CharField(max_length=40)
    period = models.CharField(max_length=40)
    worker = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="one_run_per_period"),
        ]

    def __str__(self):
        return f"{self.job} {self.period}"


class InstanceBackup(models.Model):
    """One backup of the instance itself, or one restore check of such a backup
    (core/backup.py). Only what the administrator's page shows: never the key."""

    class Kind(models.TextChoices):
        BACKUP = "backup", _("sauvegarde")
        CHECK = "check", _("vérification de restauration")

    kind = models.CharField(max_length=10, choices=Kind)
    started_at = models.DateTimeField(default=timezone.now)
    duration = models.DurationField(null=True, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    file_name = models.CharField(max_length=500, blank=True)
    ok = models.BooleanField(default=False)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "ok", "-started_at"],
                                name="instance_backup_last")]

    def __str__(self):
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'échec'}"
