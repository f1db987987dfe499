"""Incidents, their reflexes and timeline, the GDPR breach register and the legal clocks.

An incident is declared by any member in three steps (services.incident_declare); its
immediate reflexes are copied from the playbook of its kind (playbooks/, data) so that a
later change of the playbook never rewrites what was done. When personal data are
involved, a breach record opens in the register (art. 33(5) GDPR), linked to it. The
deadlines that start at the moment of awareness (CNIL 72 h, NIS2 24 h / 72 h / one month,
CERT Santé, complaint within 72 h for the insurer, informing the people) are computed by
clocks.py from the organisation's response profile; what was done, and why late, is an
Obligation row. Incidents and breach records are versioned (RecordVersion): every change
keeps the previous values, and a closed record is reopened, never edited in place.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import EvidenceFile, Organisation


class ResponseProfile(models.Model):
    """What decides which deadlines apply to an organisation, beside its kind."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="+")
    nis2_entity = models.BooleanField(
        _("entité soumise à NIS 2"), default=False,
        help_text=_("Cochez si la structure est une entité essentielle ou importante au sens "
                    "de la directive NIS 2 (en général : plus de 50 personnes ou plus de "
                    "10 M€ de chiffre d'affaires dans un secteur visé)."))
    cyber_insured = models.BooleanField(
        _("assurée contre le risque cyber"), default=False,
        help_text=_("L'assureur ne rembourse que si une plainte est déposée dans les "
                    "72 heures (Code des assurances, art. L.12-10-1)."))
    insurer = models.CharField(_("assureur et numéro de contrat"), max_length=200, blank=True)
    cert_sante = models.BooleanField(
        _("signalement à CERT Santé"), null=True, blank=True,
        help_text=_("Obligatoire pour les laboratoires et les établissements de santé ; "
                    "laissez vide pour suivre le type de la structure."))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Profil de réponse de {self.organisation_id}"


class EmergencyContact(models.Model):
    class Kind(models.TextChoices):
        IT_PROVIDER = "prestataire", _("Prestataire informatique")
        SOFTWARE_VENDOR = "editeur", _("Éditeur du logiciel métier")
        HOST = "hebergeur", _("Hébergeur")
        INSURER = "assureur", _("Assureur")
        CERT_SANTE = "cert-sante", _("CERT Santé (ANS)")
        CYBERMALVEILLANCE = "cybermalveillance", _("Cybermalveillance.gouv.fr")
        POLICE = "police", _("Police ou gendarmerie")
        ARS = "ars", _("Agence régionale de santé (ARS)")
        ORDRE = "ordre", _("Ordre des pharmaciens")
        DPO = "dpo", _("Délégué à la protection des données (DPO)")
        CNIL = "cnil", _("CNIL")
        OTHER = "autre", _("Autre")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("qui"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("nom"), max_length=150)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    email = models.EmailField(_("adresse e-mail"), blank=True)
    website = models.URLField(_("site"), blank=True)
    notes = models.CharField(_("à savoir"), max_length=300, blank=True,
                             help_text=_("Horaires, numéro de contrat, que lui dire…"))
    order = models.PositiveSmallIntegerField(default=100)
    # Written by us from public sources (contacts.py): offered again if removed.
    public = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["order", "name", "id"]
        verbose_name = _("contact d'urgence")
        verbose_name_plural = _("contacts d'urgence")

    def __str__(self):
        return f"{self.get_kind_display()} — {self.name}"


