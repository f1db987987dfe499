"""Campaigns: a draft's form (targets, business hours, named results and their conditions),
its content from a library or custom template, the launch (the count and the last send,
refused with an untested profile; messages through a real SMTP server; the privacy profile
told), pause, resume, stop, the progress fragment, the staff notice, and who may do what."""

from django.test import override_settings

from pharmagarde.awareness import campaign_content, campaign_services, library
from pharmagarde.awareness.models import Campaign, CustomTemplate, Recipient, StaffGroup
from pharmagarde.core.models import AuditEntry
from pharmagarde.privacy.models import PrivacyProfile
from tests.base import BaseTestCase
from tests.smtp import SMTPTestMixin

from .base import CONTENT, make_campaign, make_people, make_profile

KEY = "assurance-maladie-remboursement"


class CampaignTestCase(SMTPTestMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.profile = make_profile(self.org, self.smtp)
        self.profile.test_ok = True
        self.profile.save()
        self.people = make_people(self.org, 3)

    def draft(self, **fields):
        return make_campaign(self.org, self.profile, self.people,
                             template_key=fields.pop("template_key", KEY), **fields)

    def form_data(self, **fields):
        data = {"name": "Remboursement", "template": f"bibliotheque:{KEY}",
                "profile": self.profile.pk, "people": [p.pk for p in self.people],
                "window_start": "09:00", "window_end": "17:00",
                "weekdays": ["0", "1", "2", "3", "4"], "spread": "on", "enrol": "on",
                "revision": ""}
        data.update(fields)
        return data


class CampaignFormTests(CampaignTestCase):
    def test_it_saves_a_draft_with_its_targets(self):
        group = StaffGroup.objects.create(organisation=self.org, name="Comptoir")
        self.client.force_login(self.rita)
        response = self.client.post(self.org_url("awareness_campaign_new"), self.form_data(
            groups=[group.pk], jobs=["Préparateur"], start_at="2030-01-07T09:00"))
        campaign = Campaign.objects.get(organisation=self.org)
        self.assertRedirects(response, self.org_url("awareness_campaign", campaign.pk))
        self.assertEqual((campaign.status, campaign.number, campaign.template_key),
                         (Campaign.Status.DRAFT, 1, KEY))
        self.assertEqual(campaign.weekdays, [0, 1, 2, 3, 4])
        self.assertEqual(campaign.jobs, ["Préparateur"])
        self.assertEqual(list(campaign.groups.all()), [group])
        self.assertEqual(campaign.people.count(), 3)
        self.assertFalse(campaign.named)
        self.assertTrue(AuditEntry.objects.filter(action="awareness.campaign_created").exists())

    def test_the_form_starts_with_business_hours(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("awareness_campaign_new"))
        self.assertContains(response, 'value="09:00"')
        self.assertContains(response, 'value="17:00"')
        self.assertContains(response, self.org_url("awareness_staff_notice"))

    def test_bad_input_is_refused_next_to_the_field(self):
        self.client.force_login(self.alice)
        cases = [({"people": []}, "Choisissez au moins une personne, un groupe ou une"),
                 ({"window_end": "08:00"}, "doit suivre"),
                 ({"named": "on"}, "sont nécessaires"),
                 ({"named": "on", "named_reason": "Raison"}, "informé à l"),
                 ({"template": "bibliotheque:inconnu"}, "Choisissez un modèle de la liste."),
                 ({"profile": make_profile(self.other_org, self.smtp).pk},
                  "Choisissez un profil de la liste."),
                 ({"send_by": "2001-01-01T10:00"}, "La date limite doit"),
                 ({"weekdays": []}, "Cochez au moins un jour")]
        for fields, error in cases:
            response = self.client.post(self.org_url("awareness_campaign_new"),
                                        self.form_data(**fields))
            self.assertShows(response, error)
        self.assertFalse(Campaign.objects.exists())

    def test_named_results_with_a_reason_and_the_staff_informed(self):
        self.client.force_login(self.alice)
        self.client.post(self.org_url("awareness_campaign_new"), self.form_data(
            named="on", named_reason="Demande du comité", informed="on"))
        campaign = Campaign.objects.get()
        self.assertTrue(campaign.named)
        self.assertEqual(campaign.named_reason, "Demande du comité")
        # The confirmation that the staff were told is kept, the first one only.
        informed = campaign.named_informed_at
        self.assertIsNotNone(informed)
        self.client.post(self.org_url("awareness_campaign_edit", campaign.pk), self.form_data(
            named="on", named_reason="Demande du comité, précisée", informed="on",
            revision=campaign.revision))
        campaign.refresh_from_db()
        self.assertEqual(campaign.named_reason, "Demande du comité, précisée")
        self.assertEqual(campaign.named_informed_at, informed)
        self.assertShows(self.client.get(self.org_url("awareness_campaign", campaign.pk)),
                         "personnel informé, confirmé le")
        self.client.post(self.org_url("awareness_campaign_edit", campaign.pk),
                         self.form_data(revision=campaign.revision))
        campaign.refresh_from_db()
        self.assertFalse(campaign.named)
        self.assertIsNone(campaign.named_informed_at)

    def test_a_launched_campaign_is_not_edited(self):
        campaign = self.draft(status=Campaign.Status.SENDING)
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_campaign_edit", campaign.pk),
                                    self.form_data(name="Autre"))
        self.assertRedirects(response, self.org_url("awareness_campaign", campaign.pk))
        campaign.refresh_from_db()
        self.assertEqual(campaign.name, "Fausse facture")

    def test_a_draft_is_edited(self):
        campaign = self.draft()
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("awareness_campaign_edit", campaign.pk))
        self.assertContains(response, f'value="bibliotheque:{KEY}" selected')
        self.client.post(self.org_url("awareness_campaign_edit", campaign.pk),
                         self.form_data(name="Autre", revision=campaign.revision))
        campaign.refresh_from_db()
        self.assertEqual(campaign.name, "Autre")


