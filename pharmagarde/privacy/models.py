"""Data protection (GDPR): the register of processing activities (art. 30), the processors
and their contracts (art. 28), the requests people make about their data (art. 12–22),
the impact assessments (art. 35) and the profile the notices are written from.

The breach register is the incidents app's (incidents.Breach). The processings, the
processors and the impact assessments are versioned: each change keeps the previous values
in a PrivacyVersion (core.versioning), and a concurrent edit is a conflict, never an
overwrite (core.concurrency).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import Organisation
from pharmagarde.inventory.models import Account, Device, Software
from pharmagarde.lib.dates import add_months

KNOWN = [(True, _("Oui")), (False, _("Non"))]


class PrivacyProfile(models.Model):
    """One per organisation: who the controller is, how people reach them, and the facts
    the notices and the impact-assessment helper read."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="+")
    controller = models.CharField(
        _("responsable du traitement"), max_length=200, blank=True,
        help_text=_("La personne ou la société : « SELARL Pharmacie du Marché, représentée "
                    "par Mme Martin, titulaire »."))
    contact = models.TextField(
        _("adresse pour exercer ses droits"), max_length=500, blank=True,
        help_text=_("L'adresse postale et l'adresse électronique où écrire pour une "
                    "demande sur ses données."))
    dpo = models.CharField(
        _("délégué à la protection des données (DPO)"), max_length=300, blank=True,
        help_text=_("Son nom et comment le joindre ; laissez vide si vous n'en avez pas."))
    turnover_over_threshold = models.BooleanField(
        _("chiffre d'affaires annuel supérieur à 2,6 M€ HT"), null=True, blank=True,
        choices=KNOWN,
        help_text=_("Pour une officine, le référentiel de la CNIL rend alors nécessaires un "
                    "DPO et une analyse d'impact."))
    video_surveillance = models.BooleanField(_("vidéoprotection"), null=True, blank=True,
                                             choices=KNOWN)
    phishing_tests = models.BooleanField(
        _("tests d'hameçonnage auprès du personnel"), null=True, blank=True, choices=KNOWN,
        help_text=_("Le personnel en est informé à l'avance (Code du travail, art. "
                    "L. 1222-4) : la notice du personnel le dit."))
    register_reviewed_at = models.DateTimeField(_("registre revu le"), null=True, blank=True)
    register_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL,
                                             on_delete=models.SET_NULL, null=True,
                                             blank=True, related_name="+")
    # When the register was prefilled (None: not yet).
    prefilled_at = models.DateTimeField(null=True, blank=True, editable=False)
    revision = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Profil RGPD de {self.organisation_id}"


class LegalBasis(models.TextChoices):
    """Art. 6(1) GDPR."""

    CONSENT = "consentement", _("Consentement de la personne")
    CONTRACT = "contrat", _("Exécution d'un contrat")
    LEGAL_OBLIGATION = "obligation-legale", _("Obligation légale")
    VITAL = "interets-vitaux", _("Sauvegarde des intérêts vitaux")
    PUBLIC_TASK = "mission-publique", _("Mission d'intérêt public")
    LEGITIMATE = "interet-legitime", _("Intérêt légitime")


class SpecialBasis(models.TextChoices):
    """Art. 9(2) GDPR: why health data may be processed."""

    EXPLICIT_CONSENT = "consentement-explicite", _("Consentement explicite (art. 9.2.a)")
    EMPLOYMENT = "droit-du-travail", _("Obligations du droit du travail (art. 9.2.b)")
    CARE = "soins", _("Médecine, diagnostic, prise en charge sanitaire (art. 9.2.h)")
    PUBLIC_HEALTH = "sante-publique", _("Intérêt public en santé publique (art. 9.2.i)")
    RESEARCH = "recherche", _("Recherche scientifique (art. 9.2.j)")
    LEGAL_CLAIMS = "droits-en-justice", _("Défense de droits en justice (art. 9.2.f)")


