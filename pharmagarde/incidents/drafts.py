"""The drafts of an incident's declarations, built from its records.

None of the portals (CNIL, the health reporting portal for CERT Santé, the NIS 2 authority,
the police) has an API: each draft is a list of sections, each a list of fields
`(label as on the portal, value)`, to paste field by field or to print (views/drafts.py).
A value comes from the records; when the records do not say, it is a placeholder
« [à compléter : …] » that tells what to write, never an invented fact.

The drafts are always in French, whatever the language of the interface: they are sent to
French authorities and to the people affected. Their wording is ours, in plain words for a
pharmacist with no IT background (sources: ../shared/reference/regulatory-facts.md §4–§9).

What a draft reads is loaded once by `facts_for` and its Facts (at most seven queries for
all the drafts of an incident, whatever the length of its timeline).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.utils import timezone, translation

from . import clocks
from .forms import DATA_TYPES
from .models import (
    Breach,
    EmergencyContact,
    Incident,
    Obligation,
    ReflexStep,
    ResponseProfile,
    TimelineEntry,
)

PLACEHOLDER_START = "[à compléter"
MALICIOUS_KINDS = {Incident.Kind.RANSOMWARE, Incident.Kind.PHISHING, Incident.Kind.FRAUD,
                   Incident.Kind.DENIAL, Incident.Kind.ACCOUNT, Incident.Kind.LAB_RESULT}


def todo(what: str) -> str:
    """The placeholder of a value the records do not hold."""
    return f"{PLACEHOLDER_START} : {what}]"


class Field(NamedTuple):
    label: str
    value: str

    @property
    def missing(self) -> bool:
        return PLACEHOLDER_START in self.value

    @property
    def rows(self) -> int:
        """Lines for the read-only text area: the whole value visible, within reason."""
        lines = sum(1 + len(line) // 70 for line in self.value.splitlines() or [""])
        return max(1, min(lines, 16))


class Section(NamedTuple):
    title: str
    fields: list[Field]


@dataclass
class Draft:
    slug: str
    title: str
    where: str  # where and how to send it
    deadline: str  # when, in words, with the date when known
    sections: list[Section]
    notes: list[str] = field(default_factory=list)  # warnings shown above the fields

    @property
    def missing(self) -> int:
        return sum(f.missing for section in self.sections for f in section.fields)


@dataclass
class Facts:
    """What the drafts of one incident read (facts_for). The timeline, the reflexes done
    and the DPO's contact are read on first use, one query each: a draft that does not
    need them costs nothing more."""

    incident: Incident
    breach: Breach | None
    profile: ResponseProfile
    obligations: dict[str, Obligation]
    now: datetime.datetime

    @property
    def organisation(self):
        return self.incident.organisation

    @cached_property
    def legal_steps(self) -> dict[str, clocks.Clock]:
        """The legal steps of the incident (clocks.py: which apply, by when), by code."""
        return {clock.code: clock for clock in clocks.clocks(
            self.incident, profile=self.profile, organisation_kind=self.organisation.kind,
            breach=self.breach, obligations=self.obligations.values(), now=self.now)}

    def due(self, code: str) -> str:
        """The deadline of a legal step, as the drafts say it."""
        return when(self.legal_steps[code].due_at)

    @cached_property
    def timeline(self) -> list[TimelineEntry]:
        """The incident's timeline in order, with its files (two queries)."""
        return list(TimelineEntry.objects.filter(organisation=self.organisation,
                                                 incident=self.incident)
                    .prefetch_related("files").order_by("at", "id"))

    @cached_property
    def steps_done(self) -> list[ReflexStep]:
        return list(ReflexStep.objects.filter(organisation=self.organisation,
                                              incident=self.incident, done_at__isnull=False)
                    .order_by("done_at", "id"))

    @cached_property
    def dpo(self) -> EmergencyContact | None:
        return EmergencyContact.objects.filter(organisation=self.organisation,
                                               kind=EmergencyContact.Kind.DPO).first()