class ContentTests(CampaignTestCase):
    def test_the_content_of_a_library_template(self):
        item = library.template(KEY)
        content = campaign_content.content_for(self.draft(fake_form=True), self.org)
        self.assertEqual(content["subject"], item.subject)
        self.assertEqual(len(content["clues"]), len(item.clues))
        self.assertEqual(set(content["clues"][0]),
                         {"type", "excerpt", "explanation", "location"})
        self.assertEqual(content["module"], item.module)
        self.assertIsNotNone(content["form"])
        self.assertEqual(content["lesson"], list(item.lesson))

    def test_the_content_of_a_custom_template(self):
        custom = CustomTemplate.objects.create(
            organisation=self.org, name="A", sender_name="Service", subject="Urgent",
            sender_address="x@a.example", html='<p>Sous 24 heures <a href="{{lien}}">ici</a>'
                                               '</p>', text="ici {{lien}}",
            clues=[{"type": "urgence", "extrait": "Sous 24 heures", "explication": "E."},
                   {"type": "ton", "extrait": "Urgent", "explication": "E."}])
        campaign = self.draft(template_key="", custom_template=custom)
        content = campaign_content.content_for(campaign, self.org)
        self.assertEqual([clue["location"] for clue in content["clues"]], ["corps", "objet"])
        self.assertIsNone(content["form"])
        self.assertEqual(content["module"], "hameconnage")
        self.assertTrue(content["lesson"])


@override_settings(AWARENESS_SENDERS=1)
class LaunchTests(CampaignTestCase):
    def test_the_confirmation_says_how_many_and_when(self):
        campaign = self.draft()
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("awareness_campaign_launch", campaign.pk))
        self.assertShows(response, "3 personnes recevront le faux message.")
        self.assertShows(response, "Le dernier message partira vers le")
        self.assertShows(response, "Lancer la campagne")

    def test_it_launches_and_sends_and_tells_the_privacy_profile(self):
        campaign = self.draft()
        self.client.force_login(self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.org_url("awareness_campaign_launch", campaign.pk))
        self.assertRedirects(response, self.org_url("awareness_campaign", campaign.pk))
        campaign.refresh_from_db()
        self.assertEqual(campaign.content["subject"], library.template(KEY).subject)
        self.assertEqual(Recipient.objects.filter(campaign=campaign).count(), 3)
        self.assertEqual(len(self.smtp.wait_for(3)), 3)
        self.assertTrue(PrivacyProfile.objects.get(organisation=self.org).phishing_tests)
        response = self.client.get(self.org_url("awareness_campaign", campaign.pk))
        self.assertShows(response, "Envoyés : 3 sur 3")

    def test_an_untested_or_failed_profile_stops_the_launch(self):
        campaign = self.draft()
        self.client.force_login(self.alice)
        for test_ok, text in ((None, "pas encore été testé"), (False, "a échoué")):
            self.profile.test_ok = test_ok
            self.profile.save()
            response = self.client.get(self.org_url("awareness_campaign_launch", campaign.pk))
            self.assertShows(response, text)
            self.assertNotContains(response, "Lancer la campagne</button>")
            response = self.client.post(self.org_url("awareness_campaign_launch", campaign.pk),
                                        follow=True)
            self.assertShows(response, text)
        campaign.refresh_from_db()
        self.assertEqual(campaign.status, Campaign.Status.DRAFT)
        self.assertEqual(self.smtp.messages, [])

    def test_a_schedule_past_the_deadline_is_refused(self):
        import datetime

        from django.utils import timezone

        self.profile.rate_per_minute = 1
        self.profile.save()
        campaign = self.draft(send_by=timezone.now() + datetime.timedelta(seconds=90))
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_campaign_launch", campaign.pk),
                                    follow=True)
        self.assertShows(response, "après la date limite")
        campaign.refresh_from_db()
        self.assertEqual(campaign.status, Campaign.Status.DRAFT)


