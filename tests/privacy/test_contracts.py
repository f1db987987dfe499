"""The art. 28 clause list and the remote-access conditions (contracts.py): complete, with
unique ids and every text written; the checklist read from a stored dict. No database."""

from django.test import SimpleTestCase

from pharmagarde.privacy.contracts import (
    CLAUSES,
    CLAUSES_BY_ID,
    REMOTE_CONDITIONS,
    applicable_clauses,
    checklist,
)


class ClausesTestCase(SimpleTestCase):
    def test_it_covers_the_art_28_list_and_the_hds_certification(self):
        self.assertEqual(set(CLAUSES_BY_ID), {
            "objet", "instructions", "confidentialite", "securite", "sous-traitance",
            "droits", "assistance", "violations", "fin", "audits", "instruction-illicite",
            "hds"})
        self.assertIn("28.2", str(CLAUSES_BY_ID["sous-traitance"].article))
        self.assertIn("L. 1111-8", str(CLAUSES_BY_ID["hds"].article))

    def test_every_clause_has_a_label_an_article_an_explanation_and_a_model(self):
        self.assertEqual(len(CLAUSES_BY_ID), len(CLAUSES))
        for clause in CLAUSES:
            for text in (clause.label, clause.article, clause.explanation, clause.model):
                self.assertGreater(len(str(text)), 10, clause.id)
            self.assertNotIn("  ", str(clause.model), clause.id)

    def test_the_hds_clause_only_with_health_data(self):
        self.assertNotIn("hds", [c.id for c in applicable_clauses(health_data=False)])
        self.assertIn("hds", [c.id for c in applicable_clauses(health_data=True)])
        self.assertEqual(len(applicable_clauses(health_data=True)), len(CLAUSES))

    def test_the_remote_conditions(self):
        ids = [condition.id for condition in REMOTE_CONDITIONS]
        self.assertEqual(len(set(ids)), len(ids))
        self.assertEqual(set(ids), {"compte-nominatif", "double-authentification",
                                    "sur-demande", "sessions-tracees", "acces-limite",
                                    "pharmacie-prevenue"})
        for condition in REMOTE_CONDITIONS:
            self.assertTrue(str(condition.label) and str(condition.explanation))

    def test_the_checklist_drops_unknown_ids_and_reads_the_rest_as_not_checked(self):
        answers = checklist({"objet": True, "fin": False, "ancienne": True,
                             "audits": "oui"}, CLAUSES)
        self.assertEqual(list(answers), [clause.id for clause in CLAUSES])
        self.assertIs(answers["objet"], True)
        self.assertIs(answers["fin"], False)
        self.assertIsNone(answers["audits"])
        self.assertIsNone(answers["securite"])
        self.assertNotIn("ancienne", answers)
        self.assertEqual(set(checklist(None, CLAUSES).values()), {None})