def facts_for(incident: Incident, *, now: datetime.datetime) -> Facts:
    """The breach record, response profile and legal steps of `incident` (three queries;
    the drafts may read up to four more, whatever the length of the timeline)."""
    organisation = incident.organisation
    breach = Breach.objects.filter(organisation=organisation, incident=incident).first()
    profile = (ResponseProfile.objects.filter(organisation=organisation).first()
               or ResponseProfile(organisation=organisation))
    obligations = {o.code: o for o in Obligation.objects.filter(organisation=organisation,
                                                                 incident=incident)}
    return Facts(incident=incident, breach=breach, profile=profile, obligations=obligations,
                 now=now)


# Formatting -------------------------------------------------------------------------------

def when(value: datetime.datetime | None, default: str = "") -> str:
    if value is None:
        return default
    return timezone.localtime(value).strftime("%d/%m/%Y à %H:%M")


def yes_no(value: bool) -> str:
    return "Oui" if value else "Non"


def lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def or_todo(value, what: str) -> str:
    if value is None or value == "":
        return todo(what)
    return str(value)


def _data_types(breach: Breach) -> list[str]:
    labels = dict(DATA_TYPES)
    return [str(labels.get(code, code)) for code in breach.data_types or []]


def _address(organisation) -> str:
    town = " ".join(part for part in (organisation.postal_code, organisation.city) if part)
    return ", ".join(part for part in (organisation.address, town) if part)


def _identity_fields(facts: Facts, *, siren: bool = False) -> list[Field]:
    organisation = facts.organisation
    fields = [Field("Nom de la structure", organisation.name),
              Field("Type de structure", str(organisation.get_kind_display()))]
    if siren:
        fields.append(Field("Numéro SIREN", organisation.siret[:9] if organisation.siret
                            else todo("les 9 premiers chiffres du SIRET")))
    fields.append(Field("SIRET", or_todo(organisation.siret, "numéro SIRET (14 chiffres)")))
    if organisation.finess:
        fields.append(Field("Numéro FINESS", organisation.finess))
    fields.append(Field("Adresse", or_todo(_address(organisation),
                                           "adresse postale de la structure")))
    return fields


def _contact(facts: Facts) -> str:
    if facts.breach and facts.breach.contact:
        return facts.breach.contact
    if facts.dpo is not None:
        return " — ".join(part for part in (f"{facts.dpo.name} (DPO)", facts.dpo.phone,
                                            facts.dpo.email) if part)
    return todo("nom, fonction, téléphone et adresse e-mail du DPO ou de la personne "
                "à joindre")


def _cia(breach: Breach) -> str:
    parts = []
    if breach.confidentiality:
        parts.append("Perte de confidentialité : des personnes non autorisées ont pu voir "
                     "les données.")
    if breach.integrity:
        parts.append("Perte d'intégrité : les données ont pu être modifiées.")
    if breach.availability:
        parts.append("Perte de disponibilité : les données sont inaccessibles ou "
                     "détruites.")
    return lines(*parts) or todo("confidentialité, intégrité ou disponibilité (au moins "
                                 "une)")


def _measures_taken(facts: Facts) -> str:
    if facts.breach and facts.breach.measures_taken:
        return facts.breach.measures_taken
    if facts.steps_done:
        return lines(*(f"{when(step.done_at)} : {step.text}" for step in facts.steps_done))
    return todo("ce qui a été fait pour arrêter l'incident et en limiter les effets")


def _ongoing(incident: Incident) -> str:
    if incident.status == Incident.Status.OPEN:
        return "Oui : l'incident n'est pas encore maîtrisé."
    if incident.status == Incident.Status.CONTAINED:
        return "Non : l'incident est maîtrisé."
    return f"Non : l'incident est clos depuis le {when(incident.closed_at)}."


def _end(incident: Incident) -> str:
    if incident.status == Incident.Status.CLOSED and incident.closed_at:
        return when(incident.closed_at)
    return "Pas encore connue"


def _severity(incident: Incident) -> str:
    if not incident.severity:
        return todo("gravité : faible, moyenne, grave, ou activité arrêtée")
    return str(incident.get_severity_display())


