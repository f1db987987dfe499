"""The completeness of a processing (register_checks.problems), rule by rule, and the
summary of the list (processings not in use apart)."""

from django.utils import timezone

from pharmagarde.privacy.models import Processing, Retention
from pharmagarde.privacy.register_checks import CONFIRM, problems, register_summary
from tests.base import BaseTestCase


def complete(organisation, number=1, **fields):
    values = {"name": "Dispensation", "in_use": True, "purpose": "Délivrer.",
              "legal_basis": "obligation-legale", "people": "Patients",
              "data_categories": "Identité", "recipients": "Aucun destinataire externe",
              "transfers": "aucun", "security_measures": "Comptes nominatifs",
              "confirmed_at": timezone.now()}
    values.update(fields)
    processing = Processing.objects.create(organisation=organisation, number=number,
                                           **values)
    Retention.objects.create(organisation=organisation, processing=processing, data="Tout",
                             duration="1 an", reference="Choix de la structure")
    return processing


def fields_of(processing):
    return [problem.field for problem in problems(processing)]


class ProblemsTestCase(BaseTestCase):
    def test_a_complete_processing_has_no_problem(self):
        self.assertEqual(problems(complete(self.org)), [])

    def test_each_missing_answer_is_one_problem_with_its_field(self):
        cases = [({"purpose": ""}, "purpose"), ({"legal_basis": ""}, "legal_basis"),
                 ({"health_data": True}, "special_basis"), ({"people": " \n"}, "people"),
                 ({"data_categories": ""}, "data_categories"),
                 ({"recipients": ""}, "recipients"), ({"transfers": ""}, "transfers"),
                 ({"transfers": "inconnu"}, "transfers"),
                 ({"transfers": "oui"}, "transfer_details"),
                 ({"security_measures": ""}, "security_measures"),
                 ({"in_use": None}, "in_use"), ({"confirmed_at": None}, CONFIRM)]
        for number, (fields, field) in enumerate(cases, start=2):
            with self.subTest(field=field, fields=fields):
                self.assertEqual(fields_of(complete(self.org, number, **fields)), [field])

    def test_health_data_with_its_exception_and_transfers_with_details_are_fine(self):
        self.assertEqual(problems(complete(self.org, health_data=True,
                                           special_basis="soins")), [])
        self.assertEqual(problems(complete(self.org, 2, transfers="oui",
                                           transfer_details="États-Unis, clauses types")), [])

    def test_it_says_how_to_answer_no_recipient(self):
        [problem] = problems(complete(self.org, recipients=""))
        self.assertIn("« Aucun destinataire externe »", problem.text)

    def test_retentions_missing_incomplete_or_to_check(self):
        processing = complete(self.org)
        processing.retentions.all().delete()
        self.assertEqual(fields_of(processing), ["retentions"])
        Retention.objects.create(organisation=self.org, processing=processing,
                                 data="Factures", duration="10 ans", reference="")
        Retention.objects.create(organisation=self.org, processing=processing,
                                 data="Historique", duration="3 ans", reference="À voir",
                                 to_check=True)
        found = problems(processing)
        self.assertEqual([p.field for p in found], ["retentions", "retentions"])
        self.assertIn("« Factures »", found[0].text)
        self.assertIn("« Historique » à vérifier", found[1].text)


class SummaryTestCase(BaseTestCase):
    def test_it_counts_complete_and_to_finish_and_keeps_not_in_use_apart(self):
        rows = [complete(self.org, 1), complete(self.org, 2, purpose=""),
                complete(self.org, 3, in_use=None), complete(self.org, 4, in_use=False,
                                                             purpose="")]
        summary = register_summary(rows)
        self.assertEqual((summary.total, summary.complete, summary.to_finish,
                          summary.not_in_use), (3, 1, 2, 1))
