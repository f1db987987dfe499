"""Audit packs: one document per regime built from what the organisation recorded, by the
worker, kept for download; and the management's approval of the action plan (NIS2
art. 20), which the packs print.

The files are stored under a random name (core/files.py) and served only through the
organisation's pages.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import Organisation


def pack_upload_to(instance, filename):
    return f"reports/{instance.organisation_id}/{uuid.uuid4().hex}/{filename}"


# A pack « running » for this long since a worker took it was left by a worker that
# stopped (django-tasks keeps such a task « running » for ever); one still « queued » this
# long after it was asked for was never taken (no worker started). Either no longer blocks
# a new request, and is marked failed by the next one.
RUNNING_ABANDONED_AFTER = datetime.timedelta(minutes=30)
QUEUED_ABANDONED_AFTER = datetime.timedelta(hours=1)
# Queued this long, its page says the worker does not seem to be started.
WORKER_HINT_AFTER = datetime.timedelta(minutes=3)


def stalled(now: datetime.datetime) -> Q:
    """The packs left queued or running past their limit, as of `now`."""
    return (Q(status=Pack.Status.RUNNING, started_at__lt=now - RUNNING_ABANDONED_AFTER)
            | Q(status=Pack.Status.RUNNING, started_at__isnull=True,
                requested_at__lt=now - RUNNING_ABANDONED_AFTER)
            | Q(status=Pack.Status.QUEUED, requested_at__lt=now - QUEUED_ABANDONED_AFTER))


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

    def is_stalled(self, now: datetime.datetime) -> bool:
        """Left queued or running past its limit (see stalled()); reads only: the next
        request marks it failed."""
        if self.status == self.Status.RUNNING:
            return (self.started_at or self.requested_at) < now - RUNNING_ABANDONED_AFTER
        return self.status == self.Status.QUEUED and \
            self.requested_at < now - QUEUED_ABANDONED_AFTER

    def is_waiting_long(self, now: datetime.datetime) -> bool:
        """Still queued after WORKER_HINT_AFTER: no worker seems to take the tasks."""
        return self.status == self.Status.QUEUED and \
            self.requested_at < now - WORKER_HINT_AFTER


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
