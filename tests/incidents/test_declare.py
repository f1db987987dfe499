"""Declaring an incident: two screens, any member, the responsables and référents alerted."""

import datetime

from django.urls import reverse
from django.utils import timezone

from pharmagarde.core.models import AuditEntry
from pharmagarde.incidents.models import Breach, Incident, ReflexStep, TimelineEntry
from tests.base import BaseTestCase
from tests.smtp import SMTPTestMixin


class DeclareTestCase(SMTPTestMixin, BaseTestCase):
    def url(self, **query):
        url = self.org_url("incident_declare")
        return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    def post(self, user=None, **data):
        self.client.force_login(user or self.colin)
        now = timezone.localtime() - datetime.timedelta(minutes=10)
        fields = {"kind": "rancongiciel", "description": "Les fichiers ne s'ouvrent plus.",
                  "personal_data": "ne-sait-pas", "noticed_at": now.strftime("%Y-%m-%dT%H:%M"),
                  "started_at": ""}
        fields.update(data)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url(), fields)

    def test_the_first_screen_offers_every_kind(self):
        self.client.force_login(self.colin)
        page = self.client.get(self.url())
        for kind in Incident.Kind:
            self.assertContains(page, f'value="{kind.value}"')
        self.assertContains(page, "Étape 1 sur 2")

    def test_the_second_screen_says_what_to_do_meanwhile(self):
        self.client.force_login(self.colin)
        page = self.client.get(self.url(type="rancongiciel"))
        self.assertShows(page, "Étape 2 sur 2")
        self.assertShows(page, "ne payez pas")
        self.assertContains(page, 'name="noticed_at"')

    def test_an_unknown_kind_shows_the_first_screen_again(self):
        self.client.force_login(self.colin)
        page = self.client.get(self.url(type="inconnu"))
        self.assertContains(page, 'value="rancongiciel"', status_code=422)
        self.assertShows(page, "Choisissez ce qui ressemble le plus", status_code=422)

    def test_a_collaborateur_declares_and_the_reflexes_are_there(self):
        response = self.post()
        incident = Incident.objects.get()
        self.assertRedirects(response, self.org_url("incident_detail", incident.pk))
        self.assertEqual((incident.number, incident.declared_by, incident.status),
                         (1, self.colin, Incident.Status.OPEN))
        keys = list(ReflexStep.objects.filter(incident=incident).values_list("key", flat=True))
        self.assertEqual(keys[:3], ["isoler", "ne-pas-eteindre", "ne-pas-payer"])
        # An officine is not asked to report to CERT Santé.
        self.assertNotIn("cert-sante", keys)
        self.assertTrue(TimelineEntry.objects.filter(incident=incident).exists())
        self.assertTrue(AuditEntry.objects.filter(action="incident.declared").exists())
        page = self.client.get(self.org_url("incident_detail", incident.pk))
        self.assertShows(page, "Débranchez le câble réseau")

    def test_a_laboratory_gets_its_own_reflexes(self):
        self.org.kind = "lbm"
        self.org.save()
        self.post()
        keys = set(ReflexStep.objects.values_list("key", flat=True))
        self.assertIn("cert-sante", keys)
        self.assertIn("mode-degrade-lbm", keys)
        self.assertNotIn("mode-degrade", keys)

    def test_the_responsables_and_referents_are_mailed_at_once(self):
        self.post()
        to = sorted(message["To"] for message in self.smtp.messages)
        self.assertEqual(to, ["alice@alpha.example", "rita@alpha.example"])
        body = self.smtp.messages[0].get_body(("plain",)).get_content()
        self.assertIn("INC-0001", body)
        self.assertIn("Les fichiers ne s'ouvrent plus.", body)
        self.assertIn(f"/o/alpha/incidents/{Incident.objects.get().pk}/", body)

    def test_the_declarer_is_not_mailed_about_their_own_declaration(self):
        self.post(user=self.alice)
        self.assertEqual([m["To"] for m in self.smtp.messages], ["rita@alpha.example"])

    def test_personal_data_open_a_breach_record(self):
        self.post(personal_data="oui")
        incident = Incident.objects.get()
        breach = Breach.objects.get()
        self.assertEqual((breach.incident, breach.number, breach.aware_at),
                         (incident, 1, incident.noticed_at))

    def test_no_breach_record_without_personal_data(self):
        self.post(personal_data="non")
        self.assertFalse(Breach.objects.exists())

    def test_numbers_follow_each_other_per_organisation(self):
        self.post()
        self.post()
        self.assertEqual(list(Incident.objects.order_by("number").values_list(
            "number", flat=True)), [1, 2])

    def test_bad_input_is_told_next_to_the_field_and_nothing_is_written(self):
        future = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        response = self.post(description="", noticed_at=future)
        self.assertEqual(response.status_code, 422)
        self.assertShows(response, "Décrivez en quelques mots ce que vous voyez.",
                         status_code=422)
        self.assertShows(response, "Ce moment est dans le futur", status_code=422)
        response = self.post(noticed_at="hier soir")
        self.assertShows(response, "Indiquez une date et une heure", status_code=422)
        self.assertFalse(Incident.objects.exists())
        self.assertEqual(self.smtp.messages, [])

    def test_a_start_after_the_notice_is_refused(self):
        noticed = timezone.localtime() - datetime.timedelta(hours=2)
        response = self.post(noticed_at=noticed.strftime("%Y-%m-%dT%H:%M"),
                             started_at=(noticed + datetime.timedelta(hours=1))
                             .strftime("%Y-%m-%dT%H:%M"))
        self.assertShows(response, "Le début ne peut pas suivre", status_code=422)

    def test_the_auditor_cannot_declare(self):
        self.client.force_login(self.aude)
        self.assertEqual(self.client.get(self.url()).status_code, 403)
        self.assertEqual(self.post(user=self.aude).status_code, 403)
        self.assertFalse(Incident.objects.exists())

    def test_the_outsider_gets_404_and_the_anonymous_the_sign_in(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.client.logout()
        self.assertRedirects(self.client.get(self.url()),
                             f"{reverse('account_login')}?next={self.url()}",
                             fetch_redirect_response=False)

    def test_the_button_is_on_every_page_of_the_organisation(self):
        self.client.force_login(self.colin)
        for name in ("dashboard", "incident_list"):
            page = self.client.get(self.org_url(name))
            self.assertContains(page, f'class="shortcuts__link" href="{self.url()}"')


class HostileInputTestCase(BaseTestCase):
    def post(self, **data):
        self.client.force_login(self.colin)
        fields = {"kind": "autre", "description": "x", "personal_data": "non",
                  "noticed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        fields.update(data)
        return self.client.post(self.org_url("incident_declare"), fields)

    def test_markup_is_shown_as_text(self):
        self.post(description='<script>alert("x")</script><img src=x onerror=alert(1)>')
        page = self.client.get(self.org_url("incident_detail", Incident.objects.get().pk))
        self.assertNotContains(page, "<script>alert")
        self.assertContains(page, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")

    def test_nul_bytes_an_oversized_text_and_a_forged_kind_are_refused(self):
        for data in ({"description": "avant\x00après"}, {"description": "x" * 5001},
                     {"kind": "rancongiciel", "personal_data": "peut-etre"},
                     {"noticed_at": "2026-13-45T25:61"}):
            response = self.post(**data)
            self.assertEqual(response.status_code, 422, data)
        self.assertFalse(Incident.objects.exists())
