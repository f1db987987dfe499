"""The risk helper of a personal data breach: from a few answers to a reasoned proposal.

Pure (no database): `assess(answers)` returns an `Assessment` whose reasons, plain French
sentences, explain each step; `Assessment.as_dict()` is what the breach record keeps
(Breach.assessment, with the answers: services.breach_decide).

1. Severity, by the ENISA method (2013): the context of the data touched, DPC, from 1 to 4
   (1 simple, 2 behavioural, 3 financial, 4 sensitive; the highest of the data touched),
   times the ease of identifying the people, EI (0.25, 0.5, 0.75 or 1), plus the
   circumstances, CB (loss of confidentiality, of integrity, of availability: 0, 0.25 or
   0.5 each; malicious intent: 0.5). Bands: below 2 low, 2 to below 3 medium, 3 to below 4
   high, 4 and above very high.
2. The decision of art. 33 and 34 GDPR: a low severity is a breach unlikely to result in a
   risk (record only, the reasons kept); medium is a risk (notify the CNIL within 72 h);
   high and very high are a high risk (also inform the people), unless one of the
   exceptions of art. 34(3): the data were unintelligible (state-of-the-art encryption,
   key not compromised, and only their confidentiality was lost: encryption does not bring
   back lost or altered data), later measures removed the high risk, or informing each
   person would take a disproportionate effort (then a public communication instead).
   The exceptions concern the people only: the CNIL is still notified.

Pharmacy defaults: health data, what a pharmacy sold or dispensed to someone (ENISA scores
pharmacy purchases as sensitive) and the NIR weigh 4. Our rule for them: the proposal is
never "record only" but at least "notify the CNIL", whatever the score. The user may still
record only, with a written reason: services.breach_decide refuses any decision other than
the proposal without one.
"""

from dataclasses import asdict, dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

METHOD = "ENISA 2013"

# The values of Breach.Decision (models.py), kept here so that this module stays pure.
RECORD = "registre"
NOTIFY = "cnil"
NOTIFY_AND_INFORM = "cnil-personnes"

DPC_CATEGORIES = {1: gettext_lazy("simples"), 2: gettext_lazy("de comportement"),
                  3: gettext_lazy("financières"), 4: gettext_lazy("sensibles")}

# key: (label, DPC score). The keys of forms.DATA_TYPES, so that the breach record's
# "types de données" prefill the answers, plus what the register does not list.
DATA_TYPES = {
    "identite": (gettext_lazy("Identité (nom, prénom, date de naissance)"), 1),
    "coordonnees": (gettext_lazy("Coordonnées (adresse, téléphone, e-mail)"), 1),
    "comportement": (gettext_lazy("Habitudes ou déplacements (historique de connexions, "
                                  "fréquentation, localisation)"), 2),
    "mutuelle": (gettext_lazy("Mutuelle et tiers payant"), 3),
    "bancaire": (gettext_lazy("Données bancaires"), 3),
    "rh": (gettext_lazy("Données de salariés (paie, contrat)"), 3),
    "connexion": (gettext_lazy("Identifiants et mots de passe"), 3),
    "achats": (gettext_lazy("Achats ou délivrances en pharmacie (ce qu'une personne a "
                            "acheté ou reçu)"), 4),
    "sante": (gettext_lazy("Données de santé (ordonnances, traitements, résultats)"), 4),
    "nir": (gettext_lazy("Numéro de sécurité sociale (NIR)"), 4),
    "autre": (gettext_lazy("Autres données"), 1),
}
# The data that are never only recorded without the user's reason (see the module's rule).
WEIGHS_MOST = frozenset({"sante", "achats", "nir"})

IDENTIFICATION = {
    "directe": (gettext_lazy("Oui, directement : nom et prénom, NIR, photo"), 1.0),
    "facile": (gettext_lazy("Oui, sans grand effort : adresse e-mail, téléphone, numéro de "
                            "dossier accompagné d'autres informations"), 0.75),
    "difficile": (gettext_lazy("Difficilement : il faudrait croiser avec d'autres sources "
                               "(initiales, âge, commune)"), 0.5),
    "negligeable": (gettext_lazy("Pratiquement pas : données pseudonymisées sans la table "
                                 "de correspondance"), 0.25),
}