class Incident(models.Model):
    class Kind(models.TextChoices):
        RANSOMWARE = "rancongiciel", _("Rançongiciel (fichiers chiffrés, demande de rançon)")
        PHISHING = "hameconnage", _("Hameçonnage : lien cliqué ou mot de passe saisi")
        LOST_DEVICE = "perte-vol", _("Appareil perdu ou volé")
        DATA_LEAK = "fuite", _("Fuite de données ou envoi au mauvais destinataire")
        FRAUD = "fraude", _("Fraude au président, faux ordre de virement ou faux RIB")
        DENIAL = "deni-service", _("Service inaccessible (déni de service)")
        ACCOUNT = "compte", _("Compte piraté")
        MEDICAL_DEVICE = "dispositif-medical", _("Dispositif médical connecté")
        LAB_RESULT = "resultat-falsifie", _("Résultat de laboratoire falsifié")
        OTHER = "autre", _("Autre")

    class Status(models.TextChoices):
        OPEN = "ouvert", _("En cours")
        CONTAINED = "maitrise", _("Maîtrisé")
        CLOSED = "clos", _("Clos")

    class Severity(models.TextChoices):
        UNKNOWN = "", _("À évaluer")
        LOW = "faible", _("Faible")
        MEDIUM = "moyenne", _("Moyenne")
        HIGH = "grave", _("Grave")
        CRITICAL = "critique", _("Critique : l'activité est arrêtée")

    class PersonalData(models.TextChoices):
        YES = "oui", _("Oui")
        NO = "non", _("Non")
        UNKNOWN = "ne-sait-pas", _("Je ne sais pas encore")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(editable=False)  # 1, 2… per organisation
    kind = models.CharField(_("type d'incident"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("ce que vous constatez"), max_length=5000)
    started_at = models.DateTimeField(_("début (si connu)"), null=True, blank=True)
    noticed_at = models.DateTimeField(
        _("constaté le"),
        help_text=_("Le moment où la structure en a eu connaissance : les délais légaux "
                    "partent de là."))
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    declared_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    severity = models.CharField(_("gravité"), max_length=10, choices=Severity.choices,
                                default=Severity.UNKNOWN, blank=True)
    personal_data = models.CharField(
        _("des données personnelles sont-elles touchées ?"), max_length=12,
        choices=PersonalData.choices, default=PersonalData.UNKNOWN)
    people_involved = models.TextField(_("personnes impliquées"), blank=True, max_length=2000)
    processors = models.TextField(
        _("prestataires concernés"), blank=True, max_length=2000,
        help_text=_("Éditeur, hébergeur, prestataire… et quand ils vous ont prévenu."))
    processors_told_at = models.DateTimeField(_("prévenu par le prestataire le"), null=True,
                                              blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    lessons = models.TextField(
        _("retour d'expérience"), blank=True, max_length=5000,
        help_text=_("Ce qui a manqué, ce qu'il faut changer : une ligne par mesure ; chaque "
                    "ligne devient une action du plan."))
    revision = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-noticed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "number"],
                                               name="one_incident_number")]
        indexes = [models.Index(fields=["organisation", "status", "-noticed_at"])]
        verbose_name = _("incident")

    def __str__(self):
        return f"INC-{self.number:04d} {self.get_kind_display()}"

    @property
    def reference(self) -> str:
        return f"INC-{self.number:04d}"


