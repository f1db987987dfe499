"""Federations: an Ordre council, a groupement, a hospital group is an Organisation of kind
« federation ». Organisations join it by accepting an invitation (their responsable
decides), and it sees only aggregates of its members' values (core/metrics.py) under the
small-cell rules (lib/smallcells.py), never a member's pages or names next to values.

A member on another server joins by its public key and sends signed aggregates
(Contribution), which count like the local members' values.

Every row here belongs to the federation (`organisation` is the federation), except the
SigningKey, which belongs to the member organisation that signs its exports.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import Organisation, OrganisationKind, Region, SizeBand


class FederationMember(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("invitée")
        MEMBER = "member", _("membre")
        DECLINED = "declined", _("invitation refusée")
        LEFT = "left", _("a quitté la fédération")

    # The federation this row belongs to.
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # A member on this server; None for a member on its own server (public_key).
    member = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="federation_memberships")
    status = models.CharField(max_length=10, choices=Status, default=Status.INVITED)
    # What the federation calls it in its list of members (a remote one has no name here).
    label = models.CharField(_("nom"), max_length=150, blank=True)
    invited_email = models.EmailField(_("adresse du responsable invité"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    # A remote member: its Ed25519 public key (base64 of the 32 raw bytes) and its
    # fingerprint, and what its signed aggregates say of it.
    public_key = models.CharField(max_length=64, blank=True)
    key_fingerprint = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind, blank=True)
    region = models.CharField(max_length=3, choices=Region, blank=True)
    size_band = models.CharField(max_length=6, choices=SizeBand, blank=True)

    class Meta:
        ordering = ["label", "id"]
        verbose_name = _("membre de la fédération")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "member"],
                                    condition=Q(member__isnull=False),
                                    name="federation_one_row_per_member"),
            models.UniqueConstraint(fields=["organisation", "key_fingerprint"],
                                    condition=~Q(key_fingerprint=""),
                                    name="federation_one_row_per_key"),
        ]
        indexes = [models.Index(fields=["organisation", "status"]),
                   models.Index(fields=["member", "status"])]

    def __str__(self):
        return self.label or str(self.member or self.key_fingerprint[:12])


class Contribution(models.Model):
    """One signed aggregate of a remote member, as imported (the latest counts)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    federation_member = models.ForeignKey(FederationMember, on_delete=models.CASCADE,
                                          related_name="contributions")
    # The moment the member's values are as of, and the values (core/metrics.py).
    as_of = models.DateTimeField()
    values = models.JSONField(default=dict)
    # The document as received, and who imported it when.
    document = models.TextField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        indexes = [models.Index(fields=["federation_member", "-as_of"])]
        constraints = [models.UniqueConstraint(fields=["federation_member", "as_of"],
                                               name="federation_one_contribution_per_date")]

    def __str__(self):
        return f"{self.federation_member} {self.as_of:%Y-%m-%d}"


class Snapshot(models.Model):
    """What a federation's dashboard shows for one period: computed once (by the scheduler,
    or the first reader), from the values as of the start of the period, with its noise
    drawn once; every reader sees the same."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateTimeField()
    units = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start"]
        constraints = [models.UniqueConstraint(fields=["organisation", "period_start"],
                                               name="federation_one_snapshot_per_period")]

    def __str__(self):
        return f"{self.organisation_id} {self.period_start:%Y-%m-%d}"


class SigningKey(models.Model):
    """The key a member organisation signs its exported aggregates with: the private key
    encrypted at rest (core/crypto.py), the public key shown to give to the federation."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="+")
    private_key = models.TextField()
    public_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.public_key[:12]