class LifeTests(CampaignTestCase):
    def launched(self):
        self.profile.rate_per_minute = 1
        self.profile.save()
        campaign = self.draft()
        # The sending tasks are not run: in a TestCase, on_commit callbacks are not.
        campaign_services.campaign_launch(acting_user=self.alice, campaign=campaign,
                                          content=CONTENT)
        return campaign

    def test_pause_resume_and_stop(self):
        campaign = self.launched()
        self.client.force_login(self.rita)
        self.client.post(self.org_url("awareness_campaign_pause", campaign.pk))
        campaign.refresh_from_db()
        self.assertEqual(campaign.status, Campaign.Status.PAUSED)
        self.client.post(self.org_url("awareness_campaign_resume", campaign.pk))
        campaign.refresh_from_db()
        self.assertEqual(campaign.status, Campaign.Status.SENDING)
        response = self.client.get(self.org_url("awareness_campaign_stop", campaign.pk))
        self.assertShows(response, "seront annulés pour de bon")
        self.client.post(self.org_url("awareness_campaign_stop", campaign.pk))
        campaign.refresh_from_db()
        self.assertEqual(campaign.status, Campaign.Status.STOPPED)
        self.assertTrue(AuditEntry.objects.filter(action="awareness.campaign_stopped").exists())

    def test_a_refused_transition_is_said(self):
        campaign = self.draft()
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_campaign_resume", campaign.pk),
                                    follow=True)
        self.assertShows(response, "Seule une campagne en pause reprend.")
        self.assertEqual(self.client.get(self.org_url("awareness_campaign_pause", campaign.pk))
                         .status_code, 405)

    def test_the_progress_fragment_polls_while_sending(self):
        campaign = self.launched()
        self.client.force_login(self.dora)
        response = self.client.get(self.org_url("awareness_campaign_progress", campaign.pk))
        self.assertContains(response, 'hx-trigger="every 5s"')
        self.assertShows(response, "En attente : 3")
        self.assertNotContains(response, "<html")


class CampaignAccessTests(CampaignTestCase):
    def urls(self, campaign):
        return [self.org_url("awareness_campaigns"), self.org_url("awareness_campaign_new"),
                self.org_url("awareness_staff_notice"),
                self.org_url("awareness_campaign", campaign.pk),
                self.org_url("awareness_campaign_edit", campaign.pk),
                self.org_url("awareness_campaign_progress", campaign.pk),
                self.org_url("awareness_campaign_launch", campaign.pk),
                self.org_url("awareness_campaign_stop", campaign.pk)]

    def test_the_anonymous_visitor_goes_to_sign_in(self):
        for url in self.urls(self.draft()):
            self.assertEqual(self.client.get(url).status_code, 302, url)

    def test_the_outsider_gets_404(self):
        campaign = self.draft()
        self.client.force_login(self.oscar)
        for url in [*self.urls(campaign), self.org_url("awareness_campaign_pause", campaign.pk)]:
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_the_collaborator_gets_403(self):
        self.client.force_login(self.colin)
        for url in self.urls(self.draft()):
            self.assertEqual(self.client.get(url).status_code, 403, url)

    def test_the_readers_read_but_do_not_write(self):
        campaign = self.draft()
        for user in (self.aude, self.dora):
            self.client.force_login(user)
            response = self.client.get(self.org_url("awareness_campaign", campaign.pk))
            self.assertShows(response, "Fausse facture")
            self.assertContains(response, 'href="#apercu"')
            self.assertNotContains(response, 'style="')
            self.assertNotContains(response, self.org_url("awareness_campaign_launch",
                                                          campaign.pk))
            for name in ("awareness_campaign_launch", "awareness_campaign_pause",
                         "awareness_campaign_stop", "awareness_campaign_edit"):
                self.assertEqual(self.client.post(self.org_url(name, campaign.pk))
                                 .status_code, 403, name)
        campaign.refresh_from_db()
        self.assertEqual(campaign.status, Campaign.Status.DRAFT)

    def test_the_staff_notice(self):
        self.client.force_login(self.aude)
        response = self.client.get(self.org_url("awareness_staff_notice"))
        self.assertShows(response, "au moins 5 personnes")
        self.assertShows(response, "Aucune sanction")

    def test_the_list_costs_the_same_for_many_campaigns(self):
        self.client.force_login(self.alice)
        self.assertQueriesConstant(self.org_url("awareness_campaigns"), lambda i: (
            make_campaign(self.org, self.profile, self.people, number=i + 1,
                          name=f"C{i}")))
