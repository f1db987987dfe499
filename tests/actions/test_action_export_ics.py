from django.test import override_settings
from icalendar import Calendar

from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry
from tests.actions.base import PlanTestCase, days


@override_settings(SITE_URL="https://garde.example")
class ActionExportIcsTestCase(PlanTestCase):
    def setUp(self):
        self.url = self.org_url("action_export_ics")

    def events(self, response, **params):
        self.assertEqual(response.status_code, 200)
        calendar = Calendar.from_ical(response.content)
        return list(calendar.walk("VEVENT"))

    def test_it_lists_open_actions_with_a_due_date_only(self):
        self.make_action("Sans échéance")
        self.make_action("Finie", due_date=days(3), status=Action.Status.DONE)
        self.make_action("Laissée", due_date=days(3), status=Action.Status.DROPPED)
        started = self.make_action("Commencée", due_date=days(-2), how="Appelez le FAI.",
                                   status=Action.Status.IN_PROGRESS)
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        events = self.events(response)
        summaries = sorted(str(e["SUMMARY"]) for e in events)
        self.assertEqual(summaries, ["Échéance : Changer le mot de passe du Wi-Fi",
                                     "Échéance : Commencée"])
        event = next(e for e in events if "Commencée" in str(e["SUMMARY"]))
        self.assertEqual(event.decoded("DTSTART"), started.due_date)
        self.assertIn("DTSTAMP", event)
        self.assertEqual(str(event["STATUS"]), "CONFIRMED")
        description = str(event["DESCRIPTION"])
        self.assertIn("Appelez le FAI.", description)
        self.assertIn(f"https://garde.example/o/alpha/plan/{started.id}/", description)

    def test_uids_are_stable(self):
        self.client.force_login(self.colin)
        first = [str(e["UID"]) for e in self.events(self.client.get(self.url))]
        second = [str(e["UID"]) for e in self.events(self.client.get(self.url))]
        self.assertEqual(first, second)
        self.assertEqual(first, [f"action-{self.action.id}-{self.org.id}@garde.example"])

    def test_it_applies_the_filters_and_audits(self):
        self.make_action("Importante", due_date=days(1), effort=Action.Effort.HIGH)
        self.client.force_login(self.colin)
        events = self.events(self.client.get(self.url, {"effort": "important"}))
        self.assertEqual([str(e["SUMMARY"]) for e in events], ["Échéance : Importante"])
        self.assertEqual(AuditEntry.objects.get(action="plan.exported").details["format"],
                         "ics")

    def test_it_never_exports_another_organisation(self):
        self.other_action.due_date = days(1)
        self.other_action.save()
        self.client.force_login(self.colin)
        content = self.client.get(self.url).content.decode()
        self.assertNotIn("Action Bravo", content)

    def test_its_query_count_does_not_grow_with_the_actions(self):
        self.client.force_login(self.colin)

        def make_row(i):
            self.make_action(f"Action {i}", owner=self.person, due_date=days(i))

        self.assertQueriesConstant(self.url, make_row)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
