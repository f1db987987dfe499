"""The register of personal data breaches: for the people who handle them, versioned,
closed records reopened with a reason, never edited in place."""

from django.utils import timezone

from pharmagarde.incidents import services
from pharmagarde.incidents.models import Breach, RecordVersion
from tests.base import BaseTestCase
from tests.incidents.test_incident_views import declare


def breach_data(breach, **changes):
    data = {"aware_at": timezone.localtime(breach.aware_at).strftime("%Y-%m-%dT%H:%M"),
            "facts": "Un courriel avec des ordonnances envoyé au mauvais patient.",
            "origin": "mauvais-destinataire", "cause": "interne-accident",
            "confidentiality": "on", "people_categories": "Patients", "people_count": "1",
            "records_count": "3", "data_types": ["identite", "sante"], "media": "Messagerie",
            "consequences": "", "measures_taken": "", "measures_planned": "", "contact": "",
            "revision": breach.revision}
    data.update(changes)
    return data


class BreachViewsTestCase(BaseTestCase):
    def setUp(self):
        self.incident = declare(self.org, self.colin, kind="fuite", personal_data="oui")
        self.breach = Breach.objects.get(incident=self.incident)

    def test_the_register_is_for_those_who_handle_breaches(self):
        for user, status in ((self.alice, 200), (self.rita, 200), (self.dora, 200),
                             (self.aude, 200), (self.colin, 403), (self.oscar, 404)):
            self.client.force_login(user)
            for url in (self.org_url("breach_list"),
                        self.org_url("breach_detail", self.breach.pk)):
                self.assertEqual(self.client.get(url).status_code, status, (user, url))
        self.client.logout()
        self.assertEqual(self.client.get(self.org_url("breach_list")).status_code, 302)

    def test_a_collaborateur_does_not_see_the_register_in_the_navigation(self):
        self.client.force_login(self.colin)
        page = self.client.get(self.org_url("incident_list"))
        self.assertNotContains(page, self.org_url("breach_list"))
        self.client.force_login(self.dora)
        self.assertContains(self.client.get(self.org_url("incident_list")),
                            self.org_url("breach_list"))

    def test_filling_the_record_is_versioned(self):
        self.client.force_login(self.dora)
        response = self.client.post(self.org_url("breach_edit", self.breach.pk),
                                    breach_data(self.breach))
        self.assertRedirects(response, self.org_url("breach_detail", self.breach.pk))
        breach = Breach.objects.get(pk=self.breach.pk)
        self.assertTrue(breach.health_data)  # from the data types
        self.assertEqual((breach.people_count, breach.origin), (1, "mauvais-destinataire"))
        version = RecordVersion.objects.get(record_type="breach")
        self.assertEqual(version.changes["données de santé"], ["Non", "Oui"])
        page = self.client.get(self.org_url("breach_detail", self.breach.pk))
        self.assertShows(page, "Historique de la fiche")

    def test_at_least_one_effect_is_asked(self):
        self.client.force_login(self.dora)
        data = breach_data(self.breach)
        del data["confidentiality"]
        response = self.client.post(self.org_url("breach_edit", self.breach.pk), data)
        self.assertShows(response, "Cochez au moins une conséquence", status_code=422)
        self.assertFalse(RecordVersion.objects.exists())

    def test_bad_numbers_are_told(self):
        self.client.force_login(self.dora)
        response = self.client.post(self.org_url("breach_edit", self.breach.pk),
                                    breach_data(self.breach, people_count="beaucoup"))
        self.assertEqual(response.status_code, 422)

    def test_a_concurrent_edit_is_a_conflict(self):
        self.client.force_login(self.dora)
        stale = breach_data(self.breach, media="Papier")
        self.client.post(self.org_url("breach_edit", self.breach.pk), breach_data(self.breach))
        self.assertEqual(self.client.post(self.org_url("breach_edit", self.breach.pk),
                                          stale).status_code, 409)
        self.assertEqual(Breach.objects.get(pk=self.breach.pk).media, "Messagerie")

    def test_writes_are_refused_to_the_auditor_and_the_collaborateur(self):
        for user in (self.aude, self.colin):
            self.client.force_login(user)
            self.assertEqual(self.client.post(self.org_url("breach_edit", self.breach.pk),
                                              breach_data(self.breach)).status_code, 403)
        self.assertFalse(RecordVersion.objects.exists())

    def test_a_closed_record_is_reopened_with_a_reason_before_any_change(self):
        services.breach_close(acting_user=self.dora, breach=self.breach, revision=0)
        self.client.force_login(self.dora)
        response = self.client.post(self.org_url("breach_edit", self.breach.pk),
                                    breach_data(Breach.objects.get(pk=self.breach.pk)))
        self.assertRedirects(response, self.org_url("breach_detail", self.breach.pk))
        self.assertEqual(Breach.objects.get(pk=self.breach.pk).facts, self.incident.description)
        self.client.post(self.org_url("breach_reopen", self.breach.pk),
                         {"reason": "La CNIL demande un complément."})
        breach = Breach.objects.get(pk=self.breach.pk)
        self.assertEqual(breach.status, Breach.Status.OPEN)
        self.assertEqual(RecordVersion.objects.filter(record_type="breach").first().reason,
                         "La CNIL demande un complément.")

    def test_the_register_costs_the_same_queries_for_5_or_60_records(self):
        self.client.force_login(self.dora)

        def make(n):
            incident = declare(self.org, self.alice)
            Breach.objects.create(organisation=self.org, number=n + 10, incident=incident,
                                  aware_at=timezone.now())
        self.assertQueriesConstant(self.org_url("breach_list"), make)
