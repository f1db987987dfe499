"""Mail-scanner hits, one rule at a time (scanners.classify), then through the tracked link:
recorded with their reason, counted in scanner_hits, raising nothing."""

import datetime
from types import SimpleNamespace

from django.test import SimpleTestCase, override_settings
from django.utils import timezone

from pharmagarde.awareness import scanners
from pharmagarde.awareness.models import Event, Recipient

from .base import make_people
from .test_tracking import BROWSER, TrackingBase, tracked_path

NOW = datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC)
AN_HOUR_AGO = NOW - datetime.timedelta(hours=1)


def classify(method="GET", user_agent=BROWSER, client_ip="198.51.100.7", sent_at=AN_HOUR_AGO,
             settings=None):
    return scanners.classify(method=method, user_agent=user_agent, client_ip=client_ip,
                             sent_at=sent_at, now=NOW,
                             settings=settings or SimpleNamespace())


class ClassifyTestCase(SimpleTestCase):
    def test_a_browser_an_hour_after_delivery_is_a_person(self):
        self.assertEqual(classify(), (False, ""))

    def test_before_the_message_was_sent(self):
        self.assertEqual(classify(sent_at=None), (True, "message pas encore envoyé"))

    def test_a_head_request(self):
        self.assertEqual(classify(method="HEAD")[1], "requête HEAD (pas un navigateur)")

    def test_no_user_agent(self):
        self.assertEqual(classify(user_agent="  "), (True, "aucun navigateur déclaré"))

    def test_known_agents(self):
        for agent in ("python-requests/2.32", "curl/8.5.0", "Go-http-client/1.1",
                      "Barracuda Sentinel", "Proofpoint URL Defense",
                      "Mozilla/5.0 (compatible; Mimecast)", "Microsoft Office Protection",
                      "Safe Links checker", "Mozilla/5.0 (compatible; Googlebot/2.1)",
                      "Mozilla/5.0 (compatible; bingbot/2.0)"):
            is_scanner, reason = classify(user_agent=agent)
            self.assertTrue(is_scanner, agent)
            self.assertTrue(reason.startswith("outil automatique connu"), reason)

    def test_the_networks_of_the_setting(self):
        settings = SimpleNamespace(AWARENESS_SCANNER_NETWORKS=["not a range", "198.51.100.0/24",
                                                               "2001:db8::/32"])
        self.assertTrue(classify(settings=settings)[0])
        self.assertTrue(classify(client_ip="2001:db8:5::1", settings=settings)[0])
        self.assertTrue(classify(client_ip="::ffff:198.51.100.9", settings=settings)[0])
        self.assertFalse(classify(client_ip="203.0.113.1", settings=settings)[0])
        # Empty by default.
        self.assertFalse(classify(client_ip="198.51.100.7")[0])

    def test_seconds_after_delivery(self):
        sent = NOW - datetime.timedelta(seconds=4)
        self.assertEqual(classify(sent_at=sent),
                         (True, "moins de 10 secondes après l'envoi"))
        self.assertFalse(classify(sent_at=sent,
                                  settings=SimpleNamespace(AWARENESS_SCANNER_SECONDS=3))[0])
        self.assertFalse(classify(sent_at=NOW - datetime.timedelta(seconds=11))[0])

    def test_addresses_are_truncated(self):
        self.assertEqual(scanners.truncated("192.0.2.201"), "192.0.2.0/24")
        self.assertEqual(scanners.truncated("2001:db8:1:2:3::4"), "2001:db8:1::/48")
        self.assertEqual(scanners.truncated("::ffff:192.0.2.201"), "192.0.2.0/24")
        self.assertEqual(scanners.truncated("n'importe quoi"), "")
        self.assertEqual(scanners.truncated(None), "")


class ScannerHitsTestCase(TrackingBase):
    def hit(self, **extra):
        campaign, messages = self.launch(make_people(self.org, 1))
        self.client.get(tracked_path(messages[0]), **extra)
        recipient = Recipient.objects.get(campaign=campaign)
        return recipient, Event.objects.get(recipient=recipient, kind=Event.Kind.CLICKED)

    def assertScanner(self, recipient, event, reason):
        self.assertEqual((recipient.result, recipient.clicked_at, recipient.scanner_hits),
                         (Recipient.Result.NONE, None, 1))
        self.assertTrue(event.scanner)
        self.assertEqual(event.scanner_reason, reason)

    def test_a_known_agent_is_recorded_apart(self):
        self.assertScanner(*self.hit(HTTP_USER_AGENT="python-requests/2.32"),
                           "outil automatique connu (« python-requests »)")

    @override_settings(AWARENESS_SCANNER_NETWORKS=["192.0.2.0/24"])
    def test_a_filter_range_is_recorded_apart(self):
        self.assertScanner(*self.hit(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="192.0.2.80"),
                           "adresse d'un filtre de messagerie (réglage des plages connues)")

    def test_a_click_seconds_after_delivery_is_recorded_apart(self):
        campaign, messages = self.launch(make_people(self.org, 1))
        Recipient.objects.filter(campaign=campaign).update(sent_at=timezone.now())
        self.client.get(tracked_path(messages[0]), HTTP_USER_AGENT=BROWSER)
        recipient = Recipient.objects.get(campaign=campaign)
        self.assertScanner(recipient, Event.objects.get(kind=Event.Kind.CLICKED),
                           "moins de 10 secondes après l'envoi")

    def test_a_person_after_a_scanner_still_counts(self):
        campaign, messages = self.launch(make_people(self.org, 1))
        link = tracked_path(messages[0])
        self.client.head(link, HTTP_USER_AGENT=BROWSER)
        self.client.get(link, HTTP_USER_AGENT="curl/8.5.0")
        self.client.get(link, HTTP_USER_AGENT=BROWSER)
        recipient = Recipient.objects.get(campaign=campaign)
        self.assertEqual((recipient.result, recipient.scanner_hits),
                         (Recipient.Result.CLICKED, 2))