def _malicious(facts: Facts) -> str:
    cause = facts.breach.cause if facts.breach else ""
    if cause in ("externe-malveillance", "interne-malveillance"):
        return f"Oui : cause {facts.breach.get_cause_display().lower()}."
    if cause in ("externe-accident", "interne-accident"):
        return "Non, d'après ce que l'on sait : cause accidentelle."
    if facts.incident.kind in MALICIOUS_KINDS:
        return (f"Oui, probablement : {facts.incident.get_kind_display()}. À confirmer par "
                "l'enquête.")
    return todo("oui si l'incident semble causé par un acte malveillant ou illicite, "
                "non sinon")


def _cross_border() -> str:
    return todo("oui si des clients, des fournisseurs, des sites ou des prestataires hors "
                "de France sont touchés ; non sinon")


def _people_and_data(breach: Breach | None) -> list[Field]:
    if breach is None:
        return [Field("Personnes et données concernées",
                      todo("ouvrez la fiche du registre des violations pour décrire les "
                           "personnes et les données touchées"))]
    types = _data_types(breach)
    return [
        Field("Catégories de personnes concernées",
              or_todo(breach.people_categories, "patients, salariés, prescripteurs…")),
        Field("Nombre approximatif de personnes",
              or_todo(breach.people_count, "nombre approximatif, même une fourchette")),
        Field("Nombre approximatif d'enregistrements",
              or_todo(breach.records_count, "nombre approximatif de fiches ou de lignes")),
        Field("Les personnes sont-elles directement identifiables ?",
              "Oui : le numéro de sécurité sociale (NIR) figure parmi les données."
              if breach.nir else todo("oui si les données portent le nom, le NIR ou une "
                                      "photo ; non si elles sont pseudonymisées")),
        Field("Catégories de données", ", ".join(types) if types
              else todo("identité, coordonnées, données de santé, NIR, données bancaires…")),
        Field("Données de santé", yes_no(breach.health_data)),
        Field("Numéro de sécurité sociale (NIR)", yes_no(breach.nir)),
        Field("Supports concernés",
              or_todo(breach.media, "poste, serveur, messagerie, papier, clé USB…")),
    ]


def cnil_delay(facts: Facts) -> tuple[bool, str]:
    """(late, reason): the initial notification is late when it was made, or is still not
    made, after its deadline (72 hours after the breach became known); the reason is the
    one written on the `cnil_initial` step."""
    if facts.breach is None:
        return False, ""
    clock = facts.legal_steps["cnil_initial"]
    return clock.state == clocks.LATE or clock.late_by is not None, clock.delay_reason


# The drafts -------------------------------------------------------------------------------

