"""Recording the legal steps of an incident (views/obligations.py, services.obligation_record):
a step done late asks for the reason of the delay; the clocks panel of the incident's page;
the response profile that decides which steps apply."""

import html
import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from pharmagarde.core.models import AuditEntry
from pharmagarde.incidents import services
from pharmagarde.incidents.models import Obligation, ResponseProfile, TimelineEntry
from tests.base import BaseTestCase


def typed(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


class ReadsMixin:
    def assertReads(self, response, text, status_code=200):
        """assertShows for text with apostrophes: the page's entities decoded."""
        self.assertEqual(response.status_code, status_code)
        self.assertIn(text, unescaped(response))


def unescaped(response):
    return html.unescape(response.content.decode()).replace("\u00a0", " ").replace(
        "\u202f", " ")


def field_html(response, name):
    """The HTML of one form field's block (label, errors, input)."""
    pattern = r'<div class="field[^"]*">\s*<label for="id_' + name + r'".*?</div>'
    match = re.search(pattern, response.content.decode(), re.S)
    return match.group(0) if match else ""


class ObligationTestCase(ReadsMixin, BaseTestCase):
    def setUp(self):
        self.now = timezone.now()
        # Personal data touched 80 hours ago: the CNIL's 72 hours have passed.
        self.late = services.incident_declare(
            acting_user=self.colin, organisation=self.org, kind="fuite",
            description="Ordonnances envoyées au mauvais patient.", personal_data="oui",
            noticed_at=self.now - timedelta(hours=80))
        # And 10 hours ago: 62 hours left.
        self.recent = services.incident_declare(
            acting_user=self.colin, organisation=self.org, kind="rancongiciel",
            description="Écran de rançon.", personal_data="oui",
            noticed_at=self.now - timedelta(hours=10))

    def url(self, incident, code="cnil_initial"):
        return self.org_url("incident_obligation", incident.pk, code)

    def post(self, incident, code="cnil_initial", **data):
        values = {"done_at": typed(self.now - timedelta(minutes=10)), "reference": "",
                  "delay_reason": "", "not_applicable": ""}
        values.update(data)
        return self.client.post(self.url(incident, code), values)

    # Who

    def test_for_those_who_handle_incidents(self):
        for user, status in ((self.alice, 200), (self.rita, 200), (self.dora, 200),
                             (self.aude, 403), (self.colin, 403), (self.oscar, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url(self.recent)).status_code, status, user)
        for user, status in ((self.aude, 403), (self.colin, 403), (self.oscar, 404)):
            self.client.force_login(user)
            self.assertEqual(self.post(self.recent).status_code, status, user)
        self.assertFalse(Obligation.objects.exists())
        self.client.logout()
        response = self.client.get(self.url(self.recent))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/comptes/login/"))

    def test_an_unknown_step_is_not_found(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url(self.recent, "inconnu")).status_code, 404)

    # On time

    def test_a_step_done_on_time(self):
        self.client.force_login(self.rita)
        page = self.client.get(self.url(self.recent))
        self.assertReads(page, "Notifier la violation à la CNIL")
        self.assertReads(page, "reste 61 h")
        self.assertNotContains(page, 'name="delay_reason"')
        response = self.post(self.recent, reference="CNIL-2026-0042")
        self.assertRedirects(response,
                             self.org_url("incident_detail", self.recent.pk) + "#delais",
                             fetch_redirect_response=False)
        obligation = Obligation.objects.get(incident=self.recent, code="cnil_initial")
        self.assertEqual((obligation.reference, obligation.done_by, obligation.delay_reason),
                         ("CNIL-2026-0042", self.rita, ""))
        entry = TimelineEntry.objects.get(incident=self.recent,
                                          kind=TimelineEntry.Kind.OBLIGATION)
        self.assertIn("Démarche faite : Notifier la violation à la CNIL", entry.text)
        self.assertIn("Numéro : CNIL-2026-0042.", entry.text)
        audit = AuditEntry.objects.get(action="incident.obligation_recorded")
        self.assertEqual((audit.details["démarche"], audit.details["en retard"]),
                         ("cnil_initial", "Non"))
        self.assertEqual(audit.actor, self.rita)

    # Late

    def test_once_the_deadline_has_passed_the_reason_of_the_delay_is_asked(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.url(self.late))
        self.assertReads(page, "en retard de 8 h")
        self.assertReads(page, "Raison du retard *")

    def test_a_step_done_late_without_a_reason_is_refused(self):
        self.client.force_login(self.alice)
        response = self.post(self.late)
        self.assertReads(response, "Fait après l'échéance : indiquez la raison du retard",
                         status_code=422)
        self.assertIn("indiquez la raison du retard",
                      html.unescape(field_html(response, "delay_reason")))
        self.assertFalse(Obligation.objects.exists())
        self.assertFalse(TimelineEntry.objects.filter(kind=TimelineEntry.Kind.OBLIGATION)
                         .exists())
        self.assertFalse(AuditEntry.objects.filter(action="incident.obligation_recorded")
                         .exists())

    def test_a_step_done_late_with_its_reason(self):
        self.client.force_login(self.alice)
        self.post(self.late, delay_reason="Nous n'avions plus accès à la messagerie.")
        obligation = Obligation.objects.get(incident=self.late)
        self.assertEqual(obligation.delay_reason, "Nous n'avions plus accès à la messagerie.")
        entry = TimelineEntry.objects.get(kind=TimelineEntry.Kind.OBLIGATION)
        self.assertIn("En retard de 7 h : Nous n'avions plus accès", entry.text)
        self.assertEqual(AuditEntry.objects.get(action="incident.obligation_recorded")
                         .details["en retard"], "Oui")

    def test_a_time_before_the_deadline_needs_no_reason_even_once_it_has_passed(self):
        self.client.force_login(self.alice)
        on_time = self.late.noticed_at + timedelta(hours=70)
        response = self.post(self.late, done_at=typed(on_time), delay_reason="Ignorée")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Obligation.objects.get().delay_reason, "", "not late: no reason kept")

    def test_the_service_refuses_a_late_step_without_a_reason(self):
        with self.assertRaises(ValidationError) as raised:
            services.obligation_record(acting_user=self.alice, incident=self.late,
                                       code="cnil_initial", done_at=self.now)
        self.assertIn("delay_reason", raised.exception.message_dict)
        self.assertIn("raison du retard", raised.exception.message_dict["delay_reason"][0])

    # Not applicable, and bad input

    def test_a_step_that_does_not_apply(self):
        ResponseProfile.objects.create(organisation=self.org, nis2_entity=True)
        self.client.force_login(self.alice)
        response = self.post(self.recent, "nis2_early", done_at="",
                             not_applicable="Incident sans effet sur nos services.")
        self.assertEqual(response.status_code, 302)
        obligation = Obligation.objects.get(code="nis2_early")
        self.assertEqual((obligation.done_at, obligation.done_by), (None, None))
        page = self.client.get(self.org_url("incident_detail", self.recent.pk))
        self.assertReads(page, "Incident sans effet sur nos services.")
        self.assertIn("Démarche sans objet : Alerte précoce NIS 2",
                      TimelineEntry.objects.get(kind=TimelineEntry.Kind.OBLIGATION).text)

    def test_neither_done_nor_not_applicable(self):
        self.client.force_login(self.alice)
        response = self.post(self.recent, done_at="")
        self.assertReads(response, "Indiquez quand la démarche a été faite",
                         status_code=422)
        self.assertFalse(Obligation.objects.exists())

    def test_both_done_and_not_applicable(self):
        self.client.force_login(self.alice)
        response = self.post(self.recent, not_applicable="Pas concerné.")
        self.assertReads(response, "remplissez l'un ou l'autre", status_code=422)
        self.assertFalse(Obligation.objects.exists())

    def test_a_time_in_the_future_or_not_a_time(self):
        self.client.force_login(self.alice)
        for value, message in ((typed(self.now + timedelta(hours=2)), "dans le futur"),
                               ("mardi", "Indiquez une date et une heure")):
            response = self.post(self.recent, done_at=value)
            self.assertReads(response, message, status_code=422)
        self.assertFalse(Obligation.objects.exists())

    # Correcting, closed incidents

    def test_recording_again_corrects_the_step(self):
        self.client.force_login(self.alice)
        self.post(self.recent, reference="A")
        page = self.client.get(self.url(self.recent))
        self.assertContains(page, 'value="A"')
        self.post(self.recent, reference="B")
        self.assertEqual(Obligation.objects.get().reference, "B")
        self.assertEqual(TimelineEntry.objects.filter(
            kind=TimelineEntry.Kind.OBLIGATION).count(), 2)

    def test_a_closed_incident_is_not_changed(self):
        services.incident_close(acting_user=self.alice, incident=self.recent, lessons="",
                                revision=self.recent.revision)
        self.client.force_login(self.alice)
        response = self.post(self.recent)
        self.assertRedirects(response, self.org_url("incident_detail", self.recent.pk),
                             fetch_redirect_response=False)
        self.assertFalse(Obligation.objects.exists())
        with self.assertRaises(services.ClosedRecord):
            services.obligation_record(acting_user=self.alice, incident=self.recent,
                                       code="cnil_initial", done_at=self.now)


