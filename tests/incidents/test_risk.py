"""The risk helper (incidents/risk.py): the ENISA score, its bands, and each path of the
decision of art. 33-34 GDPR, exceptions and the pharmacy's rule for health data."""

import json

from django.test import SimpleTestCase
from django.utils import translation

from pharmagarde.incidents import risk
from pharmagarde.incidents.models import Breach


def answers(**changes):
    """A mislaid e-mail: a customer list sent to one wrong, known recipient."""
    values = {"data_types": ["identite"], "people_count": 40, "identification": "directe",
              "confidentiality": "connus", "integrity": "non", "availability": "non",
              "malicious": False, "unintelligible": "non"}
    values.update(changes)
    return values


# Health data stolen by an attacker from a laptop: 4 × 1 + 0 = 4, very high.
STOLEN_LAPTOP = {"data_types": ["sante", "identite"], "confidentiality": "exposees",
                 "malicious": True}


class RiskTestCase(SimpleTestCase):
    def setUp(self):
        translation.activate("fr")
        self.addCleanup(translation.deactivate)

    def assertReason(self, assessment, text):
        self.assertTrue(any(text in reason for reason in assessment.reasons),
                        f"{text!r} not in {assessment.reasons}")


class DecisionPathsTestCase(RiskTestCase):
    def test_an_unlikely_risk_is_recorded_only_with_its_reasons(self):
        result = risk.assess(answers())
        self.assertEqual((result.score, result.band, result.risk, result.decision),
                         (1.25, "faible", "improbable", risk.RECORD))
        self.assertReason(result, "L'inscrire au registre suffit, avec ces raisons")
        self.assertReason(result, "1 + 0,25 = 1,25, faible")
        self.assertEqual(result.exceptions, [])

    def test_a_risk_is_notified_to_the_cnil_within_72_hours(self):
        result = risk.assess(answers(data_types=["bancaire"], identification="facile"))
        self.assertEqual((result.score, result.band, result.risk, result.decision),
                         (2.5, "moyenne", "risque", risk.NOTIFY))
        self.assertReason(result, "Notifiez-la à la CNIL dans les 72 heures")

    def test_a_high_risk_also_informs_the_people(self):
        result = risk.assess(answers(data_types=["identite", "sante"],
                                     confidentiality="inconnus", malicious=True))
        self.assertEqual((result.score, result.band, result.risk, result.decision),
                         (5.0, "tres-elevee", "eleve", risk.NOTIFY_AND_INFORM))
        self.assertReason(result, "informez les personnes sans tarder")
        self.assertReason(result, "acte malveillant (+ 0,5)")
        self.assertFalse(result.public_communication)

    def test_the_context_is_the_heaviest_of_the_data_touched(self):
        result = risk.assess(answers(data_types=["coordonnees", "mutuelle", "identite"]))
        self.assertEqual(result.dpc, 3)
        self.assertReason(result, "La méthode retient la plus lourde : 3 sur 4")

    def test_a_pharmacy_s_purchases_weigh_as_sensitive_data(self):
        self.assertEqual(risk.assess(answers(data_types=["achats"])).dpc, 4)


class ExceptionsTestCase(RiskTestCase):
    def test_encrypted_data_with_a_safe_key_need_not_be_told_but_are_notified(self):
        result = risk.assess(answers(**STOLEN_LAPTOP, unintelligible="chiffrees"))
        self.assertEqual((result.risk, result.decision, result.exceptions),
                         ("eleve", risk.NOTIFY, ["chiffrement"]))
        self.assertReason(result, "art. 34, 3, a")
        self.assertReason(result, "La notification à la CNIL reste due")

    def test_encryption_whose_key_was_taken_is_no_exception(self):
        result = risk.assess(answers(**STOLEN_LAPTOP, unintelligible="cle-compromise"))
        self.assertEqual((result.decision, result.exceptions),
                         (risk.NOTIFY_AND_INFORM, []))
        self.assertReason(result, "la clé a pu être prise")

    def test_encryption_does_not_bring_back_lost_data(self):
        result = risk.assess(answers(**STOLEN_LAPTOP, unintelligible="chiffrees",
                                     availability="definitive"))
        self.assertEqual((result.decision, result.exceptions),
                         (risk.NOTIFY_AND_INFORM, []))
        self.assertReason(result, "pas de les perdre ou de les modifier")

    def test_later_measures_that_remove_the_high_risk(self):
        result = risk.assess(answers(**STOLEN_LAPTOP, measures_remove_risk=True,
                                     measures="Poste retrouvé scellé, sans ouverture"))
        self.assertEqual((result.decision, result.exceptions), (risk.NOTIFY, ["mesures"]))
        self.assertReason(result, "« Poste retrouvé scellé, sans ouverture »")
        self.assertReason(result, "art. 34, 3, b")

    def test_a_disproportionate_effort_calls_for_a_public_communication(self):
        result = risk.assess(answers(**STOLEN_LAPTOP, effort_disproportionate=True,
                                     effort_reason="Clients de passage, sans coordonnées"))
        self.assertEqual((result.decision, result.exceptions, result.public_communication),
                         (risk.NOTIFY, ["effort"], True))
        self.assertReason(result, "une communication publique les informe à la place")

    def test_no_public_communication_when_another_exception_applies(self):
        result = risk.assess(answers(**STOLEN_LAPTOP, unintelligible="chiffrees",
                                     effort_disproportionate=True, effort_reason="Trop"))
        self.assertEqual((result.exceptions, result.public_communication),
                         (["chiffrement"], False))
        self.assertReason(result, "une exception s'applique déjà")

    def test_exceptions_change_nothing_below_a_high_risk(self):
        result = risk.assess(answers(data_types=["bancaire"], identification="facile",
                                     unintelligible="chiffrees"))
        self.assertEqual((result.risk, result.decision, result.exceptions),
                         ("risque", risk.NOTIFY, []))
        self.assertReason(result, "ils ne changent rien ici")


