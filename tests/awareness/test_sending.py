"""Sending a campaign through a real SMTP server (aiosmtpd): the schedule (rate, business
hours, weekdays, deadline), the targets (each address once, no one who has left), the
messages (each with its own link, the fake sender shown, the envelope of the profile),
refusals (a 550 is final, a 451 retried), pause, resume and stop, and a row whose lease was
taken over, which is never ended (the connection is dropped)."""

import datetime
import random
import zoneinfo

from django.test import TestCase
from django.utils import timezone

from pharmagarde.awareness import campaign_services, sending
from pharmagarde.awareness.models import Campaign, Event, Recipient
from pharmagarde.core.models import AuditEntry
from tests.base import BaseTestCase
from tests.smtp import SMTPServer

from .base import launch, make_campaign, make_people, make_profile

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


class ScheduleTestCase(TestCase):
    def test_one_slot_per_rate_step_from_the_start(self):
        slots = sending.schedule(4, start=at(2026, 12, 1, 10), rate_per_minute=30,
                                 window=sending.Window(), spread=False)
        self.assertEqual(slots, [at(2026, 12, 1, 10), at(2026, 12, 1, 10, 0, 2),
                                 at(2026, 12, 1, 10, 0, 4), at(2026, 12, 1, 10, 0, 6)])

    def test_no_limit_sends_all_at_once(self):
        slots = sending.schedule(3, start=at(2026, 12, 1, 10), rate_per_minute=0,
                                 window=sending.Window(), spread=True)
        self.assertEqual(set(slots), {at(2026, 12, 1, 10)})

    def test_the_business_hours_window_and_weekdays(self):
        window = sending.Window(datetime.time(9), datetime.time(12), frozenset(range(5)))
        # Friday 11:59: two slots a minute apart, the second on Monday 9:00.
        slots = sending.schedule(2, start=at(2026, 12, 4, 11, 59), rate_per_minute=1,
                                 window=window, spread=False)
        self.assertEqual(slots, [at(2026, 12, 4, 11, 59), at(2026, 12, 7, 9)])
        # Before the window opens: at the opening.
        slots = sending.schedule(1, start=at(2026, 12, 7, 6), rate_per_minute=1,
                                 window=window, spread=False)
        self.assertEqual(slots, [at(2026, 12, 7, 9)])

    def test_random_spacing_stays_inside_each_slot(self):
        slots = sending.schedule(50, start=at(2026, 12, 1, 10), rate_per_minute=6,
                                 window=sending.Window(), spread=True, rng=random.Random(4))
        for index, slot in enumerate(slots):
            low = at(2026, 12, 1, 10) + datetime.timedelta(seconds=10 * index)
            self.assertTrue(low <= slot < low + datetime.timedelta(seconds=10), index)
        self.assertGreater(len({slot.microsecond for slot in slots}), 1)