def _cnil(facts: Facts, *, complementary: bool) -> Draft:
    incident, breach = facts.incident, facts.breach
    initial = facts.obligations.get("cnil_initial")
    notes = []
    if breach is None:
        notes.append("Aucune fiche n'est ouverte au registre des violations pour cet "
                     "incident : la plupart des champs restent à compléter.")
    elif breach.decision == Breach.Decision.RECORD:
        notes.append("La décision enregistrée est de ne pas notifier la CNIL (registre "
                     "seulement). Ce brouillon ne sert que si vous changez d'avis.")
    kind_fields = [Field("Type de notification",
                         "Notification complémentaire" if complementary
                         else "Notification initiale")]
    if complementary:
        kind_fields += [
            Field("Numéro de la notification initiale",
                  or_todo(initial.reference if initial else "",
                          "numéro donné par la CNIL à la notification initiale")),
            Field("Date de la notification initiale",
                  when(initial.done_at if initial else None)
                  or todo("date de la notification initiale")),
        ]
    nature = ("Avérée" if incident.personal_data == Incident.PersonalData.YES
              else "Supposée : les vérifications sont en cours")
    kind_fields.append(Field("La violation est-elle avérée ou supposée ?", nature))

    aware_at = breach.aware_at if breach else incident.noticed_at
    chronology = [
        Field("Date de début de la violation", when(incident.started_at, "Pas encore connue")),
        Field("Date de découverte de la violation", when(aware_at)),
        Field("Date de fin de la violation", _end(incident)),
        Field("La violation est-elle toujours en cours ?", _ongoing(incident)),
        Field("Comment la violation a-t-elle été découverte ?", incident.description),
    ]
    late, reason = cnil_delay(facts)
    if late or reason:
        chronology.append(Field(
            "Raison du retard de la notification",
            reason or todo("pourquoi la notification intervient plus de 72 heures après "
                           "la découverte (art. 33 du RGPD)")))

    if breach is not None:
        circumstances = [
            Field("Origine de la violation",
                  or_todo(breach.get_origin_display() if breach.origin else "",
                          "appareil perdu ou volé, piratage, envoi au mauvais "
                          "destinataire…")),
            Field("Nature de la violation", _cia(breach)),
            Field("Cause de la violation",
                  or_todo(breach.get_cause_display() if breach.cause else "",
                          "interne ou externe, accidentelle ou malveillante")),
            Field("Description de la violation", breach.facts or incident.description),
        ]
    else:
        circumstances = [Field("Description de la violation", incident.description)]
    circumstances.append(Field(
        "Sous-traitants concernés",
        lines(incident.processors,
              f"Prévenu par le prestataire le {when(incident.processors_told_at)}."
              if incident.processors_told_at else "")
        or todo("éditeur, hébergeur, prestataire informatique concernés, ou « aucun »")))

    if breach is not None:
        informed = {
            Breach.Decision.NOTIFY_AND_INFORM: "Oui : les personnes concernées sont "
                                               "informées par courrier.",
            Breach.Decision.NOTIFY: "Non : un risque élevé pour les personnes est "
                                    "improbable.",
        }.get(breach.decision, todo("les personnes seront-elles informées ? Si non, "
                                    "pourquoi"))
        if breach.decision_reasons and breach.decision in (Breach.Decision.NOTIFY,
                                                           Breach.Decision.NOTIFY_AND_INFORM):
            informed = lines(informed, breach.decision_reasons)
        consequences = [
            Field("Conséquences probables pour les personnes",
                  or_todo(breach.consequences, "ce que les personnes risquent : "
                          "hameçonnage, usurpation d'identité, divulgation de leur santé, "
                          "soins retardés…")),
        ]
        measures = [
            Field("Mesures prises immédiatement", _measures_taken(facts)),
            Field("Mesures prévues à moyen et long terme",
                  or_todo(breach.measures_planned, "ce qui sera changé pour que cela ne "
                          "se reproduise pas")),
            Field("Information des personnes concernées", informed),
        ]
    else:
        consequences = [Field("Conséquences probables pour les personnes",
                              todo("ce que les personnes risquent"))]
        measures = [Field("Mesures prises immédiatement", _measures_taken(facts))]

    return Draft(
        slug="cnil-complementaire" if complementary else "cnil-initiale",
        title=("Notification complémentaire à la CNIL" if complementary
               else "Notification initiale à la CNIL"),
        where=("Sur le téléservice de notification des violations de données du site de "
               "la CNIL, rubrique « Notifier une violation de données »."),
        deadline=("Dès que les faits manquants sont connus, en rappelant le numéro de la "
                  "notification initiale." if complementary else
                  f"Dans les 72 heures après la découverte, soit avant le "
                  f"{facts.due('cnil_initial')} ; si tout n'est pas connu, notifiez ce que vous "
                  f"savez et complétez ensuite."),
        notes=notes,
        sections=[
            Section("L'organisme", [*_identity_fields(facts, siren=True),
                                    Field("Personne à contacter (DPO ou autre)",
                                          _contact(facts)),
                                    Field("Représentant légal",
                                          todo("nom et fonction du titulaire ou du "
                                               "représentant légal"))]),
            Section("La notification", kind_fields),
            Section("Les dates", chronology),
            Section("Les circonstances", circumstances),
            Section("Les personnes et les données", _people_and_data(breach)),
            Section("Les conséquences", consequences),
            Section("Les mesures", measures),
        ])


def cnil_initial(facts: Facts) -> Draft:
    return _cnil(facts, complementary=False)


def cnil_complementary(facts: Facts) -> Draft:
    return _cnil(facts, complementary=True)