class ClocksPanelTestCase(ReadsMixin, BaseTestCase):
    def setUp(self):
        self.now = timezone.now()
        self.incident = services.incident_declare(
            acting_user=self.colin, organisation=self.org, kind="rancongiciel",
            description="Écran de rançon.", personal_data="oui",
            noticed_at=self.now - timedelta(hours=30, minutes=20))

    def detail(self):
        return self.client.get(self.org_url("incident_detail", self.incident.pk))

    def test_handlers_see_the_countdowns_above_the_reflexes(self):
        self.client.force_login(self.alice)
        page = self.detail()
        self.assertReads(page, "Les délais légaux")
        self.assertReads(page, "reste 41 h")
        content = page.content.decode()
        self.assertLess(content.index('id="delais"'), content.index('id="reflexes"'))
        self.assertContains(page, self.org_url("incident_obligation", self.incident.pk,
                                               "cnil_initial"))
        self.assertReads(page, "Ces délais dépendent du profil de la structure.")
        self.assertContains(page, self.org_url("incident_profile") + "?suite=")
        # What does not apply, with its reason, out of the way.
        self.assertReads(page, "Conseillée même sans assurance cyber")

    def test_the_panel_follows_the_profile(self):
        ResponseProfile.objects.create(organisation=self.org, cyber_insured=True,
                                       cert_sante=True)
        self.client.force_login(self.alice)
        page = self.detail()
        self.assertReads(page, "Porter plainte (police ou gendarmerie)")
        self.assertReads(page, "Signaler l'incident à CERT Santé")
        self.assertReads(page, "sans délai")

    def test_done_and_late_steps(self):
        services.obligation_record(acting_user=self.alice, incident=self.incident,
                                   code="cnil_initial", done_at=self.now - timedelta(hours=1),
                                   reference="R-1")
        self.client.force_login(self.alice)
        page = self.detail()
        done = timezone.localtime(self.now - timedelta(hours=1)).strftime("%d/%m/%Y à %H:%M")
        self.assertReads(page, f"fait le {done}")
        self.assertReads(page, "Numéro : R-1")
        # The complement now shows, without a legal deadline.
        self.assertReads(page, "Compléter la notification à la CNIL")
        self.assertReads(page, "quand les faits sont connus")

    def test_the_auditor_reads_the_panel_without_the_forms(self):
        self.client.force_login(self.aude)
        page = self.detail()
        self.assertReads(page, "reste 41 h")
        self.assertNotContains(page, self.org_url("incident_obligation", self.incident.pk,
                                                  "cnil_initial"))
        self.assertNotContains(page, self.org_url("incident_profile"))

    def test_a_collaborateur_does_not_see_the_clocks_of_their_incident(self):
        self.client.force_login(self.colin)
        page = self.detail()
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Les délais légaux")

    def test_the_page_writes_nothing_for_a_structure_without_a_profile(self):
        self.client.force_login(self.aude)
        self.detail()
        self.assertFalse(ResponseProfile.objects.exists())


