"""The data-protection overview and the profile: who sees what, saving the profile (its
« je ne sais pas » answers, a concurrent edit), the audit entry."""

from pharmagarde.core.models import AuditEntry
from pharmagarde.privacy.models import PrivacyProfile
from tests.base import BaseTestCase

PROFILE = {"controller": "SELARL Pharmacie Alpha", "contact": "rgpd@alpha.example",
           "dpo": "", "turnover_over_threshold": "True", "video_surveillance": "False",
           "phishing_tests": "", "revision": "0"}


class HomeTestCase(BaseTestCase):
    def test_those_who_read_the_register_see_every_part(self):
        for user in (self.alice, self.dora, self.rita, self.aude):
            self.client.force_login(user)
            response = self.client.get(self.org_url("privacy_home"))
            self.assertShows(response, "Registre des traitements")
            self.assertShows(response, "Sous-traitants et contrats")
            self.assertShows(response, "Notices d'information")

    def test_a_collaborateur_sees_only_the_notices(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.org_url("privacy_home"))
        self.assertShows(response, "Notices d'information")
        self.assertNotContains(response, "Registre des traitements")
        self.assertNotContains(response, "Sous-traitants et contrats")

    def test_outsider_and_anonymous(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.org_url("privacy_home")).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.org_url("privacy_home")).status_code, 302)


class ProfileTestCase(BaseTestCase):
    def test_the_responsable_saves_the_profile_with_unknown_answers(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.org_url("privacy_profile")).status_code, 200)
        response = self.client.post(self.org_url("privacy_profile"), PROFILE)
        self.assertRedirects(response, self.org_url("privacy_home"))
        profile = PrivacyProfile.objects.get(organisation=self.org)
        self.assertEqual(profile.controller, "SELARL Pharmacie Alpha")
        self.assertIs(profile.turnover_over_threshold, True)
        self.assertIs(profile.video_surveillance, False)
        self.assertIsNone(profile.phishing_tests)
        self.assertEqual(profile.revision, 1)
        entry = AuditEntry.objects.get(organisation=self.org, action="privacy.profile_saved")
        self.assertIn("responsable du traitement", entry.details["champs"])

    def test_the_dpo_saves_it_too(self):
        self.client.force_login(self.dora)
        response = self.client.post(self.org_url("privacy_profile"), PROFILE)
        self.assertEqual(response.status_code, 302)

    def test_a_concurrent_edit_is_a_conflict_not_an_overwrite(self):
        self.client.force_login(self.alice)
        self.client.post(self.org_url("privacy_profile"), PROFILE)
        stale = {**PROFILE, "controller": "Autre nom"}
        response = self.client.post(self.org_url("privacy_profile"), stale)
        self.assertEqual(response.status_code, 409)
        self.assertShows(response, "Quelqu'un a modifié ce profil", status_code=409)
        self.assertEqual(PrivacyProfile.objects.get(organisation=self.org).controller,
                         "SELARL Pharmacie Alpha")

    def test_bad_input_is_refused_next_to_the_field(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("privacy_profile"),
                                    {**PROFILE, "turnover_over_threshold": "peut-être",
                                     "controller": "x" * 300})
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "field--error", status_code=422)
        self.assertFalse(PrivacyProfile.objects.filter(organisation=self.org,
                                                       revision__gt=0).exists())

    def test_who_may_not_write_it(self):
        for user in (self.rita, self.colin):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.org_url("privacy_profile")).status_code, 403)
            self.assertEqual(self.client.post(self.org_url("privacy_profile"),
                                              PROFILE).status_code, 403)
        self.client.force_login(self.aude)
        self.assertEqual(self.client.post(self.org_url("privacy_profile"),
                                          PROFILE).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.org_url("privacy_profile")).status_code, 404)
        self.assertFalse(PrivacyProfile.objects.filter(organisation=self.org,
                                                       revision__gt=0).exists())
