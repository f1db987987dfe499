"""Impact assessments (AIPD, art. 35 GDPR) as data and rules, without the database.

Two things live here:

- the screening: the nine criteria of the European guidelines on impact assessments
  (EDPB, WP248 rev.01) asked as yes/no questions, plus the officine rule of the CNIL's
  reference for pharmacies (délibération 2022-067: above 2.6 M€ HT of turnover, an
  assessment is necessary for the processings of health data), and what they conclude;
- the structure of the CNIL's PIA method: the context, the fundamental principles, the
  three risks with their 4-level scale, and the checks before validation.

The wording is ours, in plain French, for a pharmacist; the structure is the CNIL's.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Criterion:
    id: str
    question: str
    help: str
    # The reason as stored with the conclusion when the answer is yes.
    reason: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion("evaluation",
              gettext_lazy("Le traitement évalue-t-il ou note-t-il des personnes ?"),
              gettext_lazy("Par exemple : un score de risque, un profil de consommation, "
                           "une prédiction sur la santé ou le comportement."),
              gettext_lazy("Évaluation ou notation des personnes")),
    Criterion("decision-automatique",
              gettext_lazy("Une machine prend-elle seule une décision qui a un effet "
                           "important sur la personne ?"),
              gettext_lazy("Par exemple : un refus de prise en charge ou d'accès à un "
                           "service décidé par un logiciel, sans personne pour vérifier."),
              gettext_lazy("Décision automatique ayant un effet juridique ou important")),
    Criterion("surveillance",
              gettext_lazy("Le traitement observe-t-il des personnes de façon continue ?"),
              gettext_lazy("Par exemple : la vidéoprotection, le suivi de l'activité du "
                           "personnel sur les postes, la géolocalisation."),
              gettext_lazy("Surveillance systématique des personnes")),
    Criterion("donnees-sensibles",
              gettext_lazy("Le traitement porte-t-il sur des données sensibles ?"),
              gettext_lazy("Données de santé, numéro de sécurité sociale, données "
                           "génétiques, opinions, condamnations… Les ordonnances et "
                           "l'historique des délivrances sont des données de santé."),
              gettext_lazy("Données sensibles ou très personnelles (dont les données de "
                           "santé)")),
    Criterion("grande-echelle",
              gettext_lazy("Concerne-t-il un grand nombre de personnes ou de données ?"),
              gettext_lazy("Pensez au nombre de personnes, à la quantité de données, à la "
                           "durée de conservation et à l'étendue géographique."),
              gettext_lazy("Traitement à grande échelle")),
    Criterion("croisement",
              gettext_lazy("Croise-t-il ou rapproche-t-il des données venant de "
                           "plusieurs sources ?"),
              gettext_lazy("Par exemple : rapprocher le fichier de fidélité des "
                           "délivrances, ou des données de plusieurs établissements, d'une "
                           "façon à laquelle les personnes ne s'attendent pas."),
              gettext_lazy("Croisement ou combinaison de jeux de données")),
    Criterion("personnes-vulnerables",
              gettext_lazy("Concerne-t-il des personnes vulnérables ?"),
              gettext_lazy("Patients, enfants, personnes âgées, et aussi les salariés vis-à-"
                           "vis de leur employeur : ils peuvent difficilement refuser."),
              gettext_lazy("Personnes vulnérables (patients, salariés…)")),
    Criterion("technologie-innovante",
              gettext_lazy("Utilise-t-il une technologie nouvelle ou d'une façon "
                           "nouvelle ?"),
              gettext_lazy("Par exemple : reconnaissance faciale, objets connectés, "
                           "intelligence artificielle, biométrie."),
              gettext_lazy("Usage innovant ou nouvelle technologie")),
    Criterion("exclusion",
              gettext_lazy("Peut-il empêcher une personne d'exercer un droit ou "
                           "d'obtenir un service ?"),
              gettext_lazy("Par exemple : un fichier qui sert à refuser la délivrance, un "
                           "tiers payant ou un contrat."),
              gettext_lazy("Peut empêcher d'exercer un droit ou de bénéficier d'un "
                           "service")),
)
CRITERIA_BY_ID = {criterion.id: criterion for criterion in CRITERIA}
# Prefilled from Processing.health_data.
HEALTH_CRITERION = "donnees-sensibles"

REQUIRED, TO_JUSTIFY, NOT_REQUIRED = "requise", "a-justifier", "non-requise"
VERDICTS = {
    REQUIRED: gettext_lazy("Analyse d'impact requise"),
    TO_JUSTIFY: gettext_lazy("Pas obligatoire a priori, à justifier"),
    NOT_REQUIRED: gettext_lazy("Analyse d'impact non requise"),
}


@dataclass(frozen=True)
class Screening:
    verdict: str  # REQUIRED, TO_JUSTIFY or NOT_REQUIRED
    met: tuple[str, ...]  # the criteria answered yes
    officine_rule: bool
    summary: str  # the label and the explanation, one line (the processing's history)
    explanation: str
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return str(VERDICTS[self.verdict])


def screening(answers: Mapping[str, bool], *, health_data: bool,
              officine_over_threshold: bool) -> Screening:
    """What the answers conclude. Two criteria or more: an assessment is required (the
    guidelines say: in most cases); one: not required a priori, the choice is written
    down; none: not required. An officine above the turnover threshold needs one for
    every processing of health data, whatever the criteria."""
    met = tuple(criterion.id for criterion in CRITERIA if answers.get(criterion.id))
    officine_rule = bool(officine_over_threshold and health_data)
    reasons = [str(CRITERIA_BY_ID[key].reason) for key in met]
    if officine_rule:
        reasons.append(_("Officine dont le chiffre d'affaires dépasse 2,6 M€ HT : le "
                         "référentiel de la CNIL pour les officines (délibération "
                         "2022-067) rend l'analyse d'impact nécessaire pour les "
                         "traitements de données de santé."))
    if len(met) >= 2 or officine_rule:
        verdict = REQUIRED
        if len(met) >= 2:
            summary = _("%(n)s critères sur 9 sont remplis : dans la plupart des cas, une "
                        "analyse d'impact est alors nécessaire.") % {"n": len(met)}
        else:
            summary = _("Le référentiel de la CNIL pour les officines la rend "
                        "nécessaire.")
    elif met:
        verdict = TO_JUSTIFY
        summary = _("Un seul critère est rempli : l'analyse d'impact n'est pas obligatoire "
                    "a priori. Notez pourquoi vous n'en faites pas, et faites-la si le "
                    "risque pour les personnes vous paraît élevé.")
    else:
        verdict = NOT_REQUIRED
        summary = _("Aucun critère n'est rempli : l'analyse d'impact n'est pas requise.")
    return Screening(verdict=verdict, met=met, officine_rule=officine_rule,
                     summary=f"{VERDICTS[verdict]} — {summary}", explanation=summary,
                     reasons=tuple(reasons))


# ------------------------------------------------------------------------------ method


@dataclass(frozen=True)
class Part:
    slug: str
    title: str
    help: str


PARTS: tuple[Part, ...] = (
    Part("contexte", gettext_lazy("Contexte"),
         gettext_lazy("Ce que fait le traitement, quelles données il utilise, comment elles "
                      "circulent et sur quels logiciels et appareils.")),
    Part("principes", gettext_lazy("Principes fondamentaux"),
         gettext_lazy("Pourquoi le traitement est nécessaire et proportionné, et comment les "
                      "personnes peuvent exercer leurs droits.")),
    Part("risques", gettext_lazy("Risques"),
         gettext_lazy("Les trois risques pour les personnes, leur gravité, leur "
                      "vraisemblance, et les mesures qui les réduisent.")),
    Part("validation", gettext_lazy("Validation"),
         gettext_lazy("La cartographie des risques, le plan d'action, l'avis du DPO et "
                      "celui des personnes concernées.")),
)
PARTS_BY_SLUG = {part.slug: part for part in PARTS}


@dataclass(frozen=True)
class Text:
    """One text of a part: its key in the JSON field, its label and its help."""

    id: str
    label: str
    help: str = ""


CONTEXT: tuple[Text, ...] = (
    Text("overview", gettext_lazy("Vue d'ensemble"),
         gettext_lazy("Le traitement, ses finalités, ses enjeux, le responsable du "
                      "traitement et les sous-traitants.")),
    Text("data", gettext_lazy("Données et durées de conservation"),
         gettext_lazy("Les catégories de données, et combien de temps chacune est "
                      "gardée.")),
    Text("lifecycle", gettext_lazy("Circulation des données"),
         gettext_lazy("D'où viennent les données, qui les saisit, qui les reçoit, où elles "
                      "finissent.")),
    Text("supports", gettext_lazy("Logiciels, appareils et supports"),
         gettext_lazy("Les logiciels, les postes, les serveurs, le papier sur lesquels "
                      "reposent les données.")),
)


@dataclass(frozen=True)
class Principle:
    id: str
    group: str  # "proportionnalite" or "droits"
    label: str
    help: str


PROPORTIONALITY, RIGHTS = "proportionnalite", "droits"
PRINCIPLE_GROUPS = {
    PROPORTIONALITY: gettext_lazy("Proportionnalité et nécessité"),
    RIGHTS: gettext_lazy("Mesures protectrices des droits"),
}
PRINCIPLES: tuple[Principle, ...] = (
    Principle("finalites", PROPORTIONALITY, gettext_lazy("Finalités"),
              gettext_lazy("Pourquoi les données sont traitées, et pourquoi ces raisons sont "
                           "légitimes.")),
    Principle("base-legale", PROPORTIONALITY, gettext_lazy("Base légale"),
              gettext_lazy("Ce qui autorise le traitement : une obligation légale, un "
                           "contrat, le consentement…")),
    Principle("minimisation", PROPORTIONALITY, gettext_lazy("Minimisation des données"),
              gettext_lazy("Pourquoi chaque donnée est nécessaire, et celles auxquelles "
                           "vous avez renoncé.")),
    Principle("exactitude", PROPORTIONALITY, gettext_lazy("Qualité des données"),
              gettext_lazy("Comment les données restent exactes et à jour.")),
    Principle("conservation", PROPORTIONALITY, gettext_lazy("Durées de conservation"),
              gettext_lazy("Pourquoi ces durées, et comment les données sont effacées ou "
                           "archivées ensuite.")),
    Principle("information", RIGHTS, gettext_lazy("Information des personnes"),
              gettext_lazy("Comment les personnes sont informées : affichage, notice, "
                           "mention sur les documents.")),
    Principle("consentement", RIGHTS, gettext_lazy("Consentement"),
              gettext_lazy("Quand il est demandé, comment il est recueilli et retiré ; "
                           "sinon, pourquoi il ne s'applique pas.")),
    Principle("acces-portabilite", RIGHTS, gettext_lazy("Droit d'accès et portabilité"),
              gettext_lazy("Comment une personne obtient ses données, et sous quelle "
                           "forme.")),
    Principle("rectification-effacement", RIGHTS,
              gettext_lazy("Rectification et effacement"),
              gettext_lazy("Comment une donnée est corrigée ou effacée à la demande.")),
    Principle("limitation-opposition", RIGHTS, gettext_lazy("Limitation et opposition"),
              gettext_lazy("Comment une personne fait suspendre ou refuse un usage de ses "
                           "données.")),
    Principle("sous-traitants", RIGHTS, gettext_lazy("Sous-traitants"),
              gettext_lazy("Qui traite les données pour vous, et ce que prévoit leur "
                           "contrat.")),
    Principle("transferts", RIGHTS, gettext_lazy("Transferts hors de l'Union européenne"),
              gettext_lazy("Où sont les données, et la garantie qui encadre un transfert "
                           "éventuel.")),
)


@dataclass(frozen=True)
class Risk:
    id: str
    title: str
    help: str


RISKS: tuple[Risk, ...] = (
    Risk("acces-illegitime", gettext_lazy("Accès illégitime à des données"),
         gettext_lazy("Quelqu'un qui ne devrait pas voit les données : vol d'un poste, "
                      "compte partagé, message au mauvais destinataire.")),
    Risk("modification", gettext_lazy("Modification non désirée de données"),
         gettext_lazy("Les données sont changées par erreur ou par malveillance : "
                      "mauvaise saisie, logiciel défaillant, piratage.")),
    Risk("disparition", gettext_lazy("Disparition de données"),
         gettext_lazy("Les données sont perdues ou inaccessibles : panne, rançongiciel, "
                      "incendie, sauvegarde qui ne se restaure pas.")),
)
RISKS_BY_ID = {risk.id: risk for risk in RISKS}
RISK_TEXTS: tuple[Text, ...] = (
    Text("impacts", gettext_lazy("Conséquences pour les personnes"),
         gettext_lazy("Ce que vivraient les personnes si le risque se réalisait.")),
    Text("threats", gettext_lazy("Menaces"),
         gettext_lazy("Ce qui pourrait arriver, concrètement.")),
    Text("sources", gettext_lazy("Sources de risque"),
         gettext_lazy("Qui ou quoi pourrait en être à l'origine : un salarié, un "
                      "prestataire, un pirate, un incident.")),
)
# The CNIL's scale, for the severity and the likelihood alike.
LEVELS = {1: gettext_lazy("Négligeable"), 2: gettext_lazy("Limitée"),
          3: gettext_lazy("Importante"), 4: gettext_lazy("Maximale")}
HIGH = 3


def level_of(values: Mapping, name: str) -> int | None:
    """A risk's severity or likelihood, 1..4, or None when not assessed (or not valid)."""
    value = values.get(name)
    return value if isinstance(value, int) and value in LEVELS else None


