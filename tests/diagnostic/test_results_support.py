"""Shared helpers for the results tests: small referentials built in the test, and
assessments answered and completed without going through the answering pages."""

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from pharmagarde.diagnostic import referential as referentials
from pharmagarde.diagnostic.models import Answer, Assessment
from pharmagarde.diagnostic.referential import build_referential


def question(qid, theme_text, *, criticality="normale", priority=10, weight=1, advanced=True,
             multiple=False, kinds=None, show_if=None):
    """show_if: (question_id, [choice ids]) for a conditional question."""
    lines = [
        f"      - id: {qid}",
        f"        text: {theme_text}",
        "        why: Parce que.",
        f"        help: Aide pour {qid}.",
        f"        weight: {weight}",
        f"        criticality: {criticality}",
    ]
    if kinds:
        lines.append(f"        applies_to: {{kinds: [{', '.join(kinds)}]}}")
    if show_if:
        lines.append(f"        show_if: {{question: {show_if[0]}, "
                     f"choices: [{', '.join(show_if[1])}]}}")
    if multiple:
        lines += ["        kind: multiple",
                  "        choices:",
                  "          - {id: a, label: Premier, score: 1}",
                  "          - {id: b, label: Second, score: 2}"]
    else:
        lines += ["        choices:",
                  "          - {id: oui, label: Oui, score: 3}",
                  "          - {id: partiel, label: En partie, score: 1.5}",
                  "          - {id: non, label: Non, score: 0}"]
    lines += [
        "        references: {anssi: [1]}",
        "        measure:",
        f"          id: m-{qid}",
        f"          title: Mesure {qid}",
        f"          basic: Base {qid}.",
    ]
    if advanced:
        lines.append(f"          advanced: Avancé {qid}.")
    lines += [
        f"          why: Pourquoi {qid}.",
        f"          how: Comment {qid}.",
        "          effort: faible",
        f"          priority: {priority}",
    ]
    return "\n".join(lines)


def gate(qid, text):
    """An unscored yes/no question (scored: false) that only opens conditional questions."""
    return "\n".join([
        f"      - id: {qid}",
        f"        text: {text}",
        "        why: Pour ne poser que les questions utiles.",
        "        scored: false",
        "        choices:",
        "          - {id: oui, label: Oui}",
        "          - {id: non, label: Non}",
    ])


def module(themes):
    """themes: [(theme_id, title, [question text blocks])]"""
    parts = ["id: socle", "title: Socle", "themes:"]
    for theme_id, title, questions in themes:
        parts += [f"  - id: {theme_id}", f"    title: {title}", "    questions:", *questions]
    return "\n".join(parts) + "\n"


THEMES_V1 = [
    ("gouvernance", "Organisation", [
        question("referent", "Un référent est-il désigné ?", criticality="majeure", priority=1,
                 weight=2),
        question("sensibilisation", "L'équipe est-elle sensibilisée ?", priority=20),
    ]),
    ("acces", "Accès & <mots de passe>", [
        question("mdp", "Les mots de passe sont-ils robustes ?", criticality="critique",
                 priority=2, weight=2),
        question("admin", "Les comptes administrateur sont-ils séparés ?",
                 criticality="critique", priority=3),
    ]),
    ("sauvegardes", "Sauvegardes", [
        question("sauvegarde", "Les sauvegardes sont-elles hors ligne ?",
                 criticality="critique", priority=4),
        question("restauration", "La restauration est-elle testée ?", priority=30),
    ]),
    ("postes", "Postes de travail", [
        question("maj", "Les mises à jour sont-elles automatiques ?", criticality="majeure",
                 priority=5),
        question("antivirus", "Un antivirus est-il installé ?", priority=40),
        question("pui-only", "Question réservée aux PUI ?", priority=50, kinds=["pui"]),
    ]),
]
QUESTION_IDS = ["referent", "sensibilisation", "mdp", "admin", "sauvegarde", "restauration",
                "maj", "antivirus"]


def themes_v2():
    themes = [(tid, title, list(qs)) for tid, title, qs in THEMES_V1]
    # Changed wording, one question removed, one added.
    themes[0][2][1] = question("sensibilisation", "L'équipe est-elle formée chaque année ?",
                               priority=20)
    themes[3][2].pop(1)  # antivirus
    themes[3][2].append(question("edr", "Un outil de détection est-il installé ?",
                                 priority=45))
    return themes


REFERENTIALS = {
    "2025.1": build_referential("2025.1", [("2025.1/socle.yaml", module(THEMES_V1))]),
    "2026.1": build_referential("2026.1", [("2026.1/socle.yaml", module(themes_v2()))]),
}
VERSIONS = list(REFERENTIALS)


class ReferentialsMixin:
    """Replace the packaged referentials with REFERENTIALS for the whole test class."""

    referentials = REFERENTIALS

    @classmethod
    def setUpClass(cls):
        cls._patchers = [
            mock.patch("pharmagarde.diagnostic.models.get_referential",
                       side_effect=cls.referentials.__getitem__),
            mock.patch("pharmagarde.diagnostic.referential.get_referential",
                       side_effect=cls.referentials.__getitem__),
            mock.patch("pharmagarde.diagnostic.referential.available_versions",
                       return_value=list(cls.referentials)),
        ]
        for patcher in cls._patchers:
            patcher.start()
        try:
            super().setUpClass()
        except Exception:
            cls._stop_patchers()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._stop_patchers()

    @classmethod
    def _stop_patchers(cls):
        for patcher in reversed(cls._patchers):
            patcher.stop()


def make_assessment(organisation, answers=None, *, version="2025.1", completed_days_ago=None,
                    kind=None, size="1-9"):
    """answers: {question_id: "oui" | ["a", "b"] | "?" (je ne sais pas)}.

    completed_days_ago: None leaves the assessment in progress; a number completes it that
    many days ago, with its cached score and theme scores as assessment_complete writes them.
    """
    assessment = Assessment.objects.create(
        organisation=organisation, referential_version=version,
        organisation_kind=kind or organisation.kind, size_band=size)
    for question_id, value in (answers or {}).items():
        dont_know = value == "?"
        choices = [] if dont_know else ([value] if isinstance(value, str) else list(value))
        Answer.objects.create(organisation=organisation, assessment=assessment,
                              question_id=question_id, choice_ids=choices, dont_know=dont_know)
    if completed_days_ago is not None:
        complete(assessment, completed_days_ago)
    return assessment


def complete(assessment, days_ago=0):
    result = assessment.result()
    assessment.status = Assessment.Status.COMPLETED
    assessment.completed_at = timezone.now() - timedelta(days=days_ago)
    assessment.score = result.score
    assessment.level = result.level
    assessment.theme_scores = {t.theme.id: t.score for t in result.themes}
    assessment.save()
    return assessment


def all_answers(value="oui", **overrides):
    answers = dict.fromkeys(QUESTION_IDS, value)
    answers.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return answers


def latest_referential():
    return referentials.get_referential(referentials.latest_version())