def _advice(facts: Facts) -> str:
    breach, kind = facts.breach, facts.incident.kind
    types = set(breach.data_types or []) if breach else set()
    advice = ["Méfiez-vous des courriels, SMS ou appels qui se présentent comme venant de "
              "nous, de l'Assurance maladie ou de votre mutuelle et qui vous demandent des "
              "informations, un code ou un paiement : nous ne vous demanderons jamais vos "
              "codes ni vos coordonnées bancaires."]
    if "connexion" in types or kind in (Incident.Kind.PHISHING, Incident.Kind.ACCOUNT):
        advice.append("Changez votre mot de passe, ainsi que sur les autres sites où vous "
                      "utilisez le même.")
    if "bancaire" in types or kind == Incident.Kind.FRAUD:
        advice.append("Surveillez vos relevés bancaires et signalez tout paiement inconnu "
                      "à votre banque.")
    if breach is not None and breach.nir:
        advice.append("Si quelqu'un vous contacte en citant votre numéro de sécurité "
                      "sociale, ne donnez aucune autre information et prévenez votre caisse "
                      "d'assurance maladie.")
    advice.append("Si vous pensez être victime d'une escroquerie, vous pouvez trouver de "
                  "l'aide sur cybermalveillance.gouv.fr et appeler le 116 006 (aide aux "
                  "victimes, gratuit).")
    return lines(*(f"– {line}" for line in advice))


def people_letter(facts: Facts) -> Draft:
    """The letter to the people affected (art. 34 GDPR): plain words, what happened, what
    it may mean for them, what we did, what they can do, whom to ask."""
    incident, breach, organisation = facts.incident, facts.breach, facts.organisation
    notes = []
    if breach is None:
        notes.append("Aucune fiche n'est ouverte au registre des violations pour cet "
                     "incident : décrivez d'abord les données touchées.")
    elif breach.decision not in (Breach.Decision.NOTIFY_AND_INFORM,
                                 Breach.Decision.UNDECIDED):
        notes.append("La décision enregistrée ne prévoit pas d'informer les personnes. Ce "
                     "courrier ne sert que si le risque pour elles est élevé.")
    aware_at = breach.aware_at if breach else incident.noticed_at
    if breach is not None and breach.facts:
        happened = (f"Le {timezone.localtime(aware_at):%d/%m/%Y}, nous avons découvert un "
                    f"incident touchant des données personnelles : {breach.facts}")
    else:
        happened = todo("en deux ou trois phrases simples, ce qui s'est passé et quand")
    types = _data_types(breach) if breach else []
    concerned = (f"Les données vous concernant qui ont pu être touchées : "
                 f"{', '.join(types).lower()}." if types
                 else todo("les données de la personne qui ont pu être touchées"))
    return Draft(
        slug="lettre-personnes",
        title="Courrier aux personnes concernées",
        where=("Par courrier ou par courriel à chaque personne concernée ; si ce n'est pas "
               "possible, par un affichage ou une annonce publique."),
        deadline=("Sans tarder, dès que le risque pour les personnes est jugé élevé "
                  "(RGPD, art. 34)."),
        notes=notes,
        sections=[
            Section("L'en-tête", [
                Field("Expéditeur", lines(organisation.name, _address(organisation))),
                Field("Objet", "Information sur un incident touchant vos données "
                               "personnelles"),
            ]),
            Section("Le courrier", [
                Field("Ce qui s'est passé", happened),
                Field("Les données concernées", concerned),
                Field("Ce que cela peut entraîner pour vous",
                      or_todo(breach.consequences if breach else "",
                              "les conséquences possibles, en mots simples")),
                Field("Ce que nous avons fait",
                      lines(breach.measures_taken if breach else "",
                            breach.measures_planned if breach else "")
                      or todo("ce que la structure a fait et va faire")),
                Field("Ce que vous pouvez faire", _advice(facts)),
                Field("Pour nous joindre", _contact(facts)),
                Field("Signature", lines(todo("nom et fonction du signataire"),
                                         organisation.name)),
            ]),
        ])


def _impact_on_data(facts: Facts) -> str:
    if facts.breach is not None:
        types = _data_types(facts.breach)
        return lines(_cia(facts.breach),
                     f"Données : {', '.join(types)}." if types else "",
                     "Des données de santé sont concernées." if facts.breach.health_data
                     else "")
    if facts.incident.personal_data == Incident.PersonalData.NO:
        return "Aucune donnée personnelle n'est touchée, d'après ce que l'on sait."
    return todo("données touchées : vues, copiées, modifiées ou perdues")