class HealthDataRuleTestCase(RiskTestCase):
    """Our rule: health data, a pharmacy's sales or dispensing, or the NIR are never only
    recorded on the helper's say: the proposal is at least to notify the CNIL."""

    LOW = {"identification": "negligeable", "confidentiality": "exposees"}

    def test_health_data_are_at_least_notified_even_with_a_low_score(self):
        for key in ("sante", "achats", "nir"):
            with self.subTest(key):
                result = risk.assess(answers(data_types=[key], **self.LOW))
                self.assertEqual((result.score, result.band), (1.0, "faible"))
                self.assertEqual((result.risk, result.decision), ("risque", risk.NOTIFY))
                self.assertReason(result, "Par prudence, Pharmagarde propose au moins de "
                                          "notifier la CNIL")

    def test_the_same_breach_without_them_is_recorded_only(self):
        result = risk.assess(answers(data_types=["bancaire"], **self.LOW))
        self.assertEqual((result.score, result.decision), (0.75, risk.RECORD))


class BandsTestCase(RiskTestCase):
    def test_the_edges_of_the_bands(self):
        for score, expected in ((1.99, "faible"), (2.0, "moyenne"), (2.99, "moyenne"),
                                (3.0, "elevee"), (3.99, "elevee"), (4.0, "tres-elevee"),
                                (0.25, "faible"), (6.0, "tres-elevee")):
            with self.subTest(score):
                self.assertEqual(risk.band(score), expected)

    def test_the_edges_through_the_decision(self):
        cases = (
            # simple data, identified, known recipients and malice: 1 + 0.75
            (answers(malicious=True), 1.75, "faible", risk.RECORD),
            # behavioural data, identified: exactly 2
            (answers(data_types=["comportement"], confidentiality="exposees"), 2.0,
             "moyenne", risk.NOTIFY),
            (answers(data_types=["bancaire"], identification="facile",
                     confidentiality="inconnus"), 2.75, "moyenne", risk.NOTIFY),
            # financial data, identified: exactly 3
            (answers(data_types=["bancaire"], confidentiality="exposees"), 3.0, "elevee",
             risk.NOTIFY_AND_INFORM),
            (answers(data_types=["bancaire"], confidentiality="exposees",
                     availability="temporaire", integrity="recuperables",
                     identification="directe"), 3.5, "elevee", risk.NOTIFY_AND_INFORM),
            # sensitive data, identified: exactly 4
            (answers(data_types=["sante"], confidentiality="exposees"), 4.0, "tres-elevee",
             risk.NOTIFY_AND_INFORM),
        )
        for values, score, band, decision in cases:
            with self.subTest(score=score):
                result = risk.assess(values)
                self.assertEqual((result.score, result.band, result.decision),
                                 (score, band, decision))


class AnswersTestCase(RiskTestCase):
    def assertInvalid(self, values, field, text):
        with self.assertRaises(risk.InvalidAnswers) as caught:
            risk.assess(values)
        self.assertIn(field, caught.exception.errors)
        self.assertIn(text, caught.exception.errors[field])

    def test_bad_answers_are_refused_in_french_by_question(self):
        self.assertInvalid(answers(data_types=[]), "data_types", "Cochez au moins un type")
        self.assertInvalid(answers(data_types=["adn"]), "data_types", "Choisissez parmi")
        self.assertInvalid(answers(identification="peut-etre"), "identification",
                           "Choisissez une des réponses proposées")
        self.assertInvalid(answers(identification=None), "identification",
                           "Choisissez une des réponses proposées")
        self.assertInvalid(answers(people_count="-3"), "people_count", "Indiquez un nombre")
        self.assertInvalid(answers(people_count="beaucoup"), "people_count",
                           "Indiquez un nombre")
        self.assertInvalid(answers(confidentiality="non"), "confidentiality",
                           "dites ce qui s'est passé")
        self.assertInvalid(answers(measures_remove_risk=True, measures="  "), "measures",
                           "Décrivez les mesures")
        self.assertInvalid(answers(effort_disproportionate=True), "effort_reason",
                           "Dites pourquoi")

    def test_the_number_of_people_is_said_but_does_not_change_the_score(self):
        many = risk.assess(answers(people_count=12000))
        unknown = risk.assess(answers(people_count=None))
        self.assertEqual(many.score, unknown.score)
        self.assertReason(many, "Environ 12\u00a0000 personnes concernées")
        self.assertReason(unknown, "n'est pas encore connu")

    def test_the_stored_form_is_json_with_the_answers_and_the_labels(self):
        clean = risk.clean_answers(answers(**STOLEN_LAPTOP, effort_disproportionate=True,
                                           effort_reason="Sans coordonnées"))
        stored = json.loads(json.dumps(risk.assess(clean).as_dict(clean)))
        self.assertEqual(stored["answers"], clean)
        self.assertEqual(stored["decision"], risk.NOTIFY)
        self.assertEqual(stored["method"], "ENISA 2013")
        self.assertEqual(stored["summary"], "Gravité 4,5 (très élevée) — Notifier la CNIL")
        self.assertEqual(stored["exceptions_labels"],
                         ["effort disproportionné : communication publique"])
        self.assertTrue(stored["public_communication"])

    def test_the_decisions_are_the_register_s(self):
        self.assertEqual(set(risk.DECISIONS), set(Breach.Decision.values) - {""})
