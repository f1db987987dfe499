"""Continuity: the business continuity plan (critical activities with their degraded
mode), the restore tests of the backups, and crisis exercises.

The backups themselves are the inventory's (inventory.Backup, with its 3-2-1-1-0 facts):
a restore test points to one, and the inventory's findings see its date. The critical
activities name their dependencies among the inventory's devices and software when the
inventory has them, and in words otherwise (either app may be filled first).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import EvidenceFile, Organisation
from pharmagarde.inventory.models import Backup, Device, Software


class ContinuityPlan(models.Model):
    """One per organisation: when the plan was last reviewed, and the kit last printed."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="+")
    # Added to by every change of the plan or its activities: the kit printed at an older
    # revision is out of date.
    revision = models.PositiveIntegerField(default=0, editable=False)
    reviewed_at = models.DateTimeField(_("revu le"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    kit_printed_at = models.DateTimeField(_("kit imprimé le"), null=True, blank=True)
    kit_printed_revision = models.PositiveIntegerField(null=True, blank=True, editable=False)
    crisis_cell = models.TextField(
        _("cellule de crise"), blank=True, max_length=2000,
        help_text=_("Qui décide, qui appelle qui, où se retrouver si les locaux sont "
                    "inaccessibles."))
    updated_at = models.DateTimeField(auto_now=True)
    # When the plan was first made (prefilled): the yearly review reminder of a plan never
    # reviewed starts 30 days later (plan_services.due).
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"Plan de continuité de {self.organisation_id}"

    @property
    def kit_outdated(self) -> bool:
        return self.kit_printed_revision is not None and \
            self.kit_printed_revision != self.revision


class CriticalActivity(models.Model):
    class Impact(models.TextChoices):
        LOW = "faible", _("Faible : gênant, sans risque pour les patients")
        MEDIUM = "moyen", _("Moyen : retards, perte de chiffre d'affaires")
        HIGH = "grave", _("Grave : soins retardés ou obligations légales manquées")
        CRITICAL = "critique", _("Critique : risque pour les patients")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # The prefilled activity it comes from (activities/<kind>.yaml), "" for one added.
    key = models.CharField(max_length=60, blank=True, editable=False)
    name = models.CharField(_("activité"), max_length=150)
    description = models.TextField(_("en quoi elle consiste"), blank=True, max_length=2000)
    position = models.PositiveSmallIntegerField(default=100)
    max_outage_hours = models.PositiveIntegerField(
        _("interruption maximale admissible (DMIA), en heures"), null=True, blank=True,
        help_text=_("Au-delà, les conséquences deviennent inacceptables."))
    max_data_loss_hours = models.PositiveIntegerField(
        _("perte de données maximale admissible (PDMA), en heures"), null=True, blank=True,
        help_text=_("Combien d'heures de saisie la structure peut-elle perdre et refaire ?"))
    impact = models.CharField(_("impact si elle s'arrête"), max_length=10,
                              choices=Impact.choices, blank=True)
    impact_detail = models.TextField(_("conséquences"), blank=True, max_length=2000)
    devices = models.ManyToManyField(Device, blank=True, related_name="+",
                                     verbose_name=_("appareils nécessaires"))
    software = models.ManyToManyField(Software, blank=True, related_name="+",
                                      verbose_name=_("logiciels nécessaires"))
    dependencies = models.TextField(
        _("autres dépendances"), blank=True, max_length=2000,
        help_text=_("Prestataires, grossiste, accès Internet, électricité…"))
    degraded_procedure = models.TextField(
        _("mode dégradé, étape par étape"), blank=True, max_length=5000,
        help_text=_("Une étape par ligne : ce que l'on fait sans l'informatique."))
    roles = models.TextField(_("qui fait quoi"), blank=True, max_length=2000)
    return_to_normal = models.TextField(
        _("retour à la normale"), blank=True, max_length=5000,
        help_text=_("Une étape par ligne : redémarrer, vérifier, ressaisir les registres "
                    "papier."))
    # Paper forms of the kit used by this activity (keys of continuity/forms_paper.py).
    paper_forms = models.JSONField(default=list, blank=True)
    revision = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("activité critique")
        verbose_name_plural = _("activités critiques")

    def __str__(self):
        return self.name


class RestoreTest(models.Model):
    class Result(models.TextChoices):
        SUCCESS = "reussi", _("Réussi : tout est revenu")
        PARTIAL = "partiel", _("Partiel : une partie seulement")
        FAILURE = "echec", _("Échec")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    backup = models.ForeignKey(Backup, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("sauvegarde"))
    activity = models.ForeignKey(CriticalActivity, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="restore_tests",
                                 verbose_name=_("activité concernée"))
    tested_on = models.DateField(_("date du test"))
    what = models.CharField(_("ce qui a été restauré"), max_length=200)
    duration_minutes = models.PositiveIntegerField(_("durée de la restauration, en minutes"))
    result = models.CharField(_("résultat"), max_length=10, choices=Result.choices)
    performed_by = models.CharField(_("fait par"), max_length=150, blank=True)
    notes = models.TextField(_("remarques"), blank=True, max_length=3000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-tested_on", "-id"]
        indexes = [models.Index(fields=["organisation", "-tested_on"])]
        verbose_name = _("test de restauration")
        verbose_name_plural = _("tests de restauration")

    def __str__(self):
        return f"{self.what} ({self.tested_on:%d/%m/%Y})"


class RestoreEvidence(EvidenceFile):
    test = models.ForeignKey(RestoreTest, on_delete=models.CASCADE, related_name="evidence")

    def storage_folder(self):
        return f"continuity/{self.organisation_id}/{self.test_id}"


class Exercise(models.Model):
    class Status(models.TextChoices):
        PREPARING = "prepare", _("En préparation")
        RUNNING = "en-cours", _("En cours")
        DONE = "termine", _("Terminé")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    scenario = models.CharField(_("scénario"), max_length=60)  # scenarios/<id>.yaml
    title = models.CharField(_("titre"), max_length=200)
    planned_for = models.DateTimeField(_("prévu le"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices,
                              default=Status.PREPARING)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+",
                                    verbose_name=_("animateur"))
    participants = models.TextField(
        _("participants et rôles"), blank=True, max_length=2000,
        help_text=_("Une personne par ligne, avec son rôle : « Marie, titulaire, décide »."))
    # {question id: answer} of the debrief, and the findings, one per line (plan actions).
    debrief = models.JSONField(default=dict, blank=True)
    findings = models.TextField(
        _("ce qu'il faut améliorer"), blank=True, max_length=5000,
        help_text=_("Une mesure par ligne : chaque ligne devient une action du plan."))
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("exercice de crise")
        verbose_name_plural = _("exercices de crise")

    def __str__(self):
        return self.title


class ExerciseEvent(models.Model):
    """What happened during an exercise, with its time: an inject released, a decision
    taken, an observation noted."""

    class Kind(models.TextChoices):
        INJECT = "stimulus", _("Stimulus")
        DECISION = "decision", _("Décision")
        OBSERVATION = "observation", _("Observation")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    inject = models.CharField(max_length=60, blank=True)  # the scenario's inject id
    at = models.DateTimeField()
    text = models.TextField(max_length=3000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                               null=True, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["exercise", "inject"], condition=~models.Q(inject=""),
            name="one_release_per_inject")]

    def __str__(self):
        return self.text[:80]
