"""Assessments, their answers and the evidence attached to answers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import EvidenceFile, Organisation

from .referential import get_referential
from .scoring import AnswerValue, score_assessment


class AssessmentQuerySet(models.QuerySet):
    def completed(self):
        return self.filter(status=Assessment.Status.COMPLETED)

    def latest_first(self):
        """The order of "the latest completed assessment", wherever it is asked for."""
        return self.order_by("-completed_at", "-id")

    def latest_completed_before(self, moment, *, kind: str | None = None):
        """Each organisation's latest assessment completed before `moment` (of `kind` when
        given), among these: one query with a correlated subquery on the (organisation,
        status, completed_at) index, whatever the number of organisations (peers.py,
        federation_metrics.py).

        The subquery starts from the whole table, not from these rows: the federations
        ask for 20,000 organisations at a time, and their `organisation_id IN (…)` repeated
        inside it made PostgreSQL check the list again for every row (29 s for one block,
        0.7 s without: docs/benchmarks.md)."""
        def completed(queryset):
            queryset = queryset.completed().filter(completed_at__lt=moment)
            return queryset if kind is None else queryset.filter(organisation_kind=kind)

        latest_of_each = completed(self.model.objects.all()).filter(
            organisation=models.OuterRef("organisation"))
        return completed(self).filter(pk=models.Subquery(
            latest_of_each.latest_first().values("pk")[:1]))


class Assessment(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("En cours")
        COMPLETED = "completed", _("Terminé")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="assessments")
    # The referential version answered against, and the organisation's type and size at
    # the time: a later change of either does not rewrite a finished assessment.
    referential_version = models.CharField(max_length=20)
    organisation_kind = models.CharField(max_length=20)
    size_band = models.CharField(max_length=6)
    status = models.CharField(max_length=20, choices=Status, default=Status.IN_PROGRESS)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Cached results, written when the assessment is completed (for dashboards and
    # peer comparisons that must not rescore every assessment).
    score = models.FloatField(null=True, blank=True)
    theme_scores = models.JSONField(default=dict, blank=True)
    level = models.PositiveSmallIntegerField(default=0)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "-completed_at"]),
                   models.Index(fields=["organisation_kind", "status"])]

    def __str__(self):
        return _("Diagnostic du %(date)s") % {"date": f"{self.started_at:%d/%m/%Y}"}

    @property
    def referential(self):
        return get_referential(self.referential_version)

    def themes(self):
        return self.referential.themes_for(self.organisation_kind, self.size_band)

    def answer_values(self, answers=None):
        answers = self.answers.all() if answers is None else answers
        return {a.question_id: a.value for a in answers}

    def result(self, answers=None):
        return score_assessment(self.themes(), self.answer_values(answers))


class Answer(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(max_length=60)
    choice_ids = models.JSONField(default=list, blank=True)
    dont_know = models.BooleanField(default=False)
    comment = models.TextField(blank=True, max_length=2000)
    # Proposed from a closed action: shown pre-filled, to be confirmed by the user.
    proposed = models.BooleanField(default=False)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: a save names the revision it started from.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "question_id"],
                                               name="one_answer_per_question")]

    def __str__(self):
        return f"{self.question_id}: {self.choice_ids}"

    @property
    def value(self):
        return AnswerValue(tuple(self.choice_ids), self.dont_know)


class Evidence(EvidenceFile):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence")

    def storage_folder(self):
        return f"evidence/{self.organisation_id}/{self.answer.assessment_id}"


class PeerSnapshot(models.Model):
    """The published peer averages of one kind of organisation for one period.

    Computed once, from the assessments completed before the period began, with the rules
    of lib/smallcells.py (independent units, at least 11, noise drawn once, rounded):
    every reader of the period sees the same numbers, whatever they add or remove.
    """

    kind = models.CharField(max_length=20)
    period_start = models.DateTimeField()
    computed_at = models.DateTimeField(auto_now_add=True)
    units = models.PositiveIntegerField(default=0)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    # {theme_id: score} for the themes with enough independent units.
    theme_scores = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "period_start"],
                                               name="one_peer_snapshot_per_period")]

    def __str__(self):
        return f"{self.kind} {self.period_start:%Y-%m-%d} ({self.units})"