def cert_sante(facts: Facts) -> Draft:
    """The report to CERT Santé through the health reporting portal (order of 30 October
    2017, art. 1: identity, description, impacts, causes)."""
    incident, breach = facts.incident, facts.breach
    cause = (lines(breach.get_cause_display() if breach.cause else "",
                   breach.get_origin_display() if breach.origin else "")
             if breach is not None else "")
    return Draft(
        slug="cert-sante",
        title="Signalement à CERT Santé",
        where=("Sur le portail de signalement des événements sanitaires indésirables : "
               "« professionnel de santé », puis « incident de sécurité des systèmes "
               "d'information ». CERT Santé répond 24 heures sur 24."),
        deadline="Sans délai, dès que l'incident est constaté.",
        sections=[
            Section("La structure", _identity_fields(facts)),
            Section("Le déclarant", [
                Field("Nom et fonction", todo("nom et fonction de la personne qui signale")),
                Field("Téléphone et adresse e-mail",
                      todo("où CERT Santé peut vous rappeler à toute heure")),
            ]),
            Section("L'incident", [
                Field("Date de constatation", when(incident.noticed_at)),
                Field("Date de début", when(incident.started_at, "Pas encore connue")),
                Field("Type d'incident", str(incident.get_kind_display())),
                Field("Description", incident.description),
                Field("Périmètre touché",
                      or_todo(breach.media if breach else "",
                              "postes, serveurs, logiciels, sites et services touchés")),
                Field("L'incident est-il en cours ?", _ongoing(incident)),
            ]),
            Section("Les impacts", [
                Field("Sur les données", _impact_on_data(facts)),
                Field("Sur les personnes (patients, personnels)",
                      or_todo(breach.consequences if breach else "",
                              "effets sur la sécurité des soins et sur les personnes")),
                Field("Sur les systèmes d'information",
                      todo("systèmes arrêtés, chiffrés ou isolés, et depuis quand")),
                Field("Sur l'organisation et l'activité", _severity(incident)),
            ]),
            Section("Les causes et les mesures", [
                Field("Causes connues ou supposées",
                      cause or todo("ce qui a permis l'incident, s'il est connu")),
                Field("Mesures prises", _measures_taken(facts)),
            ]),
        ])


def _nis2_identity(facts: Facts) -> list[Field]:
    return [*_identity_fields(facts),
            Field("Secteur", f"Santé ({facts.organisation.get_kind_display()})"),
            Field("Personne à contacter", todo("nom, fonction, téléphone et adresse e-mail "
                                              "de la personne qui suit l'incident"))]


def _nis2(facts: Facts, *, slug: str, title: str, deadline: str, part: str,
          fields: list[Field]) -> Draft:
    """A NIS 2 report: the entity, then the fields of this step."""
    return Draft(slug=slug, title=title, deadline=deadline,
                 where=("Sur le service de déclaration de l'autorité nationale chargée de "
                        "NIS 2 (en France, l'ANSSI)."),
                 sections=[Section("L'entité", _nis2_identity(facts)), Section(part, fields)])


def nis2_early_warning(facts: Facts) -> Draft:
    incident = facts.incident
    return _nis2(
        facts, slug="nis2-alerte", title="NIS 2 : alerte précoce (24 heures)",
        deadline=(f"Dans les 24 heures après la prise de connaissance d'un incident "
                  f"important, soit avant le {facts.due('nis2_early')}."),
        part="L'incident", fields=[
            Field("Date et heure de la prise de connaissance", when(incident.noticed_at)),
            Field("Description sommaire", incident.description),
            Field("L'incident est-il suspecté d'être causé par un acte illicite ou "
                  "malveillant ?", _malicious(facts)),
            Field("L'incident peut-il avoir un impact dans d'autres pays ?", _cross_border()),
        ])