def is_high(values: Mapping) -> bool:
    """Severity and likelihood both « importante » or more: not acceptable as it is."""
    severity, likelihood = level_of(values, "severity"), level_of(values, "likelihood")
    return severity is not None and likelihood is not None and \
        severity >= HIGH and likelihood >= HIGH


def highest(risks: Mapping) -> tuple[int, int] | None:
    """(severity, likelihood) of the worst assessed risk (by product, then severity)."""
    scored = [(level_of(values, "severity"), level_of(values, "likelihood"))
              for values in risks.values() if isinstance(values, Mapping)]
    scored = [pair for pair in scored if None not in pair]
    return max(scored, key=lambda pair: (pair[0] * pair[1], pair[0])) if scored else None


def unmitigated_high_risks(risks: Mapping,
                           planned: Iterable[Iterable[str]]) -> list[Risk]:
    """The high risks that no planned measure addresses (`planned`: the `risks` list of
    each planned measure). Such an assessment cannot be validated."""
    covered = {risk_id for risk_ids in planned for risk_id in risk_ids}
    return [risk for risk in RISKS
            if is_high(risks.get(risk.id) or {}) and risk.id not in covered]


@dataclass(frozen=True)
class Cell:
    severity: int
    likelihood: int
    risks: tuple[Risk, ...]

    @property
    def high(self) -> bool:
        return self.severity >= HIGH and self.likelihood >= HIGH


