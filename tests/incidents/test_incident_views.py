"""Handling an incident: the list, the page, the reflexes, the timeline, editing (versioned,
concurrent edits refused), closing with its review (lessons into the plan), reopening."""

import datetime

from django.utils import timezone

from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry
from pharmagarde.incidents import services
from pharmagarde.incidents.models import Incident, RecordVersion, ReflexStep, TimelineEntry
from tests.base import BaseTestCase


def declare(organisation, user, **fields):
    values = {"kind": "hameconnage", "description": "Un lien a été cliqué.",
              "noticed_at": timezone.now() - datetime.timedelta(hours=1)}
    values.update(fields)
    return services.incident_declare(acting_user=user, organisation=organisation, **values)


def edit_data(incident, **changes):
    data = {"kind": incident.kind, "description": incident.description,
            "severity": incident.severity, "status": incident.status,
            "personal_data": incident.personal_data,
            "noticed_at": timezone.localtime(incident.noticed_at).strftime("%Y-%m-%dT%H:%M"),
            "started_at": "", "people_involved": "", "processors": "",
            "processors_told_at": "", "revision": incident.revision}
    data.update(changes)
    return data


class ListTestCase(BaseTestCase):
    def test_handlers_see_every_incident_and_a_collaborateur_their_own(self):
        mine = declare(self.org, self.colin)
        other = declare(self.org, self.alice, kind="fraude")
        declare(self.other_org, self.oscar)
        for user, expected in ((self.alice, {mine, other}), (self.dora, {mine, other}),
                               (self.aude, {mine, other}), (self.colin, {mine})):
            self.client.force_login(user)
            page = self.client.get(self.org_url("incident_list"))
            self.assertEqual(set(page.context["page"].object_list), expected, user)

    def test_the_state_filter(self):
        declare(self.org, self.alice)
        closed = declare(self.org, self.alice)
        Incident.objects.filter(pk=closed.pk).update(status=Incident.Status.CLOSED)
        self.client.force_login(self.alice)
        page = self.client.get(self.org_url("incident_list") + "?etat=clos")
        self.assertEqual(list(page.context["page"].object_list), [closed])
        page = self.client.get(self.org_url("incident_list") + "?etat=nimportequoi")
        self.assertEqual(len(page.context["page"].object_list), 2)

    def test_an_empty_list_says_what_to_do(self):
        self.client.force_login(self.alice)
        self.assertShows(self.client.get(self.org_url("incident_list")),
                         "Aucun incident déclaré")

    def test_the_list_costs_the_same_queries_for_5_or_60_incidents(self):
        self.client.force_login(self.alice)

        def make(n):
            Incident.objects.create(organisation=self.org, number=n + 1, kind="autre",
                                    description="x", noticed_at=timezone.now())
        self.assertQueriesConstant(self.org_url("incident_list"), make)

    def test_the_outsider_and_the_anonymous(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.org_url("incident_list")).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.org_url("incident_list")).status_code, 302)


class DetailTestCase(BaseTestCase):
    def setUp(self):
        self.incident = declare(self.org, self.colin)

    def test_a_collaborateur_sees_their_incident_but_not_the_others(self):
        other = declare(self.org, self.alice)
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.org_url("incident_detail", self.incident.pk))
                         .status_code, 200)
        self.assertEqual(self.client.get(self.org_url("incident_detail", other.pk))
                         .status_code, 404)

    def test_the_outsider_gets_404(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.org_url("incident_detail", self.incident.pk))
                         .status_code, 404)

    def test_ticking_a_reflex_keeps_when_and_who(self):
        step = self.incident.steps.first()
        self.client.force_login(self.colin)
        response = self.client.post(self.org_url("incident_step_toggle", step.pk), {"done": "1"})
        self.assertRedirects(response, self.org_url("incident_detail", self.incident.pk)
                             + f"#reflexe-{step.pk}", fetch_redirect_response=False)
        step.refresh_from_db()
        self.assertEqual(step.done_by, self.colin)
        self.assertIsNotNone(step.done_at)
        self.assertTrue(TimelineEntry.objects.filter(incident=self.incident,
                                                     kind="reflexe").exists())
        page = self.client.get(self.org_url("incident_detail", self.incident.pk))
        self.assertContains(page, 'aria-pressed="true"')
        self.client.post(self.org_url("incident_step_toggle", step.pk), {"done": "0"})
        step.refresh_from_db()
        self.assertIsNone(step.done_at)
        self.assertEqual(AuditEntry.objects.filter(action__startswith="incident.step_")
                         .count(), 2)

    def test_the_auditor_reads_but_does_not_tick(self):
        step = self.incident.steps.first()
        self.client.force_login(self.aude)
        self.assertEqual(self.client.get(self.org_url("incident_detail", self.incident.pk))
                         .status_code, 200)
        self.assertEqual(self.client.post(self.org_url("incident_step_toggle", step.pk),
                                          {"done": "1"}).status_code, 403)
        self.assertIsNone(ReflexStep.objects.get(pk=step.pk).done_at)

    def test_another_organisations_reflex_is_404(self):
        foreign = declare(self.other_org, self.oscar).steps.first()
        self.client.force_login(self.alice)
        self.assertEqual(self.client.post(self.org_url("incident_step_toggle", foreign.pk),
                                          {"done": "1"}).status_code, 404)

    def test_notes_go_into_the_timeline_in_order(self):
        self.client.force_login(self.rita)
        earlier = timezone.localtime() - datetime.timedelta(minutes=30)
        self.client.post(self.org_url("incident_note_add", self.incident.pk),
                         {"text": "Prestataire appelé.", "at": earlier.strftime("%Y-%m-%dT%H:%M")})
        texts = list(self.incident.timeline.values_list("text", flat=True))
        self.assertEqual(texts[0], "Prestataire appelé.")
        response = self.client.post(self.org_url("incident_note_add", self.incident.pk),
                                    {"text": ""})
        self.assertShows(response, "Écrivez ce qui s&#x27;est passé.", status_code=422)