def nis2_notification(facts: Facts) -> Draft:
    incident = facts.incident
    return _nis2(
        facts, slug="nis2-notification", title="NIS 2 : notification d'incident (72 heures)",
        deadline=(f"Dans les 72 heures après la prise de connaissance, soit avant le "
                  f"{facts.due('nis2_notification')} ; elle met à jour "
                  f"l'alerte précoce."),
        part="L'évaluation initiale", fields=[
            Field("Date et heure de la prise de connaissance", when(incident.noticed_at)),
            Field("Type d'incident", str(incident.get_kind_display())),
            Field("Description", incident.description),
            Field("Acte malveillant ou illicite ?", _malicious(facts)),
            Field("Gravité", _severity(incident)),
            Field("Impact sur les services et les données",
                  lines(_impact_on_data(facts),
                        todo("services arrêtés ou dégradés, et pour combien de personnes"))),
            Field("Indicateurs de compromission",
                  todo("ce qui permet de reconnaître l'attaque : adresses IP, noms ou "
                       "extensions de fichiers, adresses e-mail de l'expéditeur, message "
                       "de rançon")),
            Field("Impact transfrontière", _cross_border()),
            Field("L'incident est-il en cours ?", _ongoing(incident)),
        ])


def nis2_final(facts: Facts) -> Draft:
    incident, breach = facts.incident, facts.breach
    root = lines(breach.get_origin_display() if breach and breach.origin else "",
                 breach.get_cause_display() if breach and breach.cause else "")
    return _nis2(
        facts, slug="nis2-rapport-final", title="NIS 2 : rapport final (un mois)",
        deadline=(f"Au plus tard un mois après la notification d'incident, soit avant le "
                  f"{facts.due('nis2_final')} ; si l'incident est encore en cours, un "
                  f"rapport d'avancement à cette date, puis le rapport final dans le mois qui "
                  f"suit sa fin."),
        part="Le rapport", fields=[
            Field("Description détaillée de l'incident",
                  lines(incident.description,
                        breach.facts if breach and breach.facts != incident.description
                        else "")),
            Field("Gravité et impact", lines(_severity(incident), _impact_on_data(facts))),
            Field("Type de menace ou cause profonde",
                  root or lines(str(incident.get_kind_display()),
                                todo("ce qui a permis l'incident (faille, mot de passe "
                                     "volé, erreur…)"))),
            Field("Mesures d'atténuation appliquées et en cours",
                  lines(_measures_taken(facts), breach.measures_planned if breach else "")),
            Field("Impact transfrontière", _cross_border()),
            Field("Date de fin de l'incident", _end(incident)),
            Field("Retour d'expérience",
                  or_todo(incident.lessons, "ce qui a manqué et ce qui change")),
        ])


def _chronology(facts: Facts) -> str:
    incident = facts.incident
    events = []
    if incident.started_at:
        events.append(f"{when(incident.started_at)} : début supposé de l'incident.")
    events.append(f"{when(incident.noticed_at)} : incident constaté. {incident.description}")
    events += [f"{when(entry.at)} : {entry.text}" for entry in facts.timeline]
    return lines(*events)


def _evidence(facts: Facts) -> str:
    files = [f"{attached.original_name} (joint le {when(entry.at)})"
             for entry in facts.timeline for attached in entry.files.all()]
    kept = lines(*(f"– {name}" for name in files))
    return lines(kept, todo("ce que vous apportez, sur une clé USB ou imprimé : capture de "
                            "la demande de rançon, courriels reçus avec leurs en-têtes, "
                            "journaux, liste des postes touchés"))


def _damages(facts: Facts) -> list[Field]:
    incident = facts.incident
    fields = [Field("Atteinte à l'activité", _severity(incident)),
              Field("Données touchées", _impact_on_data(facts))]
    if incident.kind == Incident.Kind.RANSOMWARE:
        fields.append(Field("Rançon demandée",
                            todo("montant et moyen de paiement demandés (ne payez pas)")))
    if incident.kind == Incident.Kind.FRAUD:
        fields.append(Field("Virement frauduleux",
                            todo("montant, date, banque et compte destinataire")))
    fields.append(Field("Préjudice financier estimé",
                        todo("pertes, frais de remise en état, jours d'activité perdus")))
    return fields


