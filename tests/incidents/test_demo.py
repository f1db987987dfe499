"""The incidents of the demo: what a newcomer clicks through."""

from django.test import TestCase

from pharmagarde.actions.models import Action
from pharmagarde.core.models import Organisation
from pharmagarde.incidents.models import Breach, EmergencyContact, Incident
from tests.core.test_demo import OFFICINE, run_demo


class IncidentDemoTests(TestCase):
    def test_an_open_leak_with_its_breach_record_and_a_closed_phishing(self):
        run_demo()
        officine = Organisation.objects.get(name=OFFICINE)
        incidents = {i.kind: i for i in Incident.objects.filter(organisation=officine)}
        self.assertEqual(set(incidents), {"fuite", "hameconnage"})
        self.assertEqual(incidents["hameconnage"].status, Incident.Status.CLOSED)
        self.assertEqual(incidents["fuite"].status, Incident.Status.OPEN)
        breach = Breach.objects.get(incident=incidents["fuite"])
        self.assertTrue(breach.health_data)
        self.assertEqual(Action.objects.filter(organisation=officine, source="incidents")
                         .count(), 2)
        self.assertTrue(EmergencyContact.objects.filter(organisation=officine,
                                                        kind="prestataire").exists())
        self.assertTrue(EmergencyContact.objects.filter(organisation=officine,
                                                        kind="cybermalveillance").exists())
        run_demo()  # again: nothing added
        self.assertEqual(Incident.objects.filter(organisation=officine).count(), 2)
