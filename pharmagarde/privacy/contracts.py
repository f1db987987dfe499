"""What a contract with a processor must say (GDPR art. 28), and the conditions of a
provider's remote access to the pharmacy's systems.

The texts are ours, written for a pharmacist, in the spirit of the CNIL's guide and model
clauses for processors: a plain explanation of each obligation and a clause to propose to
the provider when the contract lacks it. They are data, read by the processors' pages, the
page of model clauses and the findings (processor_services.findings), and tested without a
database (tests/privacy/test_contracts.py).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Clause:
    """One obligation the contract must carry (art. 28(3), 28(2) and 28(4) GDPR)."""

    id: str
    label: str | Promise  # short, in the checklist
    article: str  # the paragraph of the GDPR or of the code that requires it
    explanation: str | Promise  # what it means, for a pharmacist
    model: str | Promise  # a clause to propose to the provider
    health_only: bool = False  # only for a processor handling health data

    def applies_to(self, *, health_data: bool) -> bool:
        return health_data or not self.health_only


@dataclass(frozen=True)
class Condition:
    """One condition of a provider's remote access to the pharmacy's systems."""

    id: str
    label: str | Promise
    explanation: str | Promise


CLAUSES: tuple[Clause, ...] = (
    Clause(
        id="objet",
        label=_("Objet, durée, nature et finalité du traitement, types de données et "
                "catégories de personnes"),
        article=_("RGPD, art. 28.3 (premier alinéa)"),
        explanation=_("Le contrat dit ce que le prestataire fait pour vous, pendant combien "
                      "de temps, pourquoi, sur quelles données (identité, ordonnances, "
                      "paie…) et de qui (patients, salariés…). Sans cela, on ne sait pas à "
                      "quoi il s'engage."),
        model=_("Le prestataire traite pour le compte de la pharmacie les données "
                "nécessaires à la prestation suivante : [décrire la prestation]. Le "
                "traitement dure le temps du contrat. Il porte sur les données suivantes : "
                "[identité, coordonnées, données de santé…], concernant : [patients, "
                "membres du personnel…]. Il a pour seule finalité : [finalité]."),
    ),
    Clause(
        id="instructions",
        label=_("Traiter les données seulement sur vos instructions écrites, y compris "
                "pour les transferts hors de l'Union européenne"),
        article=_("RGPD, art. 28.3.a"),
        explanation=_("Le prestataire ne fait des données que ce que vous lui demandez par "
                      "écrit : il ne les réutilise pas pour son propre compte et ne les "
                      "envoie pas dans un pays hors de l'Union européenne sans votre "
                      "accord, sauf si une loi l'y oblige (il doit alors vous prévenir)."),
        model=_("Le prestataire ne traite les données que sur instruction écrite de la "
                "pharmacie, y compris pour tout transfert vers un pays situé hors de "
                "l'Union européenne. Si le droit de l'Union ou d'un État membre l'oblige à "
                "un traitement non prévu, il en informe la pharmacie avant de le faire, "
                "sauf si ce droit le lui interdit."),
    ),
    Clause(
        id="confidentialite",
        label=_("Confidentialité des personnes autorisées à traiter les données"),
        article=_("RGPD, art. 28.3.b"),
        explanation=_("Chaque salarié du prestataire qui voit vos données s'est engagé à "
                      "les garder secrètes (clause de son contrat de travail ou engagement "
                      "signé) et a été formé à leur protection."),
        model=_("Le prestataire veille à ce que les personnes autorisées à traiter les "
                "données s'engagent à en respecter la confidentialité ou soient soumises à "
                "une obligation légale de confidentialité, et reçoivent la formation "
                "nécessaire à leur protection."),
    ),
    Clause(
        id="securite",
        label=_("Mesures de sécurité"),
        article=_("RGPD, art. 28.3.c et art. 32"),
        explanation=_("Le prestataire protège vos données selon leur sensibilité : accès "
                      "par comptes nominatifs, chiffrement, sauvegardes, mises à jour, "
                      "traçage des accès. Le contrat décrit ces mesures ou renvoie à une "
                      "annexe qui les décrit."),
        model=_("Le prestataire met en œuvre les mesures techniques et organisationnelles "
                "adaptées au risque, décrites en annexe : contrôle des accès par comptes "
                "nominatifs et double authentification, chiffrement des données stockées "
                "et transmises, sauvegardes testées, mises à jour de sécurité, journal des "
                "accès. Il informe la pharmacie de tout changement qui réduirait ce "
                "niveau de protection."),
    ),
    Clause(
        id="sous-traitance",
        label=_("Sous-traitants ultérieurs seulement avec votre autorisation écrite, et "
                "tenus aux mêmes obligations"),
        article=_("RGPD, art. 28.2 et 28.4"),
        explanation=_("Si le prestataire confie une partie du travail à une autre société "
                      "(un hébergeur, par exemple), il doit vous le dire avant, vous "
                      "laisser la possibilité de refuser, et imposer à cette société les "
                      "mêmes engagements que les siens. Il reste responsable envers vous."),
        model=_("Le prestataire ne fait appel à un autre sous-traitant qu'avec "
                "l'autorisation écrite préalable de la pharmacie. Il l'informe à l'avance "
                "de tout ajout ou remplacement, pour qu'elle puisse s'y opposer. Il impose "
                "à ce sous-traitant, par contrat, les mêmes obligations de protection des "
                "données et demeure pleinement responsable de leur respect."),
    ),
    Clause(
        id="droits",
        label=_("Aide pour répondre aux demandes des personnes"),
        article=_("RGPD, art. 28.3.e"),
        explanation=_("Quand un patient ou un salarié demande l'accès à ses données, leur "
                      "correction ou leur effacement, le prestataire vous aide à répondre "
                      "dans le délai d'un mois (extraction, correction dans le logiciel…)."),
        model=_("Le prestataire aide la pharmacie, par des moyens techniques et "
                "organisationnels adaptés, à répondre aux demandes des personnes qui "
                "exercent leurs droits (accès, rectification, effacement, opposition, "
                "limitation, portabilité). S'il reçoit directement une telle demande, il "
                "la transmet sans délai à la pharmacie."),
    ),
    Clause(
        id="assistance",
        label=_("Aide pour la sécurité et les analyses d'impact"),
        article=_("RGPD, art. 28.3.f et art. 32 à 36"),
        explanation=_("Le prestataire vous donne les informations dont vous avez besoin "
                      "pour sécuriser le traitement et, si nécessaire, pour réaliser une "
                      "analyse d'impact ou consulter la CNIL."),
        model=_("Le prestataire aide la pharmacie à garantir la sécurité du traitement et "
                "lui fournit les informations nécessaires pour réaliser une analyse "
                "d'impact relative à la protection des données et, le cas échéant, pour "
                "consulter la CNIL."),
    ),
    Clause(
        id="violations",
        label=_("Vous prévenir au plus vite de toute violation de données"),
        article=_("RGPD, art. 28.3.f et art. 33.2"),
        explanation=_("Une fuite, une perte ou un piratage chez le prestataire doit vous "
                      "être signalé sans attendre : vous n'avez que 72 heures pour le "
                      "déclarer à la CNIL. Le contrat fixe un délai court et ce que le "
                      "prestataire vous transmet."),
        model=_("Le prestataire informe la pharmacie de toute violation de données "
                "personnelles dans les meilleurs délais, et au plus tard dans les "
                "[24] heures après en avoir eu connaissance, par [téléphone et courriel à "
                "l'adresse …]. Il lui transmet ce qu'il sait de la nature de la violation, "
                "des données et des personnes concernées, de ses conséquences probables et "
                "des mesures prises, et la tient informée de la suite."),
    ),
    Clause(
        id="fin",
        label=_("Supprimer ou rendre les données à la fin du contrat"),
        article=_("RGPD, art. 28.3.g"),
        explanation=_("À la fin du contrat, le prestataire vous rend les données dans un "
                      "format lisible (pour passer à un autre logiciel, par exemple) puis "
                      "les supprime, copies et sauvegardes comprises, et vous le confirme "
                      "par écrit."),
        model=_("Au terme de la prestation, le prestataire, au choix de la pharmacie, "
                "restitue l'ensemble des données dans un format lisible et couramment "
                "utilisé, ou les détruit, copies et sauvegardes comprises, sauf obligation "
                "légale de conservation. Il confirme par écrit la destruction."),
    ),
    Clause(
        id="audits",
        label=_("Fournir les preuves de conformité et permettre des audits"),
        article=_("RGPD, art. 28.3.h"),
        explanation=_("Le prestataire vous donne, quand vous le demandez, ce qui montre "
                      "qu'il respecte ses engagements (certifications, rapports d'audit, "
                      "politique de sécurité) et accepte un contrôle, par vous ou par une "
                      "personne que vous choisissez."),
        model=_("Le prestataire met à la disposition de la pharmacie toutes les "
                "informations nécessaires pour démontrer le respect de ses obligations. Il "
                "permet la réalisation d'audits, y compris d'inspections sur place, par la "
                "pharmacie ou par un auditeur qu'elle mandate, et y contribue."),
    ),
    Clause(
        id="instruction-illicite",
        label=_("Vous alerter si une de vos instructions lui semble contraire au RGPD"),
        article=_("RGPD, art. 28.3 (dernier alinéa)"),
        explanation=_("Si vous demandez au prestataire quelque chose qui ne respecte pas la "
                      "protection des données, il doit vous le dire tout de suite plutôt "
                      "que de l'exécuter sans rien dire."),
        model=_("Le prestataire informe immédiatement la pharmacie si une instruction lui "
                "paraît constituer une violation du règlement général sur la protection "
                "des données ou d'une autre disposition relative à la protection des "
                "données."),
    ),
    Clause(
        id="hds",
        label=_("Hébergement des données de santé par un hébergeur certifié HDS"),
        article=_("Code de la santé publique, art. L. 1111-8"),
        explanation=_("Quand le prestataire conserve pour vous des données de santé "
                      "(ordonnances, dossiers patients, résultats), lui-même ou la société "
                      "qui les héberge doit être certifié « hébergeur de données de "
                      "santé » (HDS). Demandez le certificat et vérifiez ce qu'il couvre."),
        model=_("Le prestataire garantit que les données de santé sont hébergées par un "
                "hébergeur certifié pour l'hébergement de données de santé, conformément à "
                "l'article L. 1111-8 du Code de la santé publique : [nom de l'hébergeur, "
                "numéro et périmètre du certificat]. Il informe sans délai la pharmacie de "
                "tout changement d'hébergeur et de toute suspension ou perte de la "
                "certification."),
        health_only=True,
    ),
)

CLAUSES_BY_ID = {clause.id: clause for clause in CLAUSES}


REMOTE_CONDITIONS: tuple[Condition, ...] = (
    Condition(
        id="compte-nominatif",
        label=_("Un compte nominatif pour chaque technicien"),
        explanation=_("Pas de compte partagé par toute l'équipe du prestataire : on sait "
                      "toujours qui s'est connecté."),
    ),
    Condition(
        id="double-authentification",
        label=_("Double authentification à chaque connexion"),
        explanation=_("Un mot de passe ne suffit pas : un code reçu sur un téléphone ou une "
                      "clé de sécurité est demandé en plus."),
    ),
    Condition(
        id="sur-demande",
        label=_("Accès ouvert à la demande, puis refermé après l'intervention"),
        explanation=_("L'accès n'est pas ouvert en permanence : vous l'ouvrez (ou "
                      "l'acceptez) pour une intervention, et il est coupé ensuite."),
    ),
    Condition(
        id="sessions-tracees",
        label=_("Connexions enregistrées dans un journal"),
        explanation=_("Chaque connexion est notée (qui, quand, sur quel poste) et vous "
                      "pouvez consulter ce journal."),
    ),
    Condition(
        id="acces-limite",
        label=_("Accès limité à ce qui est nécessaire"),
        explanation=_("Le technicien n'accède qu'aux postes et aux logiciels dont il a "
                      "besoin pour son intervention, pas à tout le réseau."),
    ),
    Condition(
        id="pharmacie-prevenue",
        label=_("Pharmacie prévenue de chaque intervention"),
        explanation=_("Le prestataire vous dit avant quand il se connecte et pourquoi, et "
                      "après ce qu'il a fait."),
    ),
)

REMOTE_CONDITIONS_BY_ID = {condition.id: condition for condition in REMOTE_CONDITIONS}


def applicable_clauses(*, health_data: bool) -> tuple[Clause, ...]:
    """The clauses a processor's contract must carry (HDS only with health data)."""
    return tuple(clause for clause in CLAUSES if clause.applies_to(health_data=health_data))


def checklist(answers: dict, items) -> dict[str, bool | None]:
    """{id: True | False | None} for each item (clause or condition), from a stored dict
    that may lack ids or hold ids since removed: unknown ids are dropped, missing ones are
    None (not checked)."""
    answers = answers or {}
    return {item.id: answers.get(item.id) if answers.get(item.id) in (True, False) else None
            for item in items}
