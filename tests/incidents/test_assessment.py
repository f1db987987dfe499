"""The risk helper's page (breach_assess) and its service (services.breach_decide): the
questions prefilled from the record, the proposal with its reasons, the decision stored
with its reasoning (versioned, audited), a different decision only with a reason."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from pharmagarde.core.models import AuditEntry
from pharmagarde.incidents import risk, services
from pharmagarde.incidents.models import Breach, RecordVersion
from tests.base import BaseTestCase

# A ransomware that copied the patients' files before encrypting them.
ANSWERS = {"data_types": ["identite", "sante"], "people_count": "350",
           "identification": "directe", "confidentiality": "inconnus", "integrity": "non",
           "availability": "temporaire", "malicious": "on", "unintelligible": "non",
           "measures": "", "effort_reason": ""}


def make_breach(organisation, **fields):
    values = {"number": Breach.objects.filter(organisation=organisation).count() + 1,
              "aware_at": timezone.now() - datetime.timedelta(hours=3),
              "facts": "Fichiers chiffrés, demande de rançon.", "origin": "piratage",
              "cause": "externe-malveillance", "confidentiality": True, "availability": True,
              "health_data": True, "people_count": 350, "data_types": ["identite"]}
    values.update(fields)
    return Breach.objects.create(organisation=organisation, **values)


class AssessTestCase(BaseTestCase):
    def setUp(self):
        self.breach = make_breach(self.org)
        self.url = self.org_url("breach_assess", self.breach.pk)

    def post(self, step="evaluer", **changes):
        data = {**ANSWERS, "revision": self.breach.revision, "step": step, **changes}
        return self.client.post(self.url, {k: v for k, v in data.items() if v is not None})

    def assertNothingWritten(self):
        self.breach.refresh_from_db()
        self.assertEqual((self.breach.decision, self.breach.assessment, self.breach.revision),
                         ("", {}, 0))
        self.assertFalse(RecordVersion.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(action="breach.decided").exists())


class PageTestCase(AssessTestCase):
    def test_the_questions_are_prefilled_from_the_record(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        initial = response.context["form"].initial
        self.assertEqual(initial["data_types"], ["identite", "sante"])
        self.assertEqual((initial["people_count"], initial["identification"],
                          initial["confidentiality"], initial["integrity"],
                          initial["availability"], initial["malicious"]),
                         (350, "directe", "inconnus", "non", None, True))
        self.assertShows(response, "Peut-on reconnaître les personnes à partir de ces données ?")
        self.assertShows(response, "cochez aussi les données de santé")
        self.assertNotContains(response, 'name="step" value="decider"')

    def test_a_second_visit_starts_from_the_last_answers(self):
        services.breach_decide(acting_user=self.alice, breach=self.breach,
                               answers={**ANSWERS, "people_count": 12}, reasons="",
                               decision=risk.NOTIFY_AND_INFORM, revision=0)
        self.client.force_login(self.rita)
        initial = self.client.get(self.url).context["form"].initial
        self.assertEqual((initial["people_count"], initial["decision"]),
                         (12, risk.NOTIFY_AND_INFORM))

    def test_evaluating_shows_the_proposal_and_its_reasons_and_writes_nothing(self):
        self.client.force_login(self.dora)
        response = self.post()
        self.assertShows(response, "Proposition : Notifier la CNIL et informer les personnes")
        self.assertShows(response, "Gravité : 4 + 1,25 = 5,25, très élevée")
        self.assertShows(response, "Environ 350 personnes concernées")
        # The proposal is the decision offered first.
        self.assertContains(response, 'value="cnil-personnes" id="id_decision_2" checked')
        self.assertNothingWritten()

    def test_the_detail_page_links_to_the_helper(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("breach_detail", self.breach.pk))
        self.assertContains(response, f'href="{self.url}"')
        self.assertShows(response, "Évaluer le risque et décider")

    def test_a_closed_record_is_reopened_first(self):
        Breach.objects.filter(pk=self.breach.pk).update(status=Breach.Status.CLOSED)
        self.client.force_login(self.alice)
        for response in (self.client.get(self.url), self.post(step="decider")):
            self.assertRedirects(response, self.org_url("breach_detail", self.breach.pk))
        self.assertFalse(RecordVersion.objects.exists())


class DecideTestCase(AssessTestCase):
    def test_confirming_the_proposal_stores_the_assessment_and_its_reasoning(self):
        self.client.force_login(self.alice)
        response = self.post(step="decider", decision=risk.NOTIFY_AND_INFORM,
                             reasons="Vu avec le DPO.")
        detail = self.org_url("breach_detail", self.breach.pk)
        self.assertRedirects(response, detail)
        self.breach.refresh_from_db()
        self.assertEqual(self.breach.decision, Breach.Decision.NOTIFY_AND_INFORM)
        self.assertEqual(self.breach.decided_by, self.alice)
        self.assertIsNotNone(self.breach.decided_at)
        stored = self.breach.assessment
        self.assertEqual((stored["score"], stored["band"], stored["decision"]),
                         (5.25, "tres-elevee", risk.NOTIFY_AND_INFORM))
        self.assertEqual(stored["answers"]["people_count"], 350)
        self.assertTrue(stored["answers"]["malicious"])
        self.assertTrue(self.breach.decision_reasons.startswith("Vu avec le DPO.\n\n"
                                                                "Raisonnement de l'aide"))
        self.assertIn("- Gravité : 4 + 1,25 = 5,25", self.breach.decision_reasons)
        entry = AuditEntry.objects.get(action="breach.decided")
        self.assertEqual(entry.actor, self.alice)
        # The detail page shows the stored reasoning.
        page = self.client.get(detail)
        self.assertShows(page, "<strong>Évaluation du risque :</strong> Gravité 5,25 (très "
                               "élevée) — Notifier la CNIL et informer les personnes")
        self.assertShows(page, "(méthode ENISA 2013), proposition : Notifier la CNIL")

    def test_a_decision_kept_in_a_version_with_before_and_after(self):
        self.client.force_login(self.rita)
        self.post(step="decider", decision=risk.NOTIFY_AND_INFORM)
        self.breach.refresh_from_db()
        self.post(step="decider", decision=risk.NOTIFY, measures_remove_risk="on",
                  measures="Sauvegarde restaurée, fichiers jamais publiés")
        first, second = RecordVersion.objects.filter(record_id=self.breach.pk).order_by("pk")
        self.assertEqual((first.revision, second.revision), (1, 2))
        self.assertEqual(first.changes["décision"],
                         ["À décider", "Notifier la CNIL et informer les personnes"])
        self.assertEqual(second.changes["décision"],
                         ["Notifier la CNIL et informer les personnes", "Notifier la CNIL"])
        self.assertEqual(second.changes["évaluation du risque"][1],
                         "Gravité 5,25 (très élevée) — Notifier la CNIL")
        self.assertEqual(second.author, self.rita)
        self.breach.refresh_from_db()
        self.assertEqual(self.breach.assessment["exceptions"], ["mesures"])

    def test_another_decision_than_the_proposal_needs_a_reason(self):
        self.client.force_login(self.alice)
        response = self.post(step="decider", decision=risk.RECORD, reasons="  ")
        self.assertShows(response, "Vous choisissez une autre décision que celle proposée "
                                   "(« Notifier la CNIL et informer les personnes ») : écrivez "
                                   "pourquoi", status_code=422)
        self.assertIn("reasons", response.context["form"].errors)
        self.assertNothingWritten()
        response = self.post(step="decider", decision=risk.RECORD,
                             reasons="Fichiers factices d'un poste de démonstration.")
        self.breach.refresh_from_db()
        self.assertEqual(self.breach.decision, Breach.Decision.RECORD)
        self.assertTrue(self.breach.decision_reasons.startswith("Fichiers factices"))
        self.assertEqual(RecordVersion.objects.get().reason,
                         "Fichiers factices d'un poste de démonstration.")

    def test_bad_input_is_refused_next_to_the_questions(self):
        self.client.force_login(self.alice)
        response = self.post(step="decider", data_types=None, identification="peut-etre",
                             people_count="beaucoup", measures_remove_risk="on",
                             decision=risk.NOTIFY)
        self.assertEqual(response.status_code, 422)
        errors = response.context["form"].errors
        self.assertEqual(set(errors), {"data_types", "identification", "people_count",
                                       "measures"})
        self.assertShows(response, "Cochez au moins un type de données touchées.",
                         status_code=422)
        self.assertShows(response, "Indiquez un nombre, par exemple 250.", status_code=422)
        self.assertShows(response, "Décrivez les mesures qui suppriment le risque",
                         status_code=422)
        self.assertContains(response, 'id="id_data_types-errors"', status_code=422)
        self.assertNothingWritten()

    def test_confirming_without_a_decision_is_refused(self):
        self.client.force_login(self.alice)
        response = self.post(step="decider", decision="", reasons="")
        self.assertShows(response, "Choisissez une décision.", status_code=422)
        self.assertNothingWritten()

    def test_a_concurrent_change_is_a_conflict_not_an_overwrite(self):
        self.client.force_login(self.alice)
        services.breach_update(acting_user=self.rita, breach=self.breach,
                               values={"facts": "Version de Rita"}, revision=0)
        response = self.client.post(self.url, {**ANSWERS, "revision": 0, "step": "decider",
                                               "decision": risk.NOTIFY_AND_INFORM})
        self.assertShows(response, "Quelqu'un a modifié cette fiche pendant votre évaluation",
                         status_code=409)
        self.assertContains(response, 'name="revision" value="1"', status_code=409)
        self.breach.refresh_from_db()
        self.assertEqual((self.breach.decision, self.breach.facts), ("", "Version de Rita"))


class AccessTestCase(AssessTestCase):
    def test_the_register_is_not_for_collaborateurs(self):
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.post(step="decider", decision=risk.NOTIFY_AND_INFORM)
                         .status_code, 403)
        self.assertNothingWritten()

    def test_the_auditor_reads_but_does_not_decide(self):
        self.client.force_login(self.aude)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.post(step="decider", decision=risk.NOTIFY_AND_INFORM)
                         .status_code, 403)
        self.assertNotContains(self.client.get(self.org_url("breach_detail", self.breach.pk)),
                               self.url)
        self.assertNothingWritten()

    def test_an_outsider_gets_404(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.post(step="decider").status_code, 404)
        foreign = make_breach(self.other_org)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.org_url("breach_assess", foreign.pk))
                         .status_code, 404)
        self.assertNothingWritten()

    def test_anonymous_visitors_sign_in_first(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/comptes/login/"))
        self.assertEqual(self.post(step="decider").status_code, 302)
        self.assertNothingWritten()


class ServiceTestCase(AssessTestCase):
    def decide(self, **changes):
        values = {"acting_user": self.alice, "breach": self.breach, "answers": ANSWERS,
                  "decision": risk.NOTIFY_AND_INFORM, "reasons": "", "revision": 0}
        values.update(changes)
        return services.breach_decide(**values)

    def test_it_returns_the_assessment_and_takes_the_time_as_an_argument(self):
        now = timezone.now() - datetime.timedelta(minutes=5)
        assessment = self.decide(now=now)
        self.assertEqual(assessment.decision, risk.NOTIFY_AND_INFORM)
        self.breach.refresh_from_db()
        self.assertEqual(self.breach.decided_at, now)

    def test_health_data_are_only_recorded_with_the_user_s_reason(self):
        low = {**ANSWERS, "data_types": ["sante"], "identification": "negligeable",
               "confidentiality": "exposees", "availability": "non", "malicious": False}
        with self.assertRaises(ValidationError) as caught:
            self.decide(answers=low, decision=risk.RECORD)
        self.assertIn("reasons", caught.exception.message_dict)
        self.decide(answers=low, decision=risk.RECORD,
                    reasons="Clé USB retrouvée sous le comptoir le jour même.")
        self.breach.refresh_from_db()
        self.assertEqual((self.breach.decision, self.breach.assessment["decision"]),
                         (risk.RECORD, risk.NOTIFY))

    def test_bad_answers_raise_a_french_validation_error(self):
        with self.assertRaises(ValidationError) as caught:
            self.decide(answers={**ANSWERS, "confidentiality": "peut-etre"})
        self.assertEqual(caught.exception.message_dict["confidentiality"],
                         ["Choisissez une des réponses proposées."])
        with self.assertRaises(ValidationError):
            self.decide(decision="")

    def test_a_closed_record_is_not_decided(self):
        Breach.objects.filter(pk=self.breach.pk).update(status=Breach.Status.CLOSED)
        self.breach.refresh_from_db()
        with self.assertRaises(services.ClosedRecord):
            self.decide()
        self.assertNothingWritten()

    def test_the_same_decision_again_changes_nothing(self):
        self.decide()
        self.breach.refresh_from_db()
        self.decide(revision=self.breach.revision)
        self.assertEqual(RecordVersion.objects.count(), 1)
        self.assertEqual(AuditEntry.objects.filter(action="breach.decided").count(), 1)
