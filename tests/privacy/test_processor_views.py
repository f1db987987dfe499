"""The processors' pages: the list (empty state, overdue review, findings, filter, query
count), one processor (checklist with the model clauses to copy, remote access, inventory
items with their MFA, processings, findings, history), adding, changing (conflict, bad
input, another organisation's account), the review, deletion, the model clauses. Every
role, the outsider, the anonymous visitor."""

import datetime
import html

from pharmagarde.core.models import AuditEntry
from pharmagarde.inventory.models import Account, Software
from pharmagarde.privacy.contracts import CLAUSES, REMOTE_CONDITIONS
from pharmagarde.privacy.models import PrivacyVersion, Processing, Processor
from tests.base import BaseTestCase
from tests.privacy.test_processor_helpers import days_ago, make_processor, today


def page(response) -> str:
    return html.unescape(response.content.decode()).replace("\u00a0", " ").replace(
        "\u202f", " ")


def form_data(processor=None, **fields):
    """A complete POST of the form: every clause and condition answered « Oui »."""
    data = {"name": "Dupont Informatique", "service": "informatique", "description": "",
            "contact": "", "hds_certified": "", "outside_eea": "False",
            "contract_signed_on": days_ago(30).isoformat(), "contract_reference": "",
            "review_every_months": "12", "reviewed_on": "", "remote_access": "False",
            "notes": "", "revision": str(processor.revision if processor else 0)}
    data.update({f"clause_{clause.id}": "True" for clause in CLAUSES})
    data.update({f"remote_{condition.id}": "True" for condition in REMOTE_CONDITIONS})
    data.update(fields)
    return data


def goes_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/comptes/login/")


class ProcessorViewTestCase(BaseTestCase):
    def setUp(self):
        self.processor = make_processor(self.alice, self.org, name="Dupont Informatique")

    def url(self, name, *args):
        return self.org_url(name, *args)


class ListTestCase(ProcessorViewTestCase):
    def test_it_lists_with_health_data_overdue_review_and_findings(self):
        make_processor(self.alice, self.org, name="Hébergeur Santé", service="hebergeur",
                       health_data=True, hds_certified=False,
                       contract_signed_on=datetime.date(2020, 1, 15))
        self.client.force_login(self.rita)
        response = self.client.get(self.url("privacy_processors"))
        text = page(response)
        self.assertIn("Dupont Informatique", text)
        self.assertIn("non certifié HDS", text)
        self.assertIn("en retard depuis le 15/01/2021", text)
        self.assertIn("2 points", text)
        self.assertIn("Rien", text)
        self.assertNotIn("Ajouter un sous-traitant", text)  # the référent reads

    def test_filter_by_service(self):
        make_processor(self.alice, self.org, name="Cabinet Paie", service="paie")
        self.client.force_login(self.alice)
        text = page(self.client.get(self.url("privacy_processors") + "?service=paie"))
        self.assertIn("Cabinet Paie", text)
        self.assertNotIn("Dupont Informatique", text)

    def test_empty_state_explains_and_offers_to_add(self):
        Processor.objects.all().delete()
        self.client.force_login(self.dora)
        response = self.client.get(self.url("privacy_processors"))
        self.assertShows(response, "l'éditeur de votre logiciel métier (LGO ou SIL)")
        self.assertShows(response, "l'installateur de la vidéoprotection")
        self.assertContains(response, self.url("privacy_processor_new"))

    def test_query_count_is_constant(self):
        self.client.force_login(self.alice)

        def make_row(i):
            processor = make_processor(self.alice, self.org, name=f"P{i:02d}")
            account = Account.objects.create(organisation=self.org, login=f"t{i}",
                                             mfa=False)
            processor.accounts.add(account)

        self.assertQueriesConstant(self.url("privacy_processors"), make_row)

    def test_who_may_see_it(self):
        url = self.url("privacy_processors")
        for user in (self.alice, self.dora, self.rita, self.aude):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 200, user)
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        self.assertRedirects(self.client.get(url), f"/comptes/login/?next={url}",
                             fetch_redirect_response=False)