class Processing(models.Model):
    """One processing activity of the register (art. 30(1))."""

    class Transfers(models.TextChoices):
        NONE = "aucun", _("Aucun transfert hors de l'Union européenne")
        YES = "oui", _("Oui, hors de l'Union européenne")
        UNKNOWN = "inconnu", _("Je ne sais pas")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # The prefilled processing it comes from (catalogue/<kind>.yaml), "" for one added.
    key = models.CharField(max_length=60, blank=True, editable=False)
    number = models.PositiveIntegerField(editable=False)
    name = models.CharField(_("traitement"), max_length=150)
    # None: proposed by the prefill, "where it exists" (loyalty, online sales): to confirm.
    in_use = models.BooleanField(_("mis en œuvre"), null=True, blank=True, choices=KNOWN)
    purpose = models.TextField(_("finalité"), max_length=2000, blank=True)
    legal_basis = models.CharField(_("base légale"), max_length=20, choices=LegalBasis.choices,
                                   blank=True)
    legal_basis_detail = models.CharField(
        _("texte ou précision"), max_length=300, blank=True,
        help_text=_("Par exemple : Code de la santé publique, art. L. 5125-1."))
    special_basis = models.CharField(
        _("exception permettant de traiter des données de santé"), max_length=30,
        choices=SpecialBasis.choices, blank=True)
    people = models.TextField(
        _("personnes concernées"), max_length=1000, blank=True,
        help_text=_("Une catégorie par ligne : patients, salariés, fournisseurs…"))
    data_categories = models.TextField(
        _("catégories de données"), max_length=2000, blank=True,
        help_text=_("Une catégorie par ligne : identité, coordonnées, traitements "
                    "délivrés…"))
    health_data = models.BooleanField(_("données de santé"), default=False)
    nir = models.BooleanField(_("numéro de sécurité sociale (NIR)"), default=False)
    recipients = models.TextField(
        _("destinataires"), max_length=1000, blank=True,
        help_text=_("Qui reçoit les données : caisses d'assurance maladie, mutuelles, "
                    "expert-comptable…"))
    transfers = models.CharField(_("transferts hors de l'Union européenne"), max_length=10,
                                 choices=Transfers.choices, blank=True)
    transfer_details = models.TextField(
        _("détail des transferts"), max_length=1000, blank=True,
        help_text=_("Le pays, le destinataire et la garantie (décision d'adéquation, "
                    "clauses types…)."))
    security_measures = models.TextField(
        _("mesures de sécurité"), max_length=3000, blank=True,
        help_text=_("Une mesure par ligne : comptes nominatifs, sauvegardes chiffrées…"))
    # Ids of the diagnostic's themes whose measures protect this processing.
    themes = models.JSONField(_("thèmes du diagnostic"), default=list, blank=True)
    software = models.ManyToManyField(Software, blank=True, related_name="+",
                                      verbose_name=_("logiciels utilisés"))
    devices = models.ManyToManyField(Device, blank=True, related_name="+",
                                     verbose_name=_("appareils utilisés"))
    processors = models.ManyToManyField("Processor", blank=True, related_name="processings",
                                        verbose_name=_("sous-traitants"))
    # The impact-assessment helper's answers and conclusion (dpia.py).
    dpia_screening = models.JSONField(default=dict, blank=True, editable=False)
    # When someone of the organisation read the prefilled entry and confirmed it.
    confirmed_at = models.DateTimeField(_("relu le"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("traitement")
        constraints = [models.UniqueConstraint(fields=["organisation", "number"],
                                               name="privacy_processing_number")]

    def __str__(self):
        return self.name

    def people_lines(self) -> list[str]:
        return [line.strip() for line in self.people.splitlines() if line.strip()]

    def data_lines(self) -> list[str]:
        return [line.strip() for line in self.data_categories.splitlines() if line.strip()]

    def measure_lines(self) -> list[str]:
        return [line.strip() for line in self.security_measures.splitlines()
                if line.strip()]


class Retention(models.Model):
    """How long one kind of data of a processing is kept, and on what reference."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    processing = models.ForeignKey(Processing, on_delete=models.CASCADE,
                                   related_name="retentions")
    position = models.PositiveSmallIntegerField(default=1)
    data = models.CharField(_("données"), max_length=200)
    duration = models.CharField(_("durée de conservation"), max_length=200,
                                help_text=_("Par exemple : 10 ans à compter de la "
                                            "délivrance."))
    reference = models.CharField(
        _("référence"), max_length=300, blank=True,
        help_text=_("Le texte qui fixe la durée, ou la raison de votre choix."))
    # A duration the prefill proposes without a reference we could confirm.
    to_check = models.BooleanField(_("à vérifier"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("durée de conservation")

    def __str__(self):
        return f"{self.data} : {self.duration}"


class Processor(models.Model):
    """A processor or supplier that handles personal data for the organisation (art. 28)."""

    class Service(models.TextChoices):
        SOFTWARE = "editeur", _("Éditeur du logiciel métier (LGO, SIL…)")
        HOST = "hebergeur", _("Hébergeur de données")
        IT = "informatique", _("Prestataire informatique")
        PAYROLL = "paie", _("Paie et ressources humaines")
        ACCOUNTING = "comptable", _("Expert-comptable")
        VIDEO = "video", _("Installateur de vidéoprotection")
        MAIL = "messagerie", _("Messagerie ou bureautique en ligne")
        WEBSITE = "site", _("Site Internet ou vente en ligne")
        OTHER = "autre", _("Autre")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nom"), max_length=150)
    service = models.CharField(_("service rendu"), max_length=20, choices=Service.choices,
                               default=Service.OTHER)
    description = models.TextField(_("ce qu'il fait des données"), max_length=1000,
                                   blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    health_data = models.BooleanField(_("héberge ou traite des données de santé"),
                                      default=False)
    hds_certified = models.BooleanField(
        _("certifié hébergeur de données de santé (HDS)"), null=True, blank=True,
        choices=KNOWN,
        help_text=_("Obligatoire pour héberger des données de santé pour le compte d'un "
                    "tiers (Code de la santé publique, art. L. 1111-8)."))
    outside_eea = models.BooleanField(_("données hors de l'Union européenne"), null=True,
                                      blank=True, choices=KNOWN)
    contract_signed_on = models.DateField(_("contrat signé le"), null=True, blank=True)
    contract_reference = models.CharField(_("référence du contrat"), max_length=150,
                                          blank=True)
    # {clause id (contracts.CLAUSES): True, False or None (not checked)}.
    clauses = models.JSONField(_("clauses de protection des données"), default=dict,
                               blank=True)
    remote_access = models.BooleanField(_("accès à distance à vos systèmes"), null=True,
                                        blank=True, choices=KNOWN)
    # {condition id (contracts.REMOTE_CONDITIONS): True, False or None}.
    remote_conditions = models.JSONField(_("conditions de l'accès à distance"), default=dict,
                                         blank=True)
    software = models.ManyToManyField(Software, blank=True, related_name="+",
                                      verbose_name=_("logiciels fournis"))
    accounts = models.ManyToManyField(Account, blank=True, related_name="+",
                                      verbose_name=_("comptes utilisés"))
    review_every_months = models.PositiveSmallIntegerField(
        _("revoir tous les (mois)"), default=12)
    reviewed_on = models.DateField(_("dernière revue"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("sous-traitant")

    def __str__(self):
        return self.name

    @property
    def review_due_on(self) -> datetime.date | None:
        start = self.reviewed_on or self.contract_signed_on
        return add_months(start, self.review_every_months) if start else None


class PersonRequest(models.Model):
    """A request a person made about their data (art. 15–22), answered within a month
    (art. 12(3)), extendable by two more months when it is complex or one of many."""

    class Requester(models.TextChoices):
        PATIENT = "patient", _("Patient ou client")
        STAFF = "salarie", _("Membre du personnel")
        OTHER = "autre", _("Autre personne")

    class Right(models.TextChoices):
        ACCESS = "acces", _("Accès à ses données (art. 15)")
        RECTIFICATION = "rectification", _("Rectification (art. 16)")
        ERASURE = "effacement", _("Effacement (art. 17)")
        RESTRICTION = "limitation", _("Limitation (art. 18)")
        PORTABILITY = "portabilite", _("Portabilité (art. 20)")
        OBJECTION = "opposition", _("Opposition (art. 21)")
        OTHER = "autre", _("Autre demande")

    class Identity(models.TextChoices):
        NOT_NEEDED = "inutile", _("Pas de doute sur l'identité")
        REQUESTED = "demandee", _("Justificatif demandé")
        CHECKED = "verifiee", _("Identité vérifiée")

    class Outcome(models.TextChoices):
        GRANTED = "satisfaite", _("Satisfaite")
        PARTIAL = "partielle", _("Satisfaite en partie")
        REFUSED = "refusee", _("Refusée, avec les motifs")
        NO_DATA = "aucune-donnee", _("Aucune donnée détenue")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(editable=False)
    requester = models.CharField(_("qui demande"), max_length=10, choices=Requester.choices,
                                 default=Requester.PATIENT)
    requester_name = models.CharField(
        _("nom de la personne"), max_length=150,
        help_text=_("Le nom suffit : ne recopiez pas ici ses données de santé."))
    right = models.CharField(_("droit exercé"), max_length=15, choices=Right.choices)
    received_on = models.DateField(_("reçue le"))
    channel = models.CharField(_("reçue par"), max_length=100, blank=True,
                               help_text=_("Courrier, courriel, au comptoir…"))
    details = models.TextField(_("ce qui est demandé"), max_length=3000, blank=True)
    identity = models.CharField(_("identité"), max_length=10, choices=Identity.choices,
                                default=Identity.NOT_NEEDED)
    # When the proof of identity asked for arrived: the month runs from then.
    identity_received_on = models.DateField(_("justificatif reçu le"), null=True,
                                            blank=True)
    extended = models.BooleanField(_("délai prolongé de deux mois"), default=False)
    extension_reason = models.TextField(_("motif de la prolongation"), max_length=1000,
                                        blank=True)
    extension_notified_on = models.DateField(_("personne prévenue de la prolongation le"),
                                             null=True, blank=True)
    processing = models.ForeignKey(Processing, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+",
                                   verbose_name=_("traitement concerné"))
    answered_on = models.DateField(_("réponse envoyée le"), null=True, blank=True)
    outcome = models.CharField(_("issue"), max_length=15, choices=Outcome.choices,
                               blank=True)
    answer_notes = models.TextField(_("réponse apportée"), max_length=3000, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("suivie par"))
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_on", "-number"]
        verbose_name = _("demande d'exercice des droits")
        constraints = [models.UniqueConstraint(fields=["organisation", "number"],
                                               name="privacy_request_number")]
        indexes = [models.Index(fields=["organisation", "answered_on", "received_on"])]

    def __str__(self):
        return f"D-{self.number:03d}"

    @property
    def reference(self) -> str:
        return str(self)


class Dpia(models.Model):
    """An impact assessment (AIPD), in the structure of the CNIL's method: context,
    fundamental principles, the three risks, validation."""

    class Status(models.TextChoices):
        DRAFT = "brouillon", _("En cours de rédaction")
        DONE = "terminee", _("Terminée, à valider")
        VALIDATED = "validee", _("Validée")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    processing = models.ForeignKey(Processing, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="dpias",
                                   verbose_name=_("traitement étudié"))
    title = models.CharField(_("titre"), max_length=200)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    # Context: {"overview", "data", "lifecycle", "supports"} -> text.
    context = models.JSONField(_("contexte"), default=dict, blank=True)
    # Fundamental principles: {principle id (dpia.PRINCIPLES): text}.
    principles = models.JSONField(_("principes fondamentaux"), default=dict, blank=True)
    # The three risks: {risk id (dpia.RISKS): {"impacts", "threats", "sources": text,
    # "severity", "likelihood": 1..4}}.
    risks = models.JSONField(_("risques"), default=dict, blank=True)
    dpo_opinion = models.TextField(_("avis du DPO"), max_length=3000, blank=True)
    people_opinion = models.TextField(_("avis des personnes concernées"), max_length=3000,
                                      blank=True)
    validated_on = models.DateField(_("validée le"), null=True, blank=True)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("validée par"))
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("analyse d'impact")

    def __str__(self):
        return self.title


class DpiaMeasure(models.Model):
    """A measure of an impact assessment; a planned one becomes an action of the plan."""

    class State(models.TextChoices):
        EXISTING = "existante", _("Existante")
        PLANNED = "prevue", _("Prévue")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    dpia = models.ForeignKey(Dpia, on_delete=models.CASCADE, related_name="measures")
    text = models.CharField(_("mesure"), max_length=300)
    state = models.CharField(_("état"), max_length=10, choices=State.choices,
                             default=State.PLANNED)
    # Ids of the risks (dpia.RISKS) it reduces.
    risks = models.JSONField(_("risques traités"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("mesure")

    def __str__(self):
        return self.text


class PrivacyVersion(models.Model):
    """The values of a processing, a processor or an impact assessment before one change."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=20)  # the model's name: "processing"…
    record_id = models.PositiveBigIntegerField()
    revision = models.PositiveIntegerField()
    # {field label: [before, after]} as shown to people.
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
