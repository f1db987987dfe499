"""The services of people's requests: numbers per organisation, the validation rules
(dates, refusal reasons, an extension in time and announced), the audit entries, and a
concurrent edit refused through the revision."""

from datetime import date

from django.core.exceptions import ValidationError

from pharmagarde.core.models import AuditEntry
from pharmagarde.privacy import request_services as services
from pharmagarde.privacy.models import PersonRequest
from tests.base import BaseTestCase

TODAY = date(2026, 3, 20)


def log(user, organisation, *, received=date(2026, 3, 2), **fields):
    values = {"requester": "patient", "requester_name": "Mme Durand", "right": "acces",
              "received_on": received, **fields}
    return services.request_log(acting_user=user, organisation=organisation, today=TODAY,
                                **values)


def errors(caught) -> dict:
    return {name: " ".join(messages) for name, messages in caught.exception.message_dict.items()}


class LogTestCase(BaseTestCase):
    def test_numbers_per_organisation_and_audited(self):
        first, second = log(self.alice, self.org), log(self.dora, self.org)
        other = log(self.oscar, self.other_org)
        self.assertEqual([str(first), str(second), str(other)], ["D-001", "D-002", "D-001"])
        entry = AuditEntry.objects.filter(action="privacy.request_logged").order_by("id").first()
        self.assertEqual(entry.organisation, self.org)
        self.assertEqual(entry.details, {"droit": "Accès à ses données (art. 15)",
                                         "reçue le": "2026-03-02"})

    def test_received_in_the_future_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            log(self.alice, self.org, received=date(2026, 3, 21))
        self.assertIn("dans le futur", errors(caught)["received_on"])
        self.assertFalse(PersonRequest.objects.exists())

    def test_a_proof_before_the_request_or_without_checked_identity_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            log(self.alice, self.org, identity="verifiee",
                identity_received_on=date(2026, 3, 1))
        self.assertIn("avant la demande", errors(caught)["identity_received_on"])
        with self.assertRaises(ValidationError) as caught:
            log(self.alice, self.org, identity="demandee",
                identity_received_on=date(2026, 3, 5))
        self.assertIn("choisissez « Identité vérifiée »", errors(caught)["identity"])


class ExtendTestCase(BaseTestCase):
    def setUp(self):
        self.request = log(self.alice, self.org, received=date(2026, 1, 31))

    def extend(self, *, today, notified=date(2026, 2, 20), reason="Dix ans d'historique."):
        return services.request_extend(acting_user=self.dora, person_request=self.request,
                                       reason=reason, notified_on=notified, today=today,
                                       revision=self.request.revision)

    def test_within_the_first_month_two_more_months_and_audited(self):
        self.extend(today=date(2026, 2, 28))
        self.request.refresh_from_db()
        self.assertTrue(self.request.extended)
        self.assertEqual(services.deadline(self.request), date(2026, 4, 30))
        entry = AuditEntry.objects.get(action="privacy.request_extended")
        self.assertEqual(entry.details["nouvelle échéance"], "2026-04-30")

    def test_after_the_first_month_it_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.extend(today=date(2026, 3, 1))
        self.assertIn("Le premier mois s'est terminé le 28 février 2026",
                      " ".join(caught.exception.messages))
        self.request.refresh_from_db()
        self.assertFalse(self.request.extended)

    def test_reasons_and_notice_are_required_and_the_notice_in_time(self):
        with self.assertRaises(ValidationError) as caught:
            self.extend(today=date(2026, 2, 20), notified=None, reason=" ")
        self.assertEqual(set(errors(caught)), {"extension_reason", "extension_notified_on"})
        with self.assertRaises(ValidationError) as caught:
            self.extend(today=date(2026, 2, 20), notified=date(2026, 2, 21))
        self.assertIn("dans le futur", errors(caught)["extension_notified_on"])

    def test_only_once(self):
        self.extend(today=date(2026, 2, 20))
        with self.assertRaises(ValidationError) as caught:
            self.extend(today=date(2026, 2, 21))
        self.assertIn("déjà prolongé", " ".join(caught.exception.messages))


class AnswerTestCase(BaseTestCase):
    def setUp(self):
        self.request = log(self.alice, self.org)

    def answer(self, **fields):
        values = {"answered_on": date(2026, 3, 19), "outcome": "satisfaite",
                  "answer_notes": "", **fields}
        return services.request_answer(acting_user=self.dora, person_request=self.request,
                                       today=TODAY, **values)

    def test_answered_and_audited(self):
        self.answer(answer_notes="Copie envoyée.")
        self.request.refresh_from_db()
        self.assertEqual((self.request.answered_on, self.request.outcome),
                         (date(2026, 3, 19), "satisfaite"))
        self.assertEqual(services.state(self.request, TODAY).code, "answered")
        entry = AuditEntry.objects.get(action="privacy.request_answered")
        self.assertEqual(entry.details, {"réponse le": "2026-03-19", "issue": "Satisfaite",
                                         "dans le délai": "oui"})

    def test_not_before_the_request_nor_in_the_future(self):
        with self.assertRaises(ValidationError) as caught:
            self.answer(answered_on=date(2026, 3, 1))
        self.assertIn("ne peut pas précéder la demande, reçue le 2 mars 2026",
                      errors(caught)["answered_on"])
        with self.assertRaises(ValidationError) as caught:
            self.answer(answered_on=date(2026, 3, 21))
        self.assertIn("dans le futur", errors(caught)["answered_on"])

    def test_a_refusal_needs_its_reasons(self):
        for outcome in ("refusee", "partielle"):
            with self.assertRaises(ValidationError) as caught:
                self.answer(outcome=outcome, answer_notes="  ")
            self.assertIn("doit être motivé", errors(caught)["answer_notes"])
        self.answer(outcome="refusee", answer_notes="Ordonnancier conservé dix ans.")
        self.request.refresh_from_db()
        self.assertEqual(self.request.outcome, "refusee")


class UpdateTestCase(BaseTestCase):
    def setUp(self):
        self.request = log(self.alice, self.org)

    def update(self, revision, **values):
        return services.request_update(acting_user=self.dora, person_request=self.request,
                                       values=values, revision=revision, today=TODAY)

    def test_changes_audited_with_before_and_after(self):
        changed = self.update(0, requester_name="Mme Dupont", right="effacement")
        self.assertEqual(changed, ["nom de la personne", "droit exercé"])
        self.assertEqual(self.request.revision, 1)
        entry = AuditEntry.objects.get(action="privacy.request_updated")
        self.assertEqual(entry.details["droit exercé"],
                         ["Accès à ses données (art. 15)", "Effacement (art. 17)"])
        self.assertEqual(self.update(1, requester_name="Mme Dupont"), [], "nothing changed")

    def test_a_concurrent_edit_is_a_conflict_and_nothing_is_overwritten(self):
        self.update(0, channel="Courriel")
        with self.assertRaises(services.RequestConflict) as caught:
            self.update(0, channel="Au comptoir")
        self.assertEqual(caught.exception.current.channel, "Courriel")
        self.request.refresh_from_db()
        self.assertEqual((self.request.channel, self.request.revision), ("Courriel", 1))

    def test_the_extension_and_the_answer_claim_the_revision_too(self):
        self.update(0, channel="Courriel")
        with self.assertRaises(services.RequestConflict):
            services.request_answer(acting_user=self.dora, person_request=self.request,
                                    answered_on=TODAY, outcome="satisfaite", revision=0,
                                    today=TODAY)
        self.request.refresh_from_db()
        self.assertIsNone(self.request.answered_on)
