"""Is an impact assessment required? The rules of dpia.screening (the nine criteria of the
European guidelines, the officine threshold of the CNIL's reference), and the screening
page of a processing: the answers and the conclusion stored with the reasons, the date
and who, in the processing's history; every role, the outsider, the anonymous visitor."""

import html

from django.test import SimpleTestCase
from django.utils import timezone

from pharmagarde.core.models import AuditEntry
from pharmagarde.privacy import dpia
from pharmagarde.privacy.models import PrivacyProfile, PrivacyVersion, Processing
from tests.base import BaseTestCase


def page(response) -> str:
    """The page as read: entities decoded, no-break spaces as spaces."""
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode()).replace("\u00a0", " ").replace(
        "\u202f", " ")


def answers(*ids):
    return {criterion.id: criterion.id in ids for criterion in dpia.CRITERIA}


class ScreeningRulesTestCase(SimpleTestCase):
    def test_it_asks_the_nine_criteria_of_the_guidelines(self):
        self.assertEqual(len(dpia.CRITERIA), 9)
        self.assertIn(dpia.HEALTH_CRITERION, dpia.CRITERIA_BY_ID)

    def test_it_requires_an_assessment_from_two_criteria(self):
        result = dpia.screening(answers("donnees-sensibles", "personnes-vulnerables"),
                                health_data=True, officine_over_threshold=False)
        self.assertEqual(result.verdict, dpia.REQUIRED)
        self.assertEqual(result.label, "Analyse d'impact requise")
        self.assertIn("dans la plupart des cas", result.summary)
        self.assertEqual(result.reasons, (
            "Données sensibles ou très personnelles (dont les données de santé)",
            "Personnes vulnérables (patients, salariés…)"))
        self.assertFalse(result.officine_rule)

    def test_one_criterion_is_not_required_a_priori_but_to_justify(self):
        result = dpia.screening(answers("surveillance"), health_data=False,
                                officine_over_threshold=False)
        self.assertEqual(result.verdict, dpia.TO_JUSTIFY)
        self.assertEqual(result.label, "Pas obligatoire a priori, à justifier")
        self.assertEqual(result.reasons, ("Surveillance systématique des personnes",))

    def test_no_criterion_is_not_required(self):
        result = dpia.screening(answers(), health_data=False, officine_over_threshold=False)
        self.assertEqual((result.verdict, result.reasons), (dpia.NOT_REQUIRED, ()))

    def test_an_officine_over_the_threshold_needs_one_for_health_data(self):
        result = dpia.screening(answers(), health_data=True, officine_over_threshold=True)
        self.assertEqual(result.verdict, dpia.REQUIRED)
        self.assertTrue(result.officine_rule)
        self.assertIn("délibération 2022-067", result.reasons[0])

    def test_the_threshold_does_not_apply_without_health_data(self):
        result = dpia.screening(answers("surveillance"), health_data=False,
                                officine_over_threshold=True)
        self.assertEqual(result.verdict, dpia.TO_JUSTIFY)
        self.assertFalse(result.officine_rule)


class ScreeningPageTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.processing = Processing.objects.create(
            organisation=cls.org, number=1, name="Dispensation et dossier patient",
            health_data=True)
        cls.foreign = Processing.objects.create(organisation=cls.other_org, number=1,
                                                name="Traitement de Bravo", health_data=True)

    def url(self, processing=None, org=None):
        return self.org_url("privacy_dpia_screening", (processing or self.processing).pk,
                            org=org)

    def save_url(self, processing=None):
        return self.org_url("privacy_dpia_screening_save", (processing or self.processing).pk)

    def test_it_prefills_the_sensitive_data_from_the_register(self):
        self.client.force_login(self.dora)
        response = self.client.get(self.url())
        self.assertShows(response, "Les neuf critères")
        self.assertTrue(response.context["form"].initial[dpia.HEALTH_CRITERION])
        self.assertShows(response, "pas encore été évalué")

    def test_it_stores_the_conclusion_with_reasons_date_and_who(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.save_url(), {"donnees-sensibles": "on",
                                                      "grande-echelle": "on"})
        self.assertRedirects(response, self.url())
        self.processing.refresh_from_db()
        stored = self.processing.dpia_screening
        self.assertEqual(stored["verdict"], dpia.REQUIRED)
        self.assertEqual(stored["met"], ["donnees-sensibles", "grande-echelle"])
        self.assertEqual(stored["by"], "alice@alpha.example")
        self.assertEqual(stored["on"], timezone.localdate().strftime("%d/%m/%Y"))
        self.assertIn("Traitement à grande échelle", stored["reasons"])
        self.assertFalse(stored["answers"]["surveillance"])
        # In the processing's history, with the one-line conclusion.
        version = PrivacyVersion.objects.get(record_type="processing",
                                             record_id=self.processing.pk)
        self.assertIn("Analyse d'impact requise", list(version.changes.values())[0][1])
        entry = AuditEntry.objects.get(action="privacy.screening_saved")
        self.assertEqual(entry.details["conclusion"], dpia.REQUIRED)
        shown = page(self.client.get(self.url()))
        self.assertIn("Analyse d'impact requise", shown)
        self.assertIn("Commencer l'analyse d'impact", shown)

    def test_the_officine_threshold_of_the_profile_makes_it_required(self):
        PrivacyProfile.objects.create(organisation=self.org, turnover_over_threshold=True)
        self.client.force_login(self.dora)
        self.client.post(self.save_url(), {})
        self.processing.refresh_from_db()
        self.assertEqual(self.processing.dpia_screening["verdict"], dpia.REQUIRED)
        self.assertTrue(self.processing.dpia_screening["officine_rule"])
        self.assertIn("supérieur à 2,6 M€ HT", page(self.client.get(self.url())))

    def test_the_threshold_is_an_officine_rule_only(self):
        PrivacyProfile.objects.create(organisation=self.org, turnover_over_threshold=True)
        self.org.kind = "lbm"
        self.org.save(update_fields=["kind"])
        self.client.force_login(self.dora)
        self.client.post(self.save_url(), {})
        self.processing.refresh_from_db()
        self.assertEqual(self.processing.dpia_screening["verdict"], dpia.NOT_REQUIRED)

    def test_the_referent_and_the_auditor_read_without_the_form(self):
        for user in (self.rita, self.aude):
            self.client.force_login(user)
            response = self.client.get(self.url())
            self.assertEqual(response.status_code, 200)
            self.assertNotContains(response, self.save_url())
        self.client.force_login(self.rita)
        self.assertEqual(self.client.post(self.save_url(), {}).status_code, 403)
        self.client.force_login(self.aude)
        self.assertEqual(self.client.post(self.save_url(), {}).status_code, 403)
        self.processing.refresh_from_db()
        self.assertEqual(self.processing.dpia_screening, {})

    def test_the_collaborateur_is_refused(self):
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.url()).status_code, 403)

    def test_the_outsider_and_a_foreign_processing_are_404(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url(self.foreign)).status_code, 404)
        self.assertEqual(self.client.post(self.save_url(self.foreign), {}).status_code, 404)

    def test_a_get_of_the_save_address_is_refused(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.save_url()).status_code, 405)

    def test_the_anonymous_visitor_goes_to_sign_in(self):
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 302)
        self.assertIn("/comptes/login/", response["Location"])
