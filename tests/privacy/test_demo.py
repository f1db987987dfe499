"""The data protection of the demo officine: what a newcomer clicks through (a profile, a
register partly confirmed, processors whose gaps are in the action plan, a request near its
deadline and one late, an impact assessment under way), made through the services, once."""

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from pharmagarde.actions.models import Action
from pharmagarde.core.models import Membership, Organisation, Role
from pharmagarde.privacy import reminders, request_services
from pharmagarde.privacy.models import (
    Dpia,
    DpiaMeasure,
    PersonRequest,
    PrivacyProfile,
    Processing,
    Processor,
)
from tests.core.test_demo import OFFICINE, run_demo

MODELS = (Processing, Processor, PersonRequest, Dpia, DpiaMeasure)


class PrivacyDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.officine = Organisation.objects.get(name=OFFICINE)

    def test_the_register_is_prefilled_and_partly_confirmed(self):
        processings = Processing.objects.filter(organisation=self.officine)
        self.assertGreaterEqual(processings.count(), 10)
        self.assertEqual(processings.exclude(confirmed_at=None).count(), 3)
        dispensing = processings.get(key="dispensation")
        self.assertTrue(dispensing.software.exists())
        self.assertTrue(dispensing.processors.exists())
        self.assertEqual(dispensing.dpia_screening["verdict"], "requise")
        self.assertEqual(processings.filter(in_use=False).count(), 2)
        profile = PrivacyProfile.objects.get(organisation=self.officine)
        self.assertTrue(profile.controller and profile.contact and profile.dpo)

    def test_processors_gaps_and_the_planned_measure_are_in_the_action_plan(self):
        actions = Action.objects.filter(organisation=self.officine, source="rgpd")
        keys = set(actions.values_list("source_key", flat=True))
        self.assertTrue(any(key.endswith(":clauses") for key in keys), keys)
        self.assertTrue(any(key.endswith(":revue") for key in keys), keys)
        self.assertTrue(any(key.startswith("aipd:") for key in keys), keys)

    def test_a_request_is_late_and_one_is_near_its_deadline(self):
        today = timezone.localdate()
        states = {r.right: request_services.state(r, today).code
                  for r in PersonRequest.objects.filter(organisation=self.officine)}
        self.assertEqual(states, {"acces": "due", "effacement": "answered",
                                  "opposition": "late"})
        subjects = [str(due.subject) for due in reminders.due(timezone.now())
                    if due.organisation_id == self.officine.pk]
        self.assertTrue(any("délai de réponse est dépassé" in s for s in subjects), subjects)

    def test_a_second_run_adds_nothing(self):
        before = [model.objects.count() for model in MODELS]
        run_demo()
        self.assertEqual([model.objects.count() for model in MODELS], before)

    def test_every_page_of_the_demo_answers_for_its_dpo(self):
        dpo = Membership.objects.filter(organisation=self.officine, role=Role.DPO).first().user
        self.client.force_login(dpo)
        slug = self.officine.slug
        dpia = Dpia.objects.get(organisation=self.officine)
        for name, args in [("privacy_home", ()), ("privacy_register", ()),
                           ("privacy_processors", ()), ("privacy_requests", ()),
                           ("privacy_dpias", ()), ("privacy_dpia", (dpia.pk,)),
                           ("privacy_notice", ("patients",)),
                           ("privacy_notice", ("personnel",))]:
            response = self.client.get(reverse(name, args=[slug, *args]))
            self.assertEqual(response.status_code, 200, name)