class DetailTestCase(ProcessorViewTestCase):
    def test_it_shows_the_checklist_with_the_missing_model_clauses_to_copy(self):
        account = Account.objects.create(organisation=self.org, login="tech-dupont",
                                         system=Account.System.ACCES_DISTANCE, mfa=False)
        software = Software.objects.create(organisation=self.org, name="LGO", version="5")
        processor = make_processor(
            self.alice, self.org, name="Prestataire", remote_access=True,
            clauses={clause.id: True for clause in CLAUSES if clause.id != "fin"},
            remote_conditions={"compte-nominatif": True}, accounts=[account],
            software=[software])
        processing = Processing.objects.create(organisation=self.org, number=1,
                                               name="Délivrance")
        processing.processors.add(processor)
        self.client.force_login(self.aude)
        response = self.client.get(self.url("privacy_processor", processor.pk))
        text = page(response)
        fin = next(clause for clause in CLAUSES if clause.id == "fin")
        self.assertIn(str(fin.model), text)
        self.assertContains(response, 'data-copy="clause-type-fin"')
        self.assertNotIn('id="clause-type-objet"', text)
        self.assertNotIn("clause-type-hds", text)  # no health data: not asked
        self.assertIn("Double authentification à chaque connexion", text)
        self.assertIn("tech-dupont", text)
        self.assertIn("LGO 5", text)
        self.assertIn("Délivrance", text)
        self.assertIn("Compte sans double authentification", text)
        self.assertIn("1 clause manquante ou non vérifiée", text)
        self.assertNotIn("Modifier la fiche", text)  # the auditor reads

    def test_history(self):
        processor = self.processor
        self.client.force_login(self.dora)
        self.client.post(self.url("privacy_processor_edit", processor.pk),
                         form_data(processor, name="Dupont SAS", clause_fin="False"))
        text = page(self.client.get(self.url("privacy_processor", processor.pk)))
        self.assertIn("Historique de la fiche", text)
        self.assertIn("nom (Dupont Informatique → Dupont SAS)", text)
        self.assertIn("Clause : Supprimer ou rendre les données à la fin du contrat "
                      "(Oui → Non)", text)

    def test_who_may_see_it(self):
        url = self.url("privacy_processor", self.processor.pk)
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(url).status_code, 404)
        other = make_processor(self.oscar, self.other_org)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url("privacy_processor", other.pk))
                         .status_code, 404)
        self.client.logout()
        self.assertTrue(goes_to_sign_in(self.client.get(url)))