class SendingTestCase(BaseTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.smtp = SMTPServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.smtp.stop()
        super().tearDownClass()

    def setUp(self):
        self.smtp.clear()
        self.profile = make_profile(self.org, self.smtp)

    def test_each_person_receives_one_message_with_their_own_link(self):
        people = make_people(self.org, 5)
        campaign = make_campaign(self.org, self.profile, people)
        self.assertEqual(launch(self, self.alice, campaign), 5)
        messages = self.smtp.wait_for(5)
        self.assertEqual(sorted(m["To"] for m in messages),
                         sorted(p.email for p in people))
        recipients = {r.email: r for r in Recipient.objects.filter(campaign=campaign)}
        for message in messages:
            recipient = recipients[message["To"]]
            self.assertEqual(message["From"],
                             "Service facturation <facturation@grossiste-exemple.example>")
            self.assertEqual(message["Subject"], "Votre facture de Pharmacie Alpha")
            html = message.get_body(("html",)).get_content()
            text = message.get_body(("plain",)).get_content()
            self.assertIn(f"/p/{recipient.token}/", html)
            self.assertIn(f"/p/{recipient.token}/o.gif", html)
            self.assertIn(f"Bonjour {recipient.first_name}", text)
        self.assertEqual({e.mail_from for e in self.smtp.envelopes},
                         {"campagnes@alpha.example"})
        self.assertEqual(len({r.token for r in recipients.values()}), 5)
        self.assertTrue(all(len(r.token) >= 43 for r in recipients.values()))
        self.assertEqual(set(Recipient.objects.filter(campaign=campaign)
                             .values_list("delivery", flat=True)), {"envoye"})
        self.assertEqual(Event.objects.filter(campaign=campaign, kind="envoi").count(), 5)
        self.assertEqual(campaign.status, Campaign.Status.DONE)
        self.assertTrue(AuditEntry.objects.filter(action="awareness.campaign_launched",
                                                  organisation=self.org).exists())

    def test_values_are_escaped_in_the_html(self):
        person = make_people(self.org, 1)[0]
        person.first_name = "<b>Zoé</b>"
        person.save()
        launch(self, self.alice, make_campaign(self.org, self.profile, [person]))
        html = self.smtp.wait_for(1)[0].get_body(("html",)).get_content()
        self.assertIn("&lt;b&gt;Zoé&lt;/b&gt;", html)

    def test_targets_each_address_once_without_those_who_left(self):
        people = make_people(self.org, 3)
        twin = make_people(self.org, 1, start=10)[0]
        twin.email = people[0].email.upper()
        twin.save()
        gone = make_people(self.org, 1, start=20)[0]
        gone.departure_date = timezone.localdate() - datetime.timedelta(days=1)
        gone.save()
        no_address = make_people(self.org, 1, start=30)[0]
        no_address.email = ""
        no_address.save()
        campaign = make_campaign(self.org, self.profile, [*people, twin, gone, no_address],
                                 jobs=["Préparateur"])
        self.assertEqual(launch(self, self.alice, campaign), 3)

    def test_a_schedule_past_the_deadline_is_refused(self):
        people = make_people(self.org, 10)
        self.profile.rate_per_minute = 1
        self.profile.save()
        campaign = make_campaign(self.org, self.profile, people,
                                 send_by=timezone.now() + datetime.timedelta(minutes=5))
        with self.assertRaises(sending.ScheduleTooLong) as raised:
            campaign_services.campaign_launch(acting_user=self.alice, campaign=campaign,
                                              content={})
        self.assertIn("après la date limite", str(raised.exception))
        campaign.refresh_from_db()
        self.assertEqual(campaign.status, Campaign.Status.DRAFT)
        self.assertFalse(Recipient.objects.filter(campaign=campaign).exists())

    def test_nobody_to_reach_is_refused_in_french(self):
        campaign = make_campaign(self.org, self.profile, [])
        with self.assertRaisesMessage(campaign_services.CampaignError, "Aucune personne"):
            campaign_services.campaign_launch(acting_user=self.alice, campaign=campaign,
                                              content={})

    def test_a_refusal_is_final_and_a_temporary_error_is_retried(self):
        people = make_people(self.org, 2)
        with SMTPServer(reply="550 Boîte inconnue") as refusing:
            profile = make_profile(self.org, refusing)
            campaign = make_campaign(self.org, profile, people[:1])
            launch(self, self.alice, campaign)
            self.assertEqual(Recipient.objects.get(campaign=campaign).delivery, "echec")
            self.assertEqual(Event.objects.filter(campaign=campaign, kind="echec").count(), 1)
        with SMTPServer(reply="451 Réessayez plus tard") as busy:
            profile = make_profile(self.org, busy)
            campaign = make_campaign(self.org, profile, people[1:], number=2)
            launch(self, self.alice, campaign)
            row = Recipient.objects.get(campaign=campaign)
            self.assertEqual(row.delivery, "attente")
            self.assertGreater(row.send_at, timezone.now())
            self.assertIn("451", row.last_error)

    def test_pause_resume_and_stop(self):
        people = make_people(self.org, 4)
        self.profile.rate_per_minute = 1  # one a minute: the later ones wait
        self.profile.save()
        campaign = make_campaign(self.org, self.profile, people, spread=False)
        launch(self, self.alice, campaign)
        self.assertEqual(len(self.smtp.wait_for(1)), 1)
        campaign_services.campaign_pause(acting_user=self.alice, campaign=campaign)
        # Due now, but paused: nothing is claimed.
        Recipient.objects.filter(campaign=campaign, delivery="attente").update(
            send_at=timezone.now() - datetime.timedelta(seconds=1))
        self.assertEqual(sending.run(campaign.pk, max_wait=0), 0)
        waiting = Recipient.objects.filter(campaign=campaign, delivery="attente")
        before = list(waiting.order_by("pk").values_list("send_at", flat=True))
        Campaign.objects.filter(pk=campaign.pk).update(
            paused_at=timezone.now() - datetime.timedelta(minutes=10))
        with self.captureOnCommitCallbacks(execute=True):
            campaign_services.campaign_resume(acting_user=self.alice, campaign=campaign)
        after = list(waiting.order_by("pk").values_list("send_at", flat=True))
        self.assertTrue(all(a - b >= datetime.timedelta(minutes=10)
                            for a, b in zip(after, before, strict=True)))
        self.assertEqual(campaign_services.campaign_stop(acting_user=self.alice,
                                                         campaign=campaign), 3)
        self.assertEqual(sending.run(campaign.pk, max_wait=0), 0)
        self.assertEqual(len(self.smtp.messages), 1)
        with self.assertRaises(campaign_services.CampaignError):
            campaign_services.campaign_resume(acting_user=self.alice, campaign=campaign)

    def test_a_row_taken_over_is_never_ended_by_the_first_worker(self):
        people = make_people(self.org, 2)
        campaign = make_campaign(self.org, self.profile, people)
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENDING)
        Recipient.objects.bulk_create([
            Recipient(organisation=self.org, campaign=campaign, person=p, email=p.email,
                      send_at=timezone.now()) for p in people])
        campaign.refresh_from_db()
        claim_id, rows = sending.claim(campaign.pk, "premier", timezone.now())
        self.assertEqual(len(rows), 2)
        # Its lease ended and another worker claimed the first row meanwhile.
        Recipient.objects.filter(pk=rows[0].pk).update(claimed_by="second:x")
        self.assertEqual(sending.send_batch(campaign, rows, claim_id), 1)
        self.assertEqual([m["To"] for m in self.smtp.wait_for(1)], [rows[1].email])
        self.assertEqual(Recipient.objects.get(pk=rows[0].pk).delivery, "envoi")

    def test_an_unreachable_server_gives_the_rows_back(self):
        people = make_people(self.org, 2)
        self.profile.port = 1  # nothing listens there
        self.profile.save()
        campaign = make_campaign(self.org, self.profile, people)
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENDING)
        Recipient.objects.bulk_create([
            Recipient(organisation=self.org, campaign=campaign, person=p, email=p.email,
                      send_at=timezone.now()) for p in people])
        campaign.refresh_from_db()
        claim_id, rows = sending.claim(campaign.pk, "w", timezone.now())
        with self.assertRaises(OSError):
            sending.send_batch(campaign, rows, claim_id)
        self.assertEqual(set(Recipient.objects.filter(campaign=campaign)
                             .values_list("delivery", flat=True)), {"attente"})