CONFIDENTIALITY = {
    "non": (gettext_lazy("Non, personne d'autre n'a pu les voir"), 0.0),
    "exposees": (gettext_lazy("Exposées, sans signe qu'elles aient été lues ou utilisées "
                              "(appareil perdu, dossier laissé ouvert)"), 0.0),
    "connus": (gettext_lazy("Vues par des personnes connues (courriel au mauvais "
                            "destinataire, salarié non autorisé)"), 0.25),
    "inconnus": (gettext_lazy("Vues ou emportées par un nombre inconnu de personnes "
                              "(piratage, publication sur Internet)"), 0.5),
}
INTEGRITY = {
    "non": (gettext_lazy("Non, elles n'ont pas été modifiées"), 0.0),
    "sans-usage": (gettext_lazy("Modifiées, sans usage incorrect connu"), 0.0),
    "recuperables": (gettext_lazy("Modifiées et peut-être utilisées à tort, mais les bonnes "
                                  "valeurs peuvent être rétablies"), 0.25),
    "irrecuperables": (gettext_lazy("Modifiées et peut-être utilisées à tort, sans pouvoir "
                                    "rétablir les bonnes valeurs"), 0.5),
}
AVAILABILITY = {
    "non": (gettext_lazy("Non, elles sont toujours accessibles"), 0.0),
    "retablie": (gettext_lazy("Retrouvées sans difficulté (sauvegarde restaurée)"), 0.0),
    "temporaire": (gettext_lazy("Inaccessibles un temps, le temps de les restaurer"), 0.25),
    "definitive": (gettext_lazy("Perdues pour de bon"), 0.5),
}
MALICIOUS_WEIGHT = 0.5

UNINTELLIGIBLE = {
    "non": gettext_lazy("Non, elles étaient lisibles"),
    "chiffrees": gettext_lazy("Oui : chiffrées avec un procédé reconnu (BitLocker, "
                              "FileVault, archive AES…) et la clé ou le mot de passe n'a pas "
                              "été pris"),
    "cle-compromise": gettext_lazy("Chiffrées, mais la clé ou le mot de passe a pu être pris "
                                   "aussi"),
}

BANDS = (  # (lower bound, code, label)
    (4.0, "tres-elevee", gettext_lazy("très élevée")),
    (3.0, "elevee", gettext_lazy("élevée")),
    (2.0, "moyenne", gettext_lazy("moyenne")),
    (float("-inf"), "faible", gettext_lazy("faible")),
)

DECISIONS = {
    RECORD: gettext_lazy("Inscrire au registre seulement (risque improbable)"),
    NOTIFY: gettext_lazy("Notifier la CNIL"),
    NOTIFY_AND_INFORM: gettext_lazy("Notifier la CNIL et informer les personnes"),
}

EXCEPTIONS = {
    "chiffrement": gettext_lazy("données illisibles (chiffrées, clé non compromise)"),
    "mesures": gettext_lazy("mesures prises depuis qui suppriment le risque élevé"),
    "effort": gettext_lazy("effort disproportionné : communication publique"),
}

TEXT_LIMIT = 1000


