"""The small referential the answering tests use, and the packaged one through the views.

`AnsweringMixin` makes every assessment of version "test" use REFERENTIAL below, and the
start of a new assessment pick it, whatever the packaged content says at the time.
"""

from unittest.mock import patch

from django.utils.html import escape

from pharmagarde.diagnostic import services
from pharmagarde.diagnostic.models import Answer, Assessment
from pharmagarde.diagnostic.referential import build_referential, get_referential
from pharmagarde.diagnostic.scoring import visible_questions
from pharmagarde.lib.typography import french_spacing
from tests.base import BaseTestCase

VERSION = "test"
REFERENTIAL = """\
id: socle
title: Socle
themes:
  - id: acces
    title: Accès et mots de passe
    intro: Qui entre dans vos ordinateurs, et avec quoi ?
    questions:
      - id: mdp
        text: Chaque personne a-t-elle son propre mot de passe ?
        why: Un mot de passe partagé ne permet pas de savoir qui a fait quoi.
        help: Pensez au logiciel de gestion de l'officine et à la messagerie.
        criticality: critique
        weight: 2
        choices:
          - {id: oui, label: "Oui, pour tout le monde", score: 3}
          - {id: partiel, label: "Pour certains logiciels", score: 1.5}
          - {id: non, label: "Non", score: 0}
        references: {anssi: [10]}
        measure: {id: m-mdp, title: Un mot de passe par personne, basic: B, advanced: A,
                  why: W, how: H, effort: faible, priority: 2}
      - id: wifi
        text: Avez-vous un Wi-Fi ?
        why: Un Wi-Fi mal protégé ouvre la porte du réseau.
        choices:
          - {id: oui, label: Oui, score: 3}
          - {id: non, label: Non, score: 3}
        references: {anssi: [20]}
        measure: {id: m-wifi, title: Wi-Fi, basic: B, why: W, how: H, effort: moyen,
                  priority: 5}
      - id: wifi-invites
        text: Le Wi-Fi des clients est-il séparé de celui de l'officine ?
        why: Un client connecté au même réseau peut atteindre vos postes.
        show_if: {question: wifi, choices: [oui]}
        choices:
          - {id: oui, label: Oui, score: 3}
          - {id: non, label: Non, score: 0}
        references: {anssi: [20]}
        measure: {id: m-wifi-invites, title: Séparer le Wi-Fi des clients, basic: B, why: W,
                  how: H, effort: faible, priority: 3}
      - id: admin
        text: Les comptes administrateur sont-ils réservés à l'informatique ?
        why: Un compte administrateur ouvert à tous laisse un virus tout installer.
        dont_know: false
        choices:
          - {id: oui, label: Oui, score: 3}
          - {id: non, label: Non, score: 0}
        references: {anssi: [12]}
        measure: {id: m-admin, title: Réserver les comptes administrateur, basic: B, why: W,
                  how: H, effort: moyen, priority: 4}
  - id: sauvegardes
    title: Sauvegardes
    questions:
      - id: supports
        text: Où sont vos copies de sauvegarde ?
        why: Une copie branchée en permanence est chiffrée avec le reste par un rançongiciel.
        kind: multiple
        choices:
          - {id: externe, label: Disque externe, score: 1}
          - {id: hors-ligne, label: Copie hors ligne, score: 2}
          - {id: aucune, label: Aucune copie, score: 0, exclusive: true}
        references: {anssi: [37]}
        measure: {id: m-sauvegardes, title: Sauvegarder hors ligne, basic: B, advanced: A,
                  why: W, how: H, effort: moyen, priority: 1}
      - id: restauration
        text: Avez-vous déjà essayé de restaurer une sauvegarde ?
        why: Une sauvegarde jamais testée est souvent inutilisable le jour venu.
        choices:
          - {id: oui, label: Oui, score: 3}
          - {id: non, label: Non, score: 0}
        references: {anssi: [37]}
        measure: {id: m-restauration, title: Tester la restauration, basic: B, why: W, how: H,
                  effort: faible, priority: 6}
  - id: postes
    title: Postes de travail
    questions:
      - id: maj
        text: Les mises à jour s'installent-elles automatiquement ?
        why: La plupart des attaques utilisent des failles déjà corrigées.
        choices:
          - {id: oui, label: Oui, score: 3}
          - {id: non, label: Non, score: 0}
        references: {anssi: [34]}
        measure: {id: m-maj, title: Mises à jour automatiques, basic: B, why: W, how: H,
                  effort: faible, priority: 7}
      - id: wifi-chiffrement
        text: Le Wi-Fi de l'officine est-il protégé par WPA2 ou WPA3 ?
        why: Un Wi-Fi ancien se casse en quelques minutes depuis le trottoir.
        show_if: {question: wifi, choices: [oui]}
        choices:
          - {id: oui, label: Oui, score: 3}
          - {id: non, label: Non, score: 0}
        references: {anssi: [20]}
        measure: {id: m-wifi-chiffrement, title: Chiffrer le Wi-Fi, basic: B, why: W, how: H,
                  effort: faible, priority: 8}
"""
TEST_REFERENTIAL = build_referential(VERSION, [("socle.yaml", REFERENTIAL)])


