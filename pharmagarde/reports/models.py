"""Audit packs: one document per regime built from what the organisation recorded, by the
worker, kept for download; and the management's approval of the action plan (NIS2
art. 20), which the packs print.

The files are stored under a random name (core/files.py) and served only through the
organisation's pages.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import Organisation


def pack_upload_to(instance, filename):
    return f"reports/{instance.organisation_id}/{uuid.uuid4().hex}/{filename}"


class Pack(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("en attente")
        RUNNING = "running", _("en cours")
        DONE = "done", _("prêt")
        FAILED = "failed", _("échec")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    regime = models.CharField(_("référentiel"), max_length=20)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    # 0–100, and what the worker is doing (« Sections : plan d'action »).
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    # The day the evidence is judged against (freshness).
    as_of = models.DateField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    pdf = models.FileField(upload_to=pack_upload_to, max_length=300, blank=True)
    docx = models.FileField(upload_to=pack_upload_to, max_length=300, blank=True)
    xlsx = models.FileField(upload_to=pack_upload_to, max_length=300, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    # What the pack found, for the list: {"fresh": n, "stale": n, "missing": n}.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-requested_at"])]
        verbose_name = _("dossier de preuves")

    def __str__(self):
        return f"{self.regime} {self.requested_at:%Y-%m-%d}"


class SignOff(models.Model):
    """The responsable approves the action plan as it stands (NIS2 art. 20): who, when,
    and a frozen summary of what was approved."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    approved_by_label = models.CharField(max_length=254)
    approved_at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(_("commentaire"), blank=True, max_length=2000)
    # The plan as approved: counts by status and priority, the open items' titles.
    plan_summary = models.JSONField(default=dict)
    plan_digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["-approved_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-approved_at"])]
        verbose_name = _("approbation du plan")

    def __str__(self):
        return f"{self.approved_by_label} {self.approved_at:%Y-%m-%d}"
