"""The action plan: actions handed over by a source (the diagnostic…), or added by hand."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import EvidenceFile, Organisation, Person

from . import sources


class Action(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", _("À faire")
        IN_PROGRESS = "in_progress", _("En cours")
        DONE = "done", _("Terminée")
        DROPPED = "dropped", _("Abandonnée")

    class Effort(models.TextChoices):
        LOW = "faible", _("Faible")
        MEDIUM = "moyen", _("Moyen")
        HIGH = "important", _("Important")

    OPEN_STATUSES = (Status.TODO, Status.IN_PROGRESS)
    MANUAL = sources.MANUAL

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="actions")
    # The source's name (sources.py), "manual" for an action added by hand; its key for
    # the item (stable across the source's versions), and what the source keeps with it.
    # A hand-made action keeps in source_data["closes"] what it settles at other sources.
    source = models.CharField(_("origine"), max_length=40, default=MANUAL)
    source_key = models.CharField(max_length=100, blank=True)
    source_data = models.JSONField(default=dict, blank=True)
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
    references = models.JSONField(_("références"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    # The item went from the source while the action was under way (the person decides).
    resolved_at_source = models.BooleanField(default=False)
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
                fields=["organisation", "source", "source_key"],
                name="one_action_per_source_item", condition=~models.Q(source=sources.MANUAL),
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100),
                                   name="progress_at_most_100"),
        ]
        indexes = [models.Index(fields=["organisation", "status", "due_date"]),
                   models.Index(fields=["organisation", "priority"])]

    def __str__(self):
        return self.title

    @cached_property
    def plan_source(self) -> sources.PlanSource:
        return sources.source_for(self.source)

    @property
    def is_manual(self) -> bool:
        return self.source == self.MANUAL

    def closes_at(self, source_name: str) -> list[str]:
        """The keys a person said this hand-made action settles at that source."""
        if not self.is_manual:
            return []
        return list((self.source_data or {}).get("closes", {}).get(source_name, []))

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