class EditTestCase(BaseTestCase):
    def setUp(self):
        self.incident = declare(self.org, self.colin)
        self.url = self.org_url("incident_edit", self.incident.pk)

    def test_a_change_is_versioned_and_noted(self):
        self.client.force_login(self.rita)
        response = self.client.post(self.url, edit_data(self.incident, severity="grave",
                                                        personal_data="oui"))
        self.assertRedirects(response, self.org_url("incident_detail", self.incident.pk))
        self.incident.refresh_from_db()
        self.assertEqual((self.incident.severity, self.incident.revision), ("grave", 1))
        version = RecordVersion.objects.get(record_type="incident")
        self.assertEqual(version.changes["gravité"], ["À évaluer", "Grave"])
        self.assertEqual(version.author, self.rita)
        # Personal data now involved: the breach record opens.
        self.assertTrue(hasattr(Incident.objects.get(pk=self.incident.pk), "breach"))

    def test_a_concurrent_edit_is_refused_and_shown(self):
        self.client.force_login(self.rita)
        stale = edit_data(self.incident, severity="faible")
        self.client.post(self.url, edit_data(self.incident, severity="grave"))
        response = self.client.post(self.url, stale)
        self.assertEqual(response.status_code, 409)
        self.assertEqual(Incident.objects.get(pk=self.incident.pk).severity, "grave")

    def test_bad_input_changes_nothing(self):
        self.client.force_login(self.rita)
        response = self.client.post(self.url, edit_data(self.incident, noticed_at="demain"))
        self.assertEqual(response.status_code, 422)
        self.assertFalse(RecordVersion.objects.exists())

    def test_the_auditor_and_the_outsider(self):
        self.client.force_login(self.aude)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url).status_code, 404)


class CloseTestCase(BaseTestCase):
    def setUp(self):
        self.incident = declare(self.org, self.colin)

    def close(self, user=None, lessons="- Activer la double authentification\n\nFormer l'équipe"):
        self.client.force_login(user or self.alice)
        return self.client.post(self.org_url("incident_close", self.incident.pk),
                                {"lessons": lessons, "revision": self.incident.revision})

    def test_the_lessons_become_actions_of_the_plan(self):
        self.close()
        self.incident.refresh_from_db()
        self.assertEqual(self.incident.status, Incident.Status.CLOSED)
        titles = set(Action.objects.filter(organisation=self.org, source="incidents")
                     .values_list("title", flat=True))
        self.assertEqual(titles, {"Activer la double authentification", "Former l'équipe"})

    def test_a_closed_incident_is_not_edited_until_reopened(self):
        self.close()
        self.client.force_login(self.rita)
        response = self.client.post(self.org_url("incident_edit", self.incident.pk),
                                    edit_data(Incident.objects.get(pk=self.incident.pk),
                                              severity="grave"))
        self.assertRedirects(response, self.org_url("incident_detail", self.incident.pk))
        self.assertEqual(Incident.objects.get(pk=self.incident.pk).severity, "")
        with self.assertRaises(services.ClosedRecord):
            services.incident_update(acting_user=self.rita, incident=Incident.objects.get(
                pk=self.incident.pk), values={"severity": "grave"}, revision=None)
        response = self.client.post(self.org_url("incident_reopen", self.incident.pk),
                                    {"reason": ""})
        self.assertShows(response, "Dites pourquoi", status_code=422)
        self.client.post(self.org_url("incident_reopen", self.incident.pk),
                         {"reason": "Un poste oublié est aussi touché."})
        incident = Incident.objects.get(pk=self.incident.pk)
        self.assertEqual(incident.status, Incident.Status.OPEN)
        self.assertEqual(RecordVersion.objects.filter(record_type="incident").first().reason,
                         "Un poste oublié est aussi touché.")

    def test_a_collaborateur_does_not_close(self):
        self.assertEqual(self.close(user=self.colin).status_code, 403)
        self.assertEqual(self.close(user=self.aude).status_code, 403)
        self.assertEqual(Incident.objects.get(pk=self.incident.pk).status, Incident.Status.OPEN)


class DashboardTestCase(BaseTestCase):
    def test_an_open_incident_is_first_on_the_dashboard_and_in_the_todo(self):
        incident = declare(self.org, self.alice)
        self.client.force_login(self.alice)
        page = self.client.get(self.org_url("dashboard"))
        self.assertShows(page, "1 incident en cours")
        self.assertShows(page, f"Incident {incident.reference} : des réflexes restent à faire.")

    def test_no_card_without_incident(self):
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(self.org_url("dashboard")), "incident en cours")

    def test_the_dashboard_costs_the_same_queries_for_5_or_60_open_incidents(self):
        self.client.force_login(self.alice)

        def make(n):
            declare(self.org, self.alice)
        self.MAX_QUERIES_PER_PAGE = 25
        self.assertQueriesConstant(self.org_url("dashboard"), make)