class ProfileTestCase(ReadsMixin, BaseTestCase):
    url_name = "incident_profile"

    def data(self, **changes):
        values = {"nis2_entity": "", "cyber_insured": "on", "insurer": "Assur'Officine 123",
                  "cert_sante": ""}
        values.update(changes)
        return {name: value for name, value in values.items() if value != ""}

    def test_for_those_who_handle_incidents(self):
        url = self.org_url(self.url_name)
        for user, status in ((self.alice, 200), (self.rita, 200), (self.dora, 200),
                             (self.aude, 403), (self.colin, 403), (self.oscar, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, status, user)
        for user, status in ((self.aude, 403), (self.colin, 403), (self.oscar, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url, self.data()).status_code, status, user)
        self.assertFalse(ResponseProfile.objects.exists())
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 302)

    def test_saving_the_profile_is_audited_and_goes_back(self):
        self.client.force_login(self.alice)
        back = self.org_url("incident_list") + "?etat=ouvert"
        page = self.client.get(self.org_url(self.url_name) + "?suite=" + back)
        self.assertReads(page, "Selon le type de la structure (non pour ce type de structure)")
        response = self.client.post(self.org_url(self.url_name),
                                    {**self.data(cert_sante="oui"), "suite": back})
        self.assertRedirects(response, back, fetch_redirect_response=False)
        profile = ResponseProfile.objects.get(organisation=self.org)
        self.assertEqual((profile.cyber_insured, profile.insurer, profile.cert_sante,
                          profile.nis2_entity), (True, "Assur'Officine 123", True, False))
        audit = AuditEntry.objects.get(action="incident.profile_changed")
        self.assertEqual(audit.details["assurée contre le risque cyber"], "Non → Oui")
        self.assertEqual(audit.details["signalement à CERT Santé"],
                         "selon le type de la structure → Oui")
        # Saving the same again changes nothing and writes no audit entry.
        self.client.post(self.org_url(self.url_name), self.data(cert_sante="oui"))
        self.assertEqual(AuditEntry.objects.filter(action="incident.profile_changed").count(),
                         1)
        page = self.client.get(self.org_url(self.url_name))
        self.assertContains(page, 'value="oui" id="id_cert_sante_1" checked')

    def test_it_goes_back_only_inside_the_organisation(self):
        self.client.force_login(self.alice)
        for target in ("https://evil.example/o/alpha/", "/o/bravo/incidents/",
                       "//evil.example/o/alpha/"):
            response = self.client.post(self.org_url(self.url_name),
                                        {**self.data(), "suite": target})
            self.assertRedirects(response, self.org_url("incident_list"),
                                 fetch_redirect_response=False)

    def test_bad_input(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url(self.url_name),
                                    self.data(cert_sante="peut-etre", insurer="x" * 201))
        self.assertReads(response, "Sélectionnez un choix valide", status_code=422)
        self.assertReads(response, "au plus 200 caractères", status_code=422)
        self.assertFalse(ResponseProfile.objects.exists())
