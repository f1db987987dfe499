"""Organisations, memberships and roles, people (staff), invitations, and the audit log."""

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
