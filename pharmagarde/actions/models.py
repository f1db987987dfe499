"""The action plan: actions generated from diagnostic gaps, or added by hand."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import EvidenceFile, Organisation, Person


class Action(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", _("À faire")
        IN_PROGRESS = "in_progress", _("En cours")
        DONE = "done", _("Terminée")
        DROPPED = "dropped", _("Abandonnée")

    class Source(models.TextChoices):
        DIAGNOSTIC = "diagnostic", _("Diagnostic")
        MANUAL = "manual", _("Ajout manuel")

    class Effort(models.TextChoices):
        LOW = "faible", _("Faible")
        MEDIUM = "moyen", _("Moyen")
        HIGH = "important", _("Important")

    OPEN_STATUSES = (Status.TODO, Status.IN_PROGRESS)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="actions")
    source = models.CharField(_("origine"), max_length=20, choices=Source,
                              default=Source.MANUAL)
    # For diagnostic actions: the measure (stable id across referential versions), the
    # questions it closes, and the level recommended (basic or advanced).
    measure_id = models.CharField(max_length=60, blank=True)
    question_ids = models.JSONField(default=list, blank=True)
    level = models.CharField(max_length=10, blank=True)
    assessment = models.ForeignKey("diagnostic.Assessment", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="actions")
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    why = models.TextField(_("pourquoi"), blank=True)
    how = models.TextField(_("comment"), blank=True)
    owner = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="actions", verbose_name=_("responsable de l'action"))
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=Status, default=Status.TODO)
    effort = models.CharField(_("effort"), max_length=10, choices=Effort, default=Effort.MEDIUM)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    criticality = models.CharField(max_length=10, default="normale")
    priority = models.PositiveSmallIntegerField(_("rang de priorité"), default=500)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    # The gap disappeared from the latest answers while the action was open.
    resolved_by_diagnostic = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["priority", "due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "measure_id"], name="one_action_per_measure",
                condition=models.Q(source="diagnostic"),
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100),
                                   name="progress_at_most_100"),
        ]
        indexes = [models.Index(fields=["organisation", "status", "due_date"]),
                   models.Index(fields=["organisation", "priority"])]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self):
        return self.is_open and self.due_date is not None and \
            self.due_date < timezone.localdate()


class ActionEvidence(EvidenceFile):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evidence")

    def storage_folder(self):
        return f"actions/{self.organisation_id}/{self.action_id}"