class InvalidAnswers(ValueError):
    """Answers the helper cannot read: `errors` is {question: French message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Assessment:
    score: float
    band: str  # a code of BANDS
    decision: str  # RECORD, NOTIFY or NOTIFY_AND_INFORM
    reasons: list[str]
    exceptions: list[str] = field(default_factory=list)  # codes of EXCEPTIONS applied
    risk: str = ""  # "improbable", "risque" or "eleve"
    public_communication: bool = False
    dpc: int = 1
    ei: float = 1.0
    cb: float = 0.0

    @property
    def band_label(self) -> str:
        return str(next(label for _bound, code, label in BANDS if code == self.band))

    @property
    def decision_label(self) -> str:
        return str(DECISIONS[self.decision])

    @property
    def summary(self) -> str:
        return _("Gravité %(score)s (%(band)s) — %(decision)s") % {
            "score": number(self.score), "band": self.band_label,
            "decision": self.decision_label}

    def as_dict(self, answers: dict | None = None) -> dict:
        """The JSON kept in Breach.assessment (labels included: the record reads without
        this module, in the words of the day it was decided)."""
        data = asdict(self)
        data.update(method=METHOD, band_label=self.band_label,
                    decision_label=self.decision_label, summary=self.summary,
                    exceptions_labels=[str(EXCEPTIONS[code]) for code in self.exceptions])
        if answers is not None:
            data["answers"] = answers
        return data


def number(value: float) -> str:
    """3, 2,5 or 0,25: no useless zeros, the decimal separator of the active language."""
    return f"{value:g}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def band(score: float) -> str:
    return next(code for bound, code, _label in BANDS if score >= bound)


def _choice(answers, name, table, errors, default=None):
    value = answers.get(name, default)
    if value not in table:
        errors[name] = _("Choisissez une des réponses proposées.")
    return value


def _text(answers, name) -> str:
    return str(answers.get(name) or "").strip()[:TEXT_LIMIT]


def clean_answers(answers: dict) -> dict:
    """The answers checked and normalised (JSON-ready), or InvalidAnswers."""
    errors: dict[str, str] = {}
    data_types = answers.get("data_types") or []
    if isinstance(data_types, str):
        data_types = [data_types]
    if not data_types:
        errors["data_types"] = _("Cochez au moins un type de données touchées.")
    elif any(key not in DATA_TYPES for key in data_types):
        errors["data_types"] = _("Choisissez parmi les types de données proposés.")
    people_count = answers.get("people_count")
    if people_count in ("", None):
        people_count = None
    else:
        try:
            people_count = int(people_count)
        except (TypeError, ValueError):
            people_count = -1
        if people_count < 0:
            errors["people_count"] = _("Indiquez un nombre de personnes, ou laissez vide si "
                                       "vous ne le savez pas encore.")
    clean = {
        "data_types": [key for key in DATA_TYPES if key in data_types],
        "people_count": people_count,
        "identification": _choice(answers, "identification", IDENTIFICATION, errors),
        "confidentiality": _choice(answers, "confidentiality", CONFIDENTIALITY, errors,
                                   "non"),
        "integrity": _choice(answers, "integrity", INTEGRITY, errors, "non"),
        "availability": _choice(answers, "availability", AVAILABILITY, errors, "non"),
        "malicious": bool(answers.get("malicious")),
        "unintelligible": _choice(answers, "unintelligible", UNINTELLIGIBLE, errors, "non"),
        "measures_remove_risk": bool(answers.get("measures_remove_risk")),
        "measures": _text(answers, "measures"),
        "effort_disproportionate": bool(answers.get("effort_disproportionate")),
        "effort_reason": _text(answers, "effort_reason"),
    }
    if clean["confidentiality"] == clean["integrity"] == clean["availability"] == "non" \
            and not errors:
        errors["confidentiality"] = _("Une violation touche au moins la confidentialité, "
                                      "l'intégrité ou la disponibilité des données : dites "
                                      "ce qui s'est passé.")
    if clean["measures_remove_risk"] and not clean["measures"]:
        errors["measures"] = _("Décrivez les mesures qui suppriment le risque : elles "
                               "justifient de ne pas prévenir les personnes.")
    if clean["effort_disproportionate"] and not clean["effort_reason"]:
        errors["effort_reason"] = _("Dites pourquoi prévenir chaque personne demanderait un "
                                    "effort disproportionné.")
    if errors:
        raise InvalidAnswers(errors)
    return clean


def assess(answers: dict) -> Assessment:
    """Score the breach (ENISA), then propose a decision (art. 33-34), each step in a
    sentence. Raises InvalidAnswers."""
    answers = clean_answers(answers)
    reasons = []

    # 1. The context of the data: the highest of the data touched.
    touched = [(str(DATA_TYPES[key][0]), DATA_TYPES[key][1]) for key in answers["data_types"]]
    dpc = max(score for _label, score in touched)
    reasons.append(_("Données touchées : %(list)s. La méthode retient la plus lourde : "
                     "%(dpc)s sur 4.") % {
        "list": " ; ".join(_("%(label)s, %(score)s sur 4 (données %(category)s)") % {
            "label": label, "score": score, "category": DPC_CATEGORIES[score]}
            for label, score in touched),
        "dpc": dpc})

    # 2. How easily the people are recognised.
    ei_label, ei = IDENTIFICATION[answers["identification"]]
    reasons.append(_("Peut-on reconnaître les personnes ? « %(answer)s ». Le contexte est "
                     "multiplié par %(ei)s : %(dpc)s × %(ei)s = %(base)s.") % {
        "answer": ei_label, "ei": number(ei),
        "dpc": dpc, "base": number(dpc * ei)})

    # 3. The circumstances, added.
    added = []
    for name, table, what in (("confidentiality", CONFIDENTIALITY, _("confidentialité")),
                              ("integrity", INTEGRITY, _("intégrité")),
                              ("availability", AVAILABILITY, _("disponibilité"))):
        label, weight = table[answers[name]]
        if answers[name] != "non":
            added.append((f"{what} « {label} »", weight))
    if answers["malicious"]:
        added.append((_("acte malveillant"), MALICIOUS_WEIGHT))
    cb = sum(weight for _label, weight in added)
    reasons.append(_("Ce qui s'est passé : %(list)s. Ajouté à la note : + %(cb)s.") % {
        "list": " ; ".join(f"{label} (+ {number(weight)})" for label, weight in added),
        "cb": number(cb)})

    score = dpc * ei + cb
    code = band(score)
    label = next(label for _bound, c, label in BANDS if c == code)
    reasons.append(_("Gravité : %(base)s + %(cb)s = %(score)s, %(band)s (moins de 2 : "
                     "faible ; de 2 à moins de 3 : moyenne ; de 3 à moins de 4 : élevée ; "
                     "4 et plus : très élevée).") % {
        "base": number(dpc * ei), "cb": number(cb), "score": number(score), "band": label})

    # 4. The risk to people (art. 33 and 34).
    risk = {"faible": "improbable", "moyenne": "risque"}.get(code, "eleve")
    if risk == "improbable":
        reasons.append(_("Une gravité faible : la violation ne présente probablement pas de "
                         "risque pour les personnes. L'inscrire au registre suffit, avec ces "
                         "raisons (RGPD, art. 33)."))
        heavy = [str(DATA_TYPES[key][0]) for key in answers["data_types"] if key in WEIGHS_MOST]
        if heavy:
            risk = "risque"
            reasons.append(_("Mais sont touchées : %(list)s. Par prudence, Pharmagarde propose "
                             "au moins de notifier la CNIL. Si vous jugez le risque "
                             "improbable, vous pouvez choisir de l'inscrire au registre "
                             "seulement, en écrivant pourquoi.") % {"list": " ; ".join(heavy)})
    elif risk == "risque":
        reasons.append(_("Une gravité moyenne : la violation présente un risque pour les "
                         "personnes. Notifiez-la à la CNIL dans les 72 heures qui suivent le "
                         "moment où vous en avez eu connaissance (RGPD, art. 33)."))
    else:
        reasons.append(_("Une gravité %(band)s : le risque pour les personnes est élevé. "
                         "Notifiez la CNIL dans les 72 heures et informez les personnes sans "
                         "tarder, en termes simples (RGPD, art. 34).") % {"band": label})

    # 5. The exceptions to informing the people (art. 34(3)).
    exceptions = _exceptions(answers, risk, reasons)
    public = risk == "eleve" and exceptions == ["effort"]
    if risk == "improbable":
        decision = RECORD
    elif risk == "risque" or exceptions:
        decision = NOTIFY
    else:
        decision = NOTIFY_AND_INFORM
    _people(answers["people_count"], reasons)
    return Assessment(score=score, band=code, decision=decision, reasons=reasons,
                      exceptions=exceptions, risk=risk, public_communication=public,
                      dpc=dpc, ei=ei, cb=cb)


def _exceptions(answers, risk, reasons) -> list[str]:
    encrypted = answers["unintelligible"]
    asked = (encrypted != "non" or answers["measures_remove_risk"]
             or answers["effort_disproportionate"])
    if risk != "eleve":
        if asked:
            reasons.append(_("Le chiffrement, les mesures prises ou l'effort pour prévenir "
                             "chacun ne dispensent d'informer les personnes qu'en cas de "
                             "risque élevé : ils ne changent rien ici."))
        return []
    applied = []
    if encrypted == "cle-compromise":
        reasons.append(_("Les données étaient chiffrées, mais la clé a pu être prise : elles "
                         "restent lisibles pour qui les a, le chiffrement ne dispense pas "
                         "d'informer les personnes."))
    elif encrypted == "chiffrees":
        if answers["integrity"] == answers["availability"] == "non":
            applied.append("chiffrement")
            reasons.append(_("Les données étaient chiffrées avec un procédé reconnu et la clé "
                             "n'a pas été prise : illisibles pour qui les a, elles ne "
                             "demandent pas d'informer les personnes (RGPD, art. 34, 3, a). "
                             "La notification à la CNIL reste due."))
        else:
            reasons.append(_("Le chiffrement empêche de lire les données, pas de les perdre "
                             "ou de les modifier : il ne dispense pas d'informer les "
                             "personnes ici."))
    if answers["measures_remove_risk"]:
        applied.append("mesures")
        reasons.append(_("Les mesures prises depuis suppriment le risque élevé (« %(what)s ») "
                         ": informer les personnes n'est plus exigé (RGPD, art. 34, 3, b). La "
                         "notification à la CNIL reste due.") % {"what": answers["measures"]})
    if answers["effort_disproportionate"]:
        if applied:
            reasons.append(_("L'effort pour prévenir chaque personne n'a pas à être invoqué : "
                             "une exception s'applique déjà."))
        else:
            applied.append("effort")
            reasons.append(_("Prévenir chaque personne demanderait un effort disproportionné "
                             "(« %(why)s ») : une communication publique les informe à la "
                             "place, par exemple une affiche dans l'officine et un message sur "
                             "votre site (RGPD, art. 34, 3, c). La notification à la CNIL "
                             "reste due.") % {"why": answers["effort_reason"]})
    return applied


def _people(count, reasons) -> None:
    if count is None:
        reasons.append(_("Le nombre de personnes concernées n'est pas encore connu : "
                         "estimez-le dès que possible, la CNIL le demande."))
    else:
        reasons.append(ngettext(
            "Environ %(count)s personne concernée : la méthode n'en tient pas compte dans la "
            "note, mais la CNIL demande ce nombre, et plus il est grand, plus il faut agir "
            "vite.",
            "Environ %(count)s personnes concernées : la méthode n'en tient pas compte dans "
            "la note, mais la CNIL demande ce nombre, et plus il est grand, plus il faut agir "
            "vite.", count) % {"count": formats.number_format(count, force_grouping=True)})