def fake_get_referential(version):
    return TEST_REFERENTIAL if version == VERSION else get_referential(version)


class AnsweringMixin:
    """Assessments of version "test" use the small referential above."""

    @classmethod
    def setUpClass(cls):
        cls.enterClassContext(patch("pharmagarde.diagnostic.models.get_referential",
                                    fake_get_referential))
        cls.enterClassContext(patch("pharmagarde.diagnostic.services.latest_version",
                                    lambda: VERSION))
        super().setUpClass()

    @classmethod
    def make_assessment(cls, org=None, user=None, **answers):
        """An assessment, with answers given as question=["choice", ...] or ["?"]."""
        assessment = services.assessment_start(acting_user=user or cls.alice,
                                               organisation=org or cls.org)
        for question_id, choices in answers.items():
            question_id = question_id.replace("_", "-")
            dont_know = choices == ["?"]
            Answer.objects.create(organisation=assessment.organisation, assessment=assessment,
                                  question_id=question_id, dont_know=dont_know,
                                  choice_ids=[] if dont_know else choices,
                                  answered_by=user or cls.alice)
        return assessment

    def theme_url(self, assessment, theme_id):
        return self.org_url("assessment_theme", assessment.pk, theme_id)

    def save_url(self, assessment, question_id):
        return self.org_url("answer_save", assessment.pk, question_id)

    def answer(self, assessment, question_id, *choices, comment="", revision=0, htmx=False):
        data = {"choices": list(choices), "comment": comment, "revision": revision}
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(self.save_url(assessment, question_id), data, headers=headers)


class PackagedReferentialTestCase(BaseTestCase):
    """The content actually shipped can be answered from start to finish."""

    def test_it_answers_the_packaged_referential_from_start_to_results(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.org_url("assessment_start"))
        assessment = Assessment.objects.get(organisation=self.org)
        self.assertRedirects(response, self.org_url(
            "assessment_theme", assessment.pk, assessment.themes()[0].id))
        # Answer every question shown ("Je ne sais pas" when allowed, else the first choice),
        # theme by theme, until conditional questions stop appearing.
        for _round in range(5):
            values = assessment.answer_values()
            shown, visible_ids = [], set()
            for theme in assessment.themes():
                shown += visible_questions(theme.questions, values, visible_ids)
            todo = [q for q in shown if q.id not in values]
            if not todo:
                break
            for question in todo:
                page = self.client.get(self.org_url("assessment_theme", assessment.pk,
                                                    question.theme_id))
                # Shown with French no-break spaces (core/templatetags/typography.py).
                self.assertContains(page, escape(french_spacing(question.why)))
                choice = "_dont_know" if question.dont_know else question.choices[0].id
                response = self.client.post(
                    self.org_url("answer_save", assessment.pk, question.id),
                    {"choices": [choice], "revision": 0})
                self.assertEqual(response.status_code, 302, question.id)
        response = self.client.post(self.org_url("assessment_complete", assessment.pk))
        self.assertRedirects(response, self.org_url("assessment_results", assessment.pk),
                             fetch_redirect_response=False)
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, Assessment.Status.COMPLETED)