class NewTestCase(ProcessorViewTestCase):
    def test_the_dpo_adds_one_with_its_inventory_items(self):
        account = Account.objects.create(organisation=self.org, login="tech", mfa=True)
        self.client.force_login(self.dora)
        response = self.client.get(self.url("privacy_processor_new"))
        text = page(response)
        self.assertIn("<legend>Les clauses du contrat (RGPD, article 28)</legend>", text)
        self.assertIn("Pas vérifié", text)
        response = self.client.post(self.url("privacy_processor_new"), form_data(
            name="Nouveau", health_data="on", hds_certified="True", accounts=[account.pk],
            clause_audits=""))
        processor = Processor.objects.get(name="Nouveau")
        self.assertRedirects(response, self.url("privacy_processor", processor.pk))
        self.assertEqual((processor.health_data, processor.hds_certified), (True, True))
        self.assertIsNone(processor.clauses["audits"])
        self.assertIs(processor.clauses["fin"], True)
        self.assertEqual(list(processor.accounts.all()), [account])
        self.assertTrue(AuditEntry.objects.filter(action="privacy.processor_created",
                                                  actor=self.dora).exists())

    def test_another_organisations_account_is_an_error_and_nothing_is_saved(self):
        foreign = Account.objects.create(organisation=self.other_org, login="autre")
        self.client.force_login(self.alice)
        response = self.client.post(self.url("privacy_processor_new"),
                                    form_data(name="Nouveau", accounts=[foreign.pk]))
        self.assertShows(response, "Choisissez des comptes de votre inventaire.",
                         status_code=422)
        self.assertFalse(Processor.objects.filter(name="Nouveau").exists())

    def test_bad_input_french_errors_next_to_the_fields(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url("privacy_processor_new"), form_data(
            name="", review_every_months="0", contract_signed_on="demain",
            reviewed_on=(today() + datetime.timedelta(days=3)).isoformat(),
            clause_fin="peut-être"))
        text = page(response)
        self.assertEqual(response.status_code, 422)
        for message in ("Indiquez le nom du prestataire.", "Au moins un mois.",
                        "Indiquez une date, par exemple 05/01/2026.",
                        "Cette date est dans le futur.",
                        "Choisissez une des réponses proposées."):
            self.assertIn(message, text)
        self.assertEqual(Processor.objects.count(), 1)

    def test_who_may_add(self):
        url = self.url("privacy_processor_new")
        for user, status in ((self.rita, 403), (self.colin, 403), (self.aude, 403),
                             (self.oscar, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, status, user)
            self.assertEqual(self.client.post(url, form_data(name="X")).status_code,
                             status, user)
        self.client.logout()
        self.assertTrue(goes_to_sign_in(self.client.post(url, form_data(name="X"))))
        self.assertFalse(Processor.objects.filter(name="X").exists())


class EditTestCase(ProcessorViewTestCase):
    def test_it_saves_and_the_plan_follows(self):
        self.client.force_login(self.alice)
        url = self.url("privacy_processor_edit", self.processor.pk)
        self.assertShows(self.client.get(url), "Modifier « Dupont Informatique »")
        response = self.client.post(url, form_data(self.processor, remote_access="True",
                                                   **{"remote_sur-demande": "False"}))
        self.assertRedirects(response, self.url("privacy_processor", self.processor.pk))
        processor = Processor.objects.get(pk=self.processor.pk)
        self.assertIs(processor.remote_conditions["sur-demande"], False)
        from pharmagarde.actions.models import Action

        self.assertTrue(Action.objects.filter(
            organisation=self.org,
            source_key=f"sous-traitant:{processor.pk}:acces-distance").exists())

    def test_a_conflict_shows_the_other_version_and_overwrites_nothing(self):
        url = self.url("privacy_processor_edit", self.processor.pk)
        stale = form_data(self.processor, name="Version de Dora", clause_fin="False")
        self.client.force_login(self.alice)
        self.client.post(url, form_data(self.processor, name="Version d'Alice"))
        self.client.force_login(self.dora)
        response = self.client.post(url, stale)
        text = page(response)
        self.assertEqual(response.status_code, 409)
        self.assertIn("Quelqu'un d'autre a modifié cette fiche entre-temps", text)
        self.assertIn("Version d'Alice", text)
        self.assertIn("Version de Dora", text)
        self.assertIn("Supprimer ou rendre les données à la fin du contrat", text)
        saved = Processor.objects.get(pk=self.processor.pk)
        self.assertEqual((saved.name, saved.clauses["fin"]), ("Version d'Alice", True))
        # The form now carries the saved revision: saving again is a deliberate choice.
        self.assertIn(f'name="revision" value="{saved.revision}"', response.content.decode())

    def test_another_organisations_software_is_refused(self):
        foreign = Software.objects.create(organisation=self.other_org, name="Autre")
        self.client.force_login(self.alice)
        response = self.client.post(self.url("privacy_processor_edit", self.processor.pk),
                                    form_data(self.processor, name="Changé",
                                              software=[foreign.pk]))
        self.assertShows(response, "Choisissez des logiciels de votre inventaire.",
                         status_code=422)
        self.assertEqual(Processor.objects.get(pk=self.processor.pk).name,
                         "Dupont Informatique")
        self.assertFalse(PrivacyVersion.objects.exists())

    def test_who_may_edit(self):
        url = self.url("privacy_processor_edit", self.processor.pk)
        for user, status in ((self.rita, 403), (self.colin, 403), (self.aude, 403),
                             (self.oscar, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url, form_data(self.processor, name="X"))
                             .status_code, status, user)
        self.client.logout()
        self.assertTrue(goes_to_sign_in(self.client.get(url)))
        self.assertEqual(Processor.objects.get(pk=self.processor.pk).name,
                         "Dupont Informatique")


class ReviewTestCase(ProcessorViewTestCase):
    def test_the_responsable_notes_a_review(self):
        self.client.force_login(self.alice)
        url = self.url("privacy_processor_review", self.processor.pk)
        self.assertEqual(self.client.get(url).status_code, 405)
        response = self.client.post(url, {"reviewed_on": days_ago(1).isoformat()},
                                    follow=True)
        self.assertShows(response, "Revue du contrat notée.")
        self.assertEqual(Processor.objects.get(pk=self.processor.pk).reviewed_on,
                         days_ago(1))

    def test_bad_date_is_an_error_next_to_the_field(self):
        self.client.force_login(self.dora)
        url = self.url("privacy_processor_review", self.processor.pk)
        for value, message in (("", "Indiquez la date de la revue."),
                               ("hier", "Indiquez une date, par exemple 05/01/2026."),
                               ((today() + datetime.timedelta(days=1)).isoformat(),
                                "Cette date est dans le futur.")):
            response = self.client.post(url, {"reviewed_on": value})
            self.assertShows(response, message, status_code=422)
        self.assertIsNone(Processor.objects.get(pk=self.processor.pk).reviewed_on)

    def test_who_may_review(self):
        url = self.url("privacy_processor_review", self.processor.pk)
        for user, status in ((self.rita, 403), (self.colin, 403), (self.aude, 403),
                             (self.oscar, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url, {"reviewed_on": days_ago(1).isoformat()})
                             .status_code, status, user)
        self.client.logout()
        self.assertTrue(goes_to_sign_in(self.client.post(url)))
        self.assertIsNone(Processor.objects.get(pk=self.processor.pk).reviewed_on)


class DeleteTestCase(ProcessorViewTestCase):
    def test_confirmation_then_deletion(self):
        self.client.force_login(self.dora)
        url = self.url("privacy_processor_delete", self.processor.pk)
        self.assertShows(self.client.get(url), "Supprimer « Dupont Informatique » ?")
        self.assertTrue(Processor.objects.exists())
        response = self.client.post(url)
        self.assertRedirects(response, self.url("privacy_processors"))
        self.assertFalse(Processor.objects.exists())
        self.assertTrue(AuditEntry.objects.filter(action="privacy.processor_deleted")
                        .exists())

    def test_who_may_delete(self):
        url = self.url("privacy_processor_delete", self.processor.pk)
        for user, status in ((self.rita, 403), (self.colin, 403), (self.aude, 403),
                             (self.oscar, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url).status_code, status, user)
        self.client.logout()
        self.assertTrue(goes_to_sign_in(self.client.post(url)))
        self.assertTrue(Processor.objects.exists())


class ModelClausesTestCase(BaseTestCase):
    def test_every_model_clause_printable(self):
        self.client.force_login(self.aude)
        response = self.client.get(self.org_url("privacy_model_clauses"))
        text = page(response)
        for clause in CLAUSES:
            self.assertIn(str(clause.model), text)
        for condition in REMOTE_CONDITIONS:
            self.assertIn(str(condition.label), text)
        self.assertContains(response, "data-print")

    def test_who_may_see_it(self):
        url = self.org_url("privacy_model_clauses")
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        self.assertTrue(goes_to_sign_in(self.client.get(url)))