def _insurance(facts: Facts) -> str:
    limit = facts.due("complaint")
    rule = (f"L'assureur ne prend en charge les pertes dues à une cyberattaque que si une "
            f"plainte est déposée dans les 72 heures après en avoir eu connaissance, soit "
            f"avant le {limit} (Code des assurances, art. L.12-10-1).")
    if facts.profile.cyber_insured:
        return lines(f"Assureur : {facts.profile.insurer}" if facts.profile.insurer
                     else todo("assureur et numéro de contrat"), rule,
                     "Envoyez ensuite le récépissé de plainte à l'assureur.")
    return lines("Le profil de réponse ne mentionne pas d'assurance cyber.", rule)


def complaint(facts: Facts) -> Draft:
    """The summary to bring to the police or the gendarmerie: the facts in order, the
    damages, the evidence kept, and the 72-hour rule of the insurers."""
    incident, organisation = facts.incident, facts.organisation
    return Draft(
        slug="plainte",
        title="Résumé pour la plainte (police ou gendarmerie)",
        where=("Au commissariat ou à la brigade de gendarmerie, avec ce résumé et les "
               "preuves ; le 17 en cas d'urgence."),
        deadline=(f"Dans les 72 heures si la structure est assurée contre le risque cyber, "
                  f"soit avant le {facts.due('complaint')}."),
        sections=[
            Section("La victime", [
                *_identity_fields(facts),
                Field("Représentant légal", todo("nom et fonction de la personne qui porte "
                                                 "plainte au nom de " + organisation.name)),
            ]),
            Section("Les faits", [
                Field("Type d'attaque", str(incident.get_kind_display())),
                Field("Les faits, dans l'ordre", _chronology(facts)),
                Field("Personnes impliquées",
                      or_todo(incident.people_involved,
                              "qui a vu quoi ; l'auteur, s'il est connu (adresse e-mail, "
                              "numéro de téléphone)")),
            ]),
            Section("Les préjudices", _damages(facts)),
            Section("Les preuves conservées", [Field("Preuves", _evidence(facts))]),
            Section("L'assurance", [Field("Assurance cyber", _insurance(facts))]),
        ])


# Which drafts, and when they apply --------------------------------------------------------

@dataclass(frozen=True)
class DraftKind:
    slug: str
    title: str
    build: Callable[[Facts], Draft]
    step: str  # the legal step it serves (clocks.STEPS): whether it applies, and by when


KINDS = {kind.slug: kind for kind in (
    DraftKind("cnil-initiale", "Notification initiale à la CNIL", cnil_initial,
              "cnil_initial"),
    DraftKind("cnil-complementaire", "Notification complémentaire à la CNIL",
              cnil_complementary, "cnil_complement"),
    DraftKind("lettre-personnes", "Courrier aux personnes concernées", people_letter,
              "people"),
    DraftKind("cert-sante", "Signalement à CERT Santé", cert_sante, "cert_sante"),
    DraftKind("nis2-alerte", "NIS 2 : alerte précoce (24 heures)", nis2_early_warning,
              "nis2_early"),
    DraftKind("nis2-notification", "NIS 2 : notification d'incident (72 heures)",
              nis2_notification, "nis2_notification"),
    DraftKind("nis2-rapport-final", "NIS 2 : rapport final (un mois)", nis2_final,
              "nis2_final"),
    DraftKind("plainte", "Résumé pour la plainte", complaint, "complaint"),
)}


def build(slug: str, facts: Facts) -> Draft:
    """The draft `slug` (KeyError if unknown), its values in French whatever the active
    language (the choices' labels are translated lazily)."""
    kind = KINDS[slug]
    with translation.override("fr"):
        return kind.build(facts)


def available(facts: Facts) -> tuple[list[tuple[DraftKind, clocks.Clock]],
                                     list[tuple[DraftKind, clocks.Clock]]]:
    """The drafts whose legal step applies (or was done anyway), and the others, each with
    its step (why it applies or not, its countdown). Every draft stays available."""
    steps = [(kind, facts.legal_steps[kind.step]) for kind in KINDS.values()]
    return ([(kind, clock) for kind, clock in steps if clock.shown],
            [(kind, clock) for kind, clock in steps if not clock.shown])