def risk_map(risks: Mapping) -> list[tuple[int, list[Cell]]]:
    """The map, one row per severity from « maximale » down, one cell per likelihood."""
    return [(severity, [Cell(severity, likelihood, tuple(
        risk for risk in RISKS
        if level_of(risks.get(risk.id) or {}, "severity") == severity
        and level_of(risks.get(risk.id) or {}, "likelihood") == likelihood))
        for likelihood in LEVELS]) for severity in sorted(LEVELS, reverse=True)]


def progress(*, context: Mapping, principles: Mapping, risks: Mapping, has_measures: bool,
             dpo_opinion: str, people_opinion: str) -> dict[str, tuple[int, int]]:
    """{part slug: (filled, total)}: what the page shows as done in each part. A risk is
    filled once its texts and both levels are there; the validation part counts the
    measures and the two opinions."""
    def filled(values: Mapping, texts) -> int:
        return sum(1 for text in texts if str(values.get(text.id, "")).strip())

    risks_done = sum(1 for risk in RISKS
                     if filled(risks.get(risk.id) or {}, RISK_TEXTS) == len(RISK_TEXTS)
                     and None not in (level_of(risks.get(risk.id) or {}, "severity"),
                                      level_of(risks.get(risk.id) or {}, "likelihood")))
    validation = sum((has_measures, bool(dpo_opinion.strip()), bool(people_opinion.strip())))
    return {"contexte": (filled(context, CONTEXT), len(CONTEXT)),
            "principes": (filled(principles, PRINCIPLES), len(PRINCIPLES)),
            "risques": (risks_done, len(RISKS)),
            "validation": (validation, 3)}
