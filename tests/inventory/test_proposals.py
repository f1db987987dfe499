"""The inventory proposes answers to a new assessment of the diagnostic (never over one)."""

import datetime

from django.utils import timezone

from pharmagarde.core.models import Person
from pharmagarde.diagnostic.models import Answer, Assessment
from pharmagarde.inventory.models import Account, Backup, Device, WifiNetwork
from pharmagarde.inventory.proposals import proposals
from tests.base import BaseTestCase


class ProposalsTestCase(BaseTestCase):
    def test_only_facts_become_proposals(self):
        self.assertEqual(proposals(self.org), {})
        WifiNetwork.objects.create(organisation=self.org, ssid="Bureau",
                                   security=WifiNetwork.Security.WEP)
        WifiNetwork.objects.create(organisation=self.org, ssid="Pro",
                                   security=WifiNetwork.Security.WPA2)
        Backup.objects.create(organisation=self.org, what="LGO", offline_copy=False)
        Device.objects.create(organisation=self.org, name="Portable",
                              kind=Device.Kind.LAPTOP, disk_encrypted=None)
        found = proposals(self.org)
        self.assertEqual(found["res-wifi-present"][0], ("oui",))
        self.assertEqual(found["res-wifi"][0], ("ouvert",))
        self.assertIn("« Bureau » : WEP", found["res-wifi"][1])
        self.assertEqual(found["sauv-hors-ligne"][0], ("non",))
        self.assertEqual(found["sauv-test"][0], ("jamais",))
        # Encryption unknown on a laptop: nothing said about encryption.
        self.assertNotIn("nomade-chiffrement", found)

    def test_a_wpa2_wifi_proposes_its_presence_only(self):
        WifiNetwork.objects.create(organisation=self.org, ssid="Pro",
                                   security=WifiNetwork.Security.WPA2)
        self.assertEqual(set(proposals(self.org)), {"res-wifi-present"})

    def test_a_new_assessment_shows_them_with_their_reason(self):
        gone = Person.objects.create(organisation=self.org, first_name="Nicolas",
                                     last_name="Petit",
                                     departure_date=timezone.localdate()
                                     - datetime.timedelta(days=30))
        Account.objects.create(organisation=self.org, login="npetit", holder=gone)
        previous = Assessment.objects.create(
            organisation=self.org, referential_version="2026.2", organisation_kind="officine",
            size_band="1-9", status=Assessment.Status.COMPLETED, completed_at=timezone.now())
        Answer.objects.create(organisation=self.org, assessment=previous,
                              question_id="cpt-departs", choice_ids=["oui"])
        Answer.objects.create(organisation=self.org, assessment=previous,
                              question_id="gouv-referent", choice_ids=["oui"])
        self.client.force_login(self.owner)
        self.client.post(self.org_url("assessment_start"))
        current = Assessment.objects.get(status=Assessment.Status.IN_PROGRESS)
        answers = {a.question_id: a for a in current.answers.all()}
        # Today's fact beats last year's « oui »; both are only proposals.
        self.assertEqual(answers["cpt-departs"].choice_ids, ["non"])
        self.assertTrue(answers["cpt-departs"].proposed)
        self.assertIn("Proposé d'après l'inventaire", answers["cpt-departs"].comment)
        self.assertEqual(answers["gouv-referent"].choice_ids, ["oui"])

    def test_an_assessment_in_progress_is_never_changed(self):
        self.client.force_login(self.owner)
        self.client.post(self.org_url("assessment_start"))
        current = Assessment.objects.get(status=Assessment.Status.IN_PROGRESS)
        Answer.objects.create(organisation=self.org, assessment=current,
                              question_id="res-wifi-present", choice_ids=["non"])
        WifiNetwork.objects.create(organisation=self.org, ssid="Bureau",
                                   security=WifiNetwork.Security.WEP)
        self.client.post(self.org_url("assessment_start"))  # resumes, proposes nothing
        self.assertEqual(list(current.answers.values_list("question_id", "choice_ids")),
                         [("res-wifi-present", ["non"])])