class PreparedMessageTestCase(BaseTestCase):
    """The campaign's message made once and filled per person gives the same e-mail as
    building it from scratch, values escaped in the HTML; a line too long for 8 bits
    falls back to the full build."""

    def recipient(self):
        return Recipient(pk=7, organisation_id=self.org.pk, campaign_id=3,
                         email="zoe@alpha.example", first_name="Zoé <b>",
                         last_name="L'Hôte", token="t" * 43, send_at=timezone.now())

    def parsed(self, data):
        import email
        import email.policy

        return email.message_from_bytes(data, policy=email.policy.default)

    def test_filled_bytes_match_the_full_build(self):
        from email.policy import SMTP

        from .base import CONTENT

        campaign = Campaign(pk=3, content={**CONTENT, "subject": "Facture {{prenom}} {{nom}}"})
        recipient = self.recipient()
        prepared = sending.prepare(campaign, "envoi@alpha.example")
        self.assertTrue(prepared.eight_bit)
        fast = self.parsed(prepared.render(campaign, recipient, "Pharmacie Alpha",
                                           "envoi@alpha.example"))
        slow = self.parsed(sending.message_for(campaign, recipient, "Pharmacie Alpha",
                                               "envoi@alpha.example").as_bytes(policy=SMTP))
        for header in ("From", "To", "Subject"):
            self.assertEqual(fast[header], slow[header], header)
        self.assertEqual(fast["Subject"], "Facture Zoé <b> L'Hôte")
        for kind in ("plain", "html"):
            self.assertEqual(fast.get_body((kind,)).get_content(),
                             slow.get_body((kind,)).get_content(), kind)
        html = fast.get_body(("html",)).get_content()
        self.assertIn("Bonjour Zoé &lt;b&gt;", html)
        self.assertIn("/p/" + "t" * 43 + "/", html)
        self.assertNotIn("{{", html + fast.get_body(("plain",)).get_content())

    def test_a_line_too_long_for_8_bits_uses_the_full_build(self):
        campaign = Campaign(pk=3, content={"subject": "S", "html": "<p>" + "x" * 1200 + "</p>",
                                           "text": "Voir {{lien}}"})
        prepared = sending.prepare(campaign, "envoi@alpha.example")
        self.assertFalse(prepared.eight_bit)
        message = self.parsed(prepared.render(campaign, self.recipient(), "Pharmacie Alpha",
                                              "envoi@alpha.example"))
        self.assertIn("x" * 1200, message.get_body(("html",)).get_content())
