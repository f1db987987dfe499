"""Closing an action proposes the improved answer for the next assessment."""

from pharmagarde.actions import services
from pharmagarde.actions.models import Action
from pharmagarde.diagnostic.plan_source import plan_sync_from_assessment
from pharmagarde.diagnostic.services import assessment_start
from tests.actions.base import PlanTestCase


class ClosingTheLoopTestCase(PlanTestCase):
    def test_finishing_an_action_proposes_the_best_answer_next_time(self):
        first = self.make_assessment({"gouv-referent": ["non"],
                                      "gouv-sensibilisation": ["mots-de-passe"]})
        plan_sync_from_assessment(acting_user=self.alice, assessment=first)
        referent = Action.objects.get(source="diagnostic", source_key="m-referent")
        self.assertEqual(referent.source_data["question_ids"], ["gouv-referent"])

        # Colin finishes the action from the board.
        self.client.force_login(self.colin)
        self.client.post(self.org_url("action_status", referent.id),
                         {"status": "done", "revision": referent.revision})
        referent.refresh_from_db()
        self.assertEqual(referent.status, Action.Status.DONE)

        following = assessment_start(acting_user=self.alice, organisation=self.org)
        answers = {a.question_id: a for a in following.answers.all()}
        self.assertTrue(answers["gouv-referent"].proposed)
        self.assertEqual(answers["gouv-referent"].choice_ids, ["oui"])
        # The question whose action is still open keeps its previous answer.
        self.assertTrue(answers["gouv-sensibilisation"].proposed)
        self.assertEqual(answers["gouv-sensibilisation"].choice_ids, ["mots-de-passe"])

    def test_a_manual_action_linked_to_a_question_closes_it_too(self):
        self.make_assessment({"gouv-referent": ["partiel"]})
        self.client.force_login(self.colin)
        self.client.post(self.org_url("action_new"), {
            "title": "Nommer Rita référente", "status": "done", "effort": "faible",
            "progress": "0", "closes_diagnostic": ["gouv-referent"]})
        following = assessment_start(acting_user=self.alice, organisation=self.org)
        answer = following.answers.get(question_id="gouv-referent")
        self.assertEqual((answer.choice_ids, answer.proposed), (["oui"], True))

    def test_a_dropped_action_proposes_nothing_better(self):
        first = self.make_assessment({"gouv-referent": ["non"]})
        plan_sync_from_assessment(acting_user=self.alice, assessment=first)
        referent = Action.objects.get(source="diagnostic", source_key="m-referent")
        referent.status = Action.Status.DROPPED
        services.action_save(acting_user=self.colin, action=referent, revision=1)
        following = assessment_start(acting_user=self.alice, organisation=self.org)
        self.assertEqual(following.answers.get(question_id="gouv-referent").choice_ids,
                         ["non"])