class ReflexStep(models.Model):
    """One immediate reflex of an incident, copied from its playbook when declared."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=60)
    text = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "key"],
                                               name="one_step_per_key")]

    def __str__(self):
        return self.text


class TimelineEntry(models.Model):
    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        STEP = "reflexe", _("Réflexe")
        CHANGE = "modification", _("Modification")
        OBLIGATION = "obligation", _("Démarche")
        STATUS = "etat", _("Changement d'état")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("quand"))
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("ce qui s'est passé"), max_length=5000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                               null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "at"])]

    def __str__(self):
        return self.text[:80]


class TimelineFile(EvidenceFile):
    """A file attached to a timeline entry (screenshot of the ransom note, logs…), stored
    and checked as every evidence file (core/files.py)."""

    entry = models.ForeignKey(TimelineEntry, on_delete=models.CASCADE, related_name="files")

    def storage_folder(self):
        return f"incidents/{self.organisation_id}/{self.entry.incident_id}"


class Breach(models.Model):
    """A personal data breach in the register of art. 33(5) GDPR, notified or not."""

    class Decision(models.TextChoices):
        UNDECIDED = "", _("À décider")
        RECORD = "registre", _("Inscrire au registre seulement (risque improbable)")
        NOTIFY = "cnil", _("Notifier la CNIL")
        NOTIFY_AND_INFORM = "cnil-personnes", _("Notifier la CNIL et informer les personnes")

    class Status(models.TextChoices):
        OPEN = "ouvert", _("En cours")
        CLOSED = "clos", _("Clos")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(editable=False)
    incident = models.OneToOneField(Incident, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="breach")
    aware_at = models.DateTimeField(
        _("connaissance de la violation"),
        help_text=_("Le délai de 72 heures de la CNIL part de ce moment."))
    facts = models.TextField(_("les faits"), max_length=5000, blank=True)
    origin = models.CharField(_("origine"), max_length=30, blank=True,
                              choices=[
                                  ("perte-vol", _("Appareil ou papier perdu ou volé")),
                                  ("courrier", _("Courrier perdu ou ouvert")),
                                  ("piratage", _("Piratage, rançongiciel, hameçonnage")),
                                  ("mise-au-rebut", _("Mise au rebut sans effacement")),
                                  ("publication", _("Publication involontaire")),
                                  ("mauvaise-personne", _("Données montrées à la mauvaise "
                                                          "personne")),
                                  ("mauvais-destinataire", _("Envoi au mauvais destinataire")),
                                  ("oral", _("Divulgation orale")),
                                  ("autre", _("Autre")),
                              ])
    cause = models.CharField(_("cause"), max_length=20, blank=True, choices=[
        ("interne-accident", _("Interne, accidentelle")),
        ("interne-malveillance", _("Interne, malveillante")),
        ("externe-accident", _("Externe, accidentelle")),
        ("externe-malveillance", _("Externe, malveillante")),
        ("inconnue", _("Inconnue")),
    ])
    confidentiality = models.BooleanField(_("perte de confidentialité"), default=False,
                                          help_text=_("Des personnes non autorisées ont pu "
                                                      "voir les données."))
    integrity = models.BooleanField(_("perte d'intégrité"), default=False,
                                    help_text=_("Les données ont pu être modifiées."))
    availability = models.BooleanField(_("perte de disponibilité"), default=False,
                                       help_text=_("Les données sont inaccessibles ou "
                                                   "détruites."))
    people_categories = models.CharField(_("catégories de personnes"), max_length=300,
                                         blank=True,
                                         help_text=_("Patients, salariés, prescripteurs…"))
    people_count = models.PositiveIntegerField(_("nombre approximatif de personnes"),
                                               null=True, blank=True)
    records_count = models.PositiveIntegerField(_("nombre approximatif d'enregistrements"),
                                                null=True, blank=True)
    data_types = models.JSONField(_("types de données"), default=list, blank=True)
    health_data = models.BooleanField(_("données de santé"), default=False)
    nir = models.BooleanField(_("numéro de sécurité sociale (NIR)"), default=False)
    media = models.CharField(_("supports concernés"), max_length=300, blank=True,
                             help_text=_("Poste, serveur, messagerie, papier…"))
    consequences = models.TextField(_("conséquences probables"), max_length=3000, blank=True)
    measures_taken = models.TextField(_("mesures prises"), max_length=3000, blank=True)
    measures_planned = models.TextField(_("mesures prévues"), max_length=3000, blank=True)
    contact = models.CharField(_("point de contact"), max_length=300, blank=True,
                               help_text=_("Le DPO ou la personne à joindre pour la CNIL."))
    # The risk helper's answers and result (risk.py), kept with the decision.
    assessment = models.JSONField(_("évaluation du risque"), default=dict, blank=True)
    decision = models.CharField(_("décision"), max_length=15, choices=Decision.choices,
                                default=Decision.UNDECIDED, blank=True)
    decision_reasons = models.TextField(_("raisons de la décision"), max_length=3000,
                                        blank=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("décidé par"))
    status = models.CharField(_("état"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-aware_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "number"],
                                               name="one_breach_number")]
        indexes = [models.Index(fields=["organisation", "-aware_at"])]
        verbose_name = _("violation de données")
        verbose_name_plural = _("violations de données")

    def __str__(self):
        return f"VDP-{self.number:04d}"

    @property
    def reference(self) -> str:
        return f"VDP-{self.number:04d}"


class Obligation(models.Model):
    """A legal step of an incident (clocks.CLOCKS): when it was done, or why it was late,
    or why it does not apply. The deadline itself is computed, never stored."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE,
                                 related_name="obligations")
    code = models.CharField(max_length=30)
    done_at = models.DateTimeField(_("fait le"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")
    reference = models.CharField(_("numéro de dossier ou de récépissé"), max_length=100,
                                 blank=True)
    delay_reason = models.TextField(_("raison du retard"), max_length=2000, blank=True)
    not_applicable = models.TextField(_("ne s'applique pas, parce que"), max_length=2000,
                                      blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "code"],
                                               name="one_obligation_per_code")]

    def __str__(self):
        return self.code


class RecordVersion(models.Model):
    """The values of an incident or a breach record before one change: who, when, what."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=20)  # "incident" or "breach"
    record_id = models.PositiveBigIntegerField()
    revision = models.PositiveIntegerField()
    # {field: [before, after]} as shown to people.
    changes = models.JSONField(default=dict)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                               null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "record_type", "record_id", "-at"])]

    def __str__(self):
        return f"{self.record_type}:{self.record_id} v{self.revision}"
