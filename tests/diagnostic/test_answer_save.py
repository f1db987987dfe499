from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry
from pharmagarde.diagnostic.models import Answer, Assessment
from tests.base import BaseTestCase
from tests.diagnostic.test_assessment_referential import AnsweringMixin


class AnswerSaveTestCase(AnsweringMixin, BaseTestCase):
    def setUp(self):
        self.assessment = self.make_assessment()
        self.client.force_login(self.colin)

    def stored(self, question_id):
        return Answer.objects.get(assessment=self.assessment, question_id=question_id)

    def test_it_saves_an_answer_and_goes_back_to_the_question(self):
        response = self.answer(self.assessment, "mdp", "partiel", comment="Sauf le LGO")
        self.assertRedirects(response, self.theme_url(self.assessment, "acces")
                             + "?enregistre=mdp#q-mdp")
        answer = self.stored("mdp")
        self.assertEqual((answer.choice_ids, answer.comment, answer.answered_by),
                         (["partiel"], "Sauf le LGO", self.colin))
        self.assertTrue(AuditEntry.objects.filter(action="assessment.answered").exists())
        page = self.client.get(response["Location"])
        self.assertContains(page, "Réponse enregistrée.")

    def test_it_saves_several_choices_of_a_multiple_question(self):
        self.answer(self.assessment, "supports", "externe", "hors-ligne")
        self.assertEqual(self.stored("supports").choice_ids, ["externe", "hors-ligne"])

    def test_it_saves_dont_know_as_a_gap_for_the_it_provider(self):
        self.answer(self.assessment, "mdp", "_dont_know")
        answer = self.stored("mdp")
        self.assertTrue(answer.dont_know)
        self.assertEqual(answer.choice_ids, [])
        gaps = self.assessment.result().gaps
        self.assertEqual([(g.question.id, g.dont_know) for g in gaps], [("mdp", True)])

    def test_it_syncs_the_action_plan(self):
        self.answer(self.assessment, "mdp", "non")
        action = Action.objects.get(organisation=self.org, source_key="m-mdp")
        self.assertEqual(action.source, "diagnostic")
        self.answer(self.assessment, "mdp", "oui", revision=self.stored("mdp").revision)
        self.assertFalse(Action.objects.filter(source_key="m-mdp").exists())

    def test_it_confirms_a_proposed_answer(self):
        answer = Answer.objects.create(organisation=self.org, assessment=self.assessment,
                                       question_id="mdp", choice_ids=["oui"], proposed=True)
        self.answer(self.assessment, "mdp", "oui", revision=answer.revision)
        answer.refresh_from_db()
        self.assertFalse(answer.proposed)
        self.assertEqual(answer.revision, 2)

    # --- htmx ---------------------------------------------------------------------------

    def test_it_answers_htmx_with_the_status_and_out_of_band_updates_only(self):
        response = self.answer(self.assessment, "mdp", "oui", htmx=True)
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertNotIn("<html", body)
        self.assertTrue(body.startswith("Enregistré à "))
        self.assertIn('id="rev-mdp" value="1" hx-swap-oob="true"', body)
        self.assertIn('id="progression"', body)
        self.assertIn("1 question sur 6", body)
        self.assertIn('id="steps"', body)
        # First answer: the evidence block now offers the upload form.
        self.assertIn('id="preuves-mdp"', body)
        self.assertIn('name="file"', body)

    def test_it_does_not_redraw_the_evidence_block_of_an_existing_answer(self):
        self.answer(self.assessment, "mdp", "oui")
        response = self.answer(self.assessment, "mdp", "non", revision=1, htmx=True)
        self.assertNotIn('id="preuves-mdp"', response.content.decode())

    # --- conditional questions ----------------------------------------------------------

    def test_it_shows_a_conditional_question_once_its_parent_allows_it(self):
        page = self.client.get(self.theme_url(self.assessment, "acces"))
        self.assertNotContains(page, "Le Wi-Fi des clients")
        self.assertContains(page, 'id="slot-wifi-invites"')
        response = self.answer(self.assessment, "wifi", "oui", htmx=True)
        body = response.content.decode()
        self.assertIn('id="slot-wifi-invites" hx-swap-oob="true"', body)
        self.assertIn("Le Wi-Fi des clients", body)
        self.assertIn("Une question complémentaire apparaît juste en dessous.", body)
        # The question of another theme that depends on it is not drawn here.
        self.assertNotIn("slot-wifi-chiffrement", body)
        self.assertContains(self.client.get(self.theme_url(self.assessment, "acces")),
                            "Le Wi-Fi des clients")
        self.assertContains(self.client.get(self.theme_url(self.assessment, "postes")),
                            "WPA2")

    def test_it_stops_counting_the_stale_answer_of_a_hidden_question(self):
        self.answer(self.assessment, "wifi", "oui")
        self.answer(self.assessment, "wifi-invites", "non")
        self.assertTrue(Action.objects.filter(source_key="m-wifi-invites").exists())
        self.assertEqual(self.assessment.result().answered, 2)
        response = self.answer(self.assessment, "wifi", "non", revision=1, htmx=True)
        body = response.content.decode()
        self.assertIn('<div class="question-slot" id="slot-wifi-invites" hx-swap-oob="true">'
                      "</div>", body)
        self.assertIn("ne vous concerne plus", body)
        result = self.assessment.result()
        self.assertEqual((result.answered, result.visible), (1, 6))
        self.assertNotIn("wifi-invites", [g.question.id for g in result.gaps])
        self.assertFalse(Action.objects.filter(source_key="m-wifi-invites").exists())
        self.assertNotContains(self.client.get(self.theme_url(self.assessment, "acces")),
                               "Le Wi-Fi des clients")

    # --- conflicts ----------------------------------------------------------------------

    def test_it_refuses_the_second_of_two_saves_from_the_same_revision(self):
        self.answer(self.assessment, "mdp", "partiel")  # revision 1, by colin
        self.client.force_login(self.rita)
        self.assertEqual(self.answer(self.assessment, "mdp", "oui", revision=1).status_code,
                         302)
        self.client.force_login(self.colin)
        response = self.answer(self.assessment, "mdp", "non", comment="Vu avec Paul",
                               revision=1, htmx=True)
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response["HX-Retarget"], "#q-mdp")
        self.assertEqual(response["HX-Reswap"], "outerHTML")
        self.assertNotIn("<html", response.content.decode())
        self.assertContains(response, "rita@alpha.example a modifié cette réponse à",
                            status_code=409)
        self.assertContains(response, "la vôtre n'a pas été enregistrée", status_code=409)
        self.assertShows(response, "Votre réponse était : Non, avec le commentaire "
                            "« Vu avec Paul »", status_code=409)
        # Rita's answer is the one kept, and shown ticked with its new revision.
        self.assertEqual(self.stored("mdp").choice_ids, ["oui"])
        self.assertContains(response, 'value="oui" id="choix-mdp__oui" checked',
                            status_code=409)
        self.assertContains(response, 'id="rev-mdp" value="2"', status_code=409)

    def test_it_refuses_a_first_answer_when_someone_answered_meanwhile(self):
        self.client.force_login(self.rita)
        self.answer(self.assessment, "mdp", "oui", revision=0)
        self.client.force_login(self.colin)
        response = self.answer(self.assessment, "mdp", "non", revision=0)
        self.assertContains(response, "a modifié cette réponse")
        self.assertEqual(self.stored("mdp").choice_ids, ["oui"])

    def test_it_lets_two_people_answer_different_themes_at_once(self):
        rita = self.client_class()
        rita.force_login(self.rita)
        self.assertEqual(rita.get(self.theme_url(self.assessment, "acces")).status_code, 200)
        self.assertEqual(self.client.get(self.theme_url(self.assessment, "sauvegardes"))
                         .status_code, 200)
        first = rita.post(self.save_url(self.assessment, "mdp"),
                          {"choices": ["oui"], "revision": 0}, headers={"HX-Request": "true"})
        second = self.answer(self.assessment, "supports", "hors-ligne", htmx=True)
        self.assertEqual((first.status_code, second.status_code), (200, 200))
        self.assertEqual(self.stored("mdp").answered_by, self.rita)
        self.assertEqual(self.stored("supports").answered_by, self.colin)

    # --- bad input ----------------------------------------------------------------------

    def assertRefused(self, response, message):
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response["HX-Retarget"], "#q-mdp")
        self.assertNotIn("<html", response.content.decode())
        self.assertShows(response, message, status_code=422)

    def test_it_refuses_an_unknown_choice(self):
        response = self.answer(self.assessment, "mdp", "peut-etre", htmx=True)
        self.assertRefused(response, "ne fait pas partie des choix proposés")
        self.assertFalse(Answer.objects.exists())

    def test_it_refuses_two_choices_on_a_single_question(self):
        response = self.answer(self.assessment, "mdp", "oui", "non", htmx=True)
        self.assertRefused(response, "Une seule réponse est possible")

    def test_it_refuses_no_choice(self):
        self.assertRefused(self.answer(self.assessment, "mdp", htmx=True),
                           "Choisissez une réponse.")

    def test_it_refuses_dont_know_with_a_choice(self):
        self.assertRefused(self.answer(self.assessment, "mdp", "oui", "_dont_know",
                                       htmx=True), "soit « Je ne sais pas »")

    def test_it_refuses_dont_know_where_the_question_does_not_offer_it(self):
        response = self.answer(self.assessment, "admin", "_dont_know", htmx=True)
        self.assertContains(response, "ne fait pas partie des choix proposés",
                            status_code=422)

    def test_it_refuses_an_exclusive_choice_with_others(self):
        response = self.answer(self.assessment, "supports", "aucune", "externe", htmx=True)
        self.assertShows(response, "« Aucune copie » ne peut pas être cochée avec "
                            "d&#x27;autres réponses", status_code=422)

    def test_it_refuses_an_over_long_comment_and_keeps_the_input(self):
        response = self.answer(self.assessment, "mdp", "oui", comment="x" * 2001, htmx=True)
        self.assertRefused(response, "Le commentaire est trop long : 2000 caractères au plus "
                           "(il en compte 2001)")
        self.assertContains(response, 'value="oui" id="choix-mdp__oui" checked',
                            status_code=422)
        self.assertContains(response, "x" * 2001, status_code=422)

    def test_it_refuses_a_malformed_revision(self):
        for revision in ("abc", "-1", ""):
            response = self.answer(self.assessment, "mdp", "oui", revision=revision, htmx=True)
            self.assertRefused(response, "rechargez-la")
        self.assertFalse(Answer.objects.exists())

    def test_it_shows_errors_next_to_the_question_without_javascript(self):
        response = self.answer(self.assessment, "mdp", "oui", "non")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<html")
        self.assertContains(response, 'class="question card question--error" id="q-mdp"')
        self.assertContains(response, "Une seule réponse est possible")

    def test_it_answers_404_for_an_unknown_question(self):
        self.assertEqual(self.answer(self.assessment, "inconnue", "oui").status_code, 404)

    def test_it_answers_404_for_a_question_that_does_not_apply(self):
        # A question of the packaged referential is not part of this assessment.
        self.assertEqual(self.answer(self.assessment, "gouv-referent", "oui").status_code, 404)

    def test_it_refuses_changes_to_a_completed_assessment(self):
        self.assessment.status = Assessment.Status.COMPLETED
        self.assessment.save()
        response = self.answer(self.assessment, "mdp", "oui", htmx=True)
        self.assertContains(response, "Ce diagnostic est terminé", status_code=422)
        self.assertFalse(Answer.objects.exists())

    def test_it_refuses_get(self):
        self.assertEqual(self.client.get(self.save_url(self.assessment, "mdp")).status_code,
                         405)

    # --- access -------------------------------------------------------------------------

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.answer(self.assessment, "mdp", "oui").status_code, 403)
        self.assertFalse(Answer.objects.exists())

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.answer(self.assessment, "mdp", "oui").status_code, 404)

    def test_it_hides_another_organisation_assessment(self):
        theirs = self.make_assessment(org=self.other_org, user=self.oscar)
        response = self.client.post(self.org_url("answer_save", theirs.pk, "mdp"),
                                    {"choices": ["oui"], "revision": 0})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Answer.objects.exists())

    def test_it_redirects_anonymous(self):
        self.client.logout()
        response = self.answer(self.assessment, "mdp", "oui")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/comptes/login/", response["Location"])
