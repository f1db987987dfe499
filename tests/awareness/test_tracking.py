"""The public tracking addresses with a real campaign sent through a real SMTP server: the
link found in the received e-mail leads to the teaching page (the e-mail as received, its
clues highlighted, links disabled, nothing from elsewhere), the pixel, the second step, the
fake form that never stores what is typed, the report, unknown tokens, statuses that only
move upward, and a cost per hit that does not grow with the campaign or the number of
campaigns."""

import datetime
import re

from django.db import connection
from django.db.models import CharField, TextField
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pharmagarde.awareness import campaign_services
from pharmagarde.awareness.models import Campaign, Event, Recipient
from tests.base import BaseTestCase
from tests.smtp import SMTPTestMixin

from .base import CONTENT, make_campaign, make_people, make_profile

BROWSER = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 "
           "Firefox/133.0")
SECRET = "Secret-Officine-Typed-9371"
TEACH_CONTENT = {
    **CONTENT,
    "subject": "URGENT : facture impayée de {{structure}}",
    "html": '<p>Bonjour {{prenom}},</p><p>Votre compte sera <b>suspendu sous 24 h</b>.</p>'
            '<p><a href="{{lien}}">Régler la facture</a></p><img src="{{pixel}}" alt="">',
    "clues": [
        {"type": "urgence", "excerpt": "URGENT", "location": "objet",
         "explanation": "Un vrai fournisseur ne crie pas dans l'objet de ses factures."},
        {"type": "expediteur", "excerpt": "grossiste-exemple.example",
         "location": "expediteur",
         "explanation": "Le domaine ne correspond pas à celui de votre grossiste."},
        {"type": "urgence", "excerpt": "suspendu sous 24 h", "location": "corps",
         "explanation": "Une menace à court délai pousse à agir sans réfléchir."},
    ],
    "form": {"title": "Espace client du grossiste", "fields": ["Identifiant",
                                                               "Mot de passe"]},
    "lesson": ["Vérifiez l'adresse de l'expéditeur avant tout clic.",
               "Une urgence inhabituelle est un signal d'alerte."],
}


def tracked_path(message) -> str:
    """The tracked link of a received message's HTML, as a path for the test client."""
    html = message.get_body(("html",)).get_content()
    return re.search(r'href="https?://[^/"]+(/p/[^"]+/)"', html).group(1)


def text_columns(*models) -> str:
    """Every text and JSON column of every row of `models`, joined."""
    found = []
    for model in models:
        names = [field.attname for field in model._meta.concrete_fields
                 if isinstance(field, (CharField, TextField))
                 or field.get_internal_type() == "JSONField"]
        for row in model.objects.values_list(*names):
            found.extend(str(value) for value in row)
    return "\n".join(found)


class TrackingBase(SMTPTestMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.profile = make_profile(self.org, self.smtp)

    def launch(self, people, content=TEACH_CONTENT, **fields):
        campaign = make_campaign(self.org, self.profile, people, **fields)
        with override_settings(AWARENESS_SENDERS=1), \
                self.captureOnCommitCallbacks(execute=True):
            campaign_services.campaign_launch(acting_user=self.alice, campaign=campaign,
                                              content=content)
        messages = self.smtp.wait_for(len(people))
        # Read an hour later: no longer in the seconds after delivery a scanner shows in.
        Recipient.objects.filter(campaign=campaign).update(
            sent_at=timezone.now() - datetime.timedelta(hours=1))
        campaign.refresh_from_db()
        return campaign, messages

    def get(self, url, **extra):
        return self.client.get(url, HTTP_USER_AGENT=BROWSER, **extra)

    def post(self, url, data=None, **extra):
        return self.client.post(url, data or {}, HTTP_USER_AGENT=BROWSER, **extra)

    def recipient(self, campaign) -> Recipient:
        return Recipient.objects.get(campaign=campaign)


class TeachingPageTestCase(TrackingBase):
    def test_it_records_the_click_and_shows_the_teaching_page_at_the_same_address(self):
        campaign, messages = self.launch(make_people(self.org, 1))
        link = tracked_path(messages[0])
        response = self.get(link)
        self.assertShows(response, "C'était un exercice")
        recipient = self.recipient(campaign)
        self.assertEqual(recipient.result, Recipient.Result.CLICKED)
        self.assertIsNotNone(recipient.clicked_at)
        self.assertIsNotNone(recipient.opened_at)  # a click implies the message was opened
        self.assertEqual(list(Event.objects.filter(recipient=recipient).exclude(
            kind=Event.Kind.SENT).values_list("kind", "scanner")),
            [(Event.Kind.CLICKED, False)])
        # The e-mail as received, with this person's values and the clues highlighted.
        self.assertShows(response, "Bonjour Prénom0,")
        self.assertShows(response, '<mark id="indice-1-texte">URGENT</mark>')
        self.assertShows(response, "facture impayée de Pharmacie Alpha")
        self.assertShows(response, '<mark id="indice-2-texte">grossiste-exemple.example'
                                   '</mark>')
        self.assertShows(response, '<b><mark id="indice-3-texte">suspendu sous 24 h</mark>')
        self.assertShows(response, "Une menace à court délai pousse à agir sans réfléchir.")
        self.assertShows(response, "Vérifiez l&#x27;adresse de l&#x27;expéditeur avant tout "
                                   "clic.")
        # Links disabled, no pixel, nothing from elsewhere; only the second step's image.
        page = response.content.decode()
        self.assertNotIn(f'href="{link}"', page)
        self.assertNotIn("http://testserver", page)
        self.assertNotIn("o.gif", page)
        self.assertIn(f'src="{link}vu.gif"', page)
        self.assertIsNone(re.search(r'(src|href)="(https?:)?//', page))
        self.assertEqual(response["Referrer-Policy"], "no-referrer")
        self.assertIn("noindex", response["X-Robots-Tag"])
        self.assertIn("no-store", response["Cache-Control"])
        self.assertIn("default-src 'self'", response["Content-Security-Policy"])

    def test_a_head_request_gets_the_same_page_and_is_a_scanner(self):
        campaign, messages = self.launch(make_people(self.org, 1))
        response = self.client.head(tracked_path(messages[0]), HTTP_USER_AGENT=BROWSER)
        self.assertEqual(response.status_code, 200)
        recipient = self.recipient(campaign)
        self.assertEqual((recipient.result, recipient.scanner_hits), (0, 1))

    def test_the_values_are_escaped_and_a_custom_body_loads_nothing(self):
        person = make_people(self.org, 1)[0]
        person.first_name = "<script>alert(1)</script>"
        person.save()
        content = {**TEACH_CONTENT, "html": (
            '<p onclick="x()">Bonjour {{prenom}}</p><img src="https://pixel.example/t.png">'
            '<a href="https://ailleurs.example/">ici</a><a href="{{lien}}">là</a>'
            '<style>p{}</style>'
            '<script>alert(2)</script><table><tr><td colspan="2">cellule</td></tr></table>')}
        campaign, messages = self.launch([person], content=content)
        page = self.get(tracked_path(messages[0])).content.decode()
        self.assertIn("Bonjour &lt;script&gt;alert(1)&lt;/script&gt;", page)
        self.assertNotIn("alert(2)", page)
        self.assertNotIn("onclick", page)
        self.assertNotIn("ailleurs.example", page)
        self.assertNotIn("pixel.example", page)
        self.assertIn('<td colspan="2">cellule</td>', page)

    def test_a_text_only_message_is_shown_with_its_clues(self):
        content = {**TEACH_CONTENT, "html": "",
                   "text": "Bonjour {{prenom}},\n\nVotre compte sera suspendu sous 24 h.\n"
                           "Payez ici : {{lien}}\n"}
        campaign, messages = self.launch(make_people(self.org, 1), content=content)
        link = re.search(r"https?://[^/\s]+(/p/\S+/)", messages[0].get_body(
            ("plain",)).get_content()).group(1)
        response = self.get(link)
        self.assertShows(response, '<mark id="indice-3-texte">suspendu sous 24 h</mark>')
        self.assertNotIn(f'href="{link}"', response.content.decode())

    def test_without_a_module_to_follow_it_links_to_nothing(self):
        campaign, messages = self.launch(make_people(self.org, 1), enrol=False)
        response = self.get(tracked_path(messages[0]))
        self.assertNotIn("/formation/", response.content.decode())

    def test_with_enrolment_it_links_to_the_personal_training_link(self):
        try:
            from pharmagarde.awareness import training_services  # noqa: F401
        except ImportError:
            self.skipTest("training_services is not there yet")
        from pharmagarde.awareness.models import Assignment

        campaign, messages = self.launch(make_people(self.org, 1), enrol=True)
        response = self.get(tracked_path(messages[0]))
        assignment = Assignment.objects.get(campaign=campaign)
        self.assertShows(response, f'href="/formation/{assignment.token}/"')

    def test_a_scanner_is_not_enrolled(self):
        campaign, messages = self.launch(make_people(self.org, 1), enrol=True)
        from pharmagarde.awareness.models import Assignment

        response = self.client.get(tracked_path(messages[0]), HTTP_USER_AGENT="curl/8.5")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Assignment.objects.filter(campaign=campaign).exists())


class HitsTestCase(TrackingBase):
    def test_the_pixel_records_opened(self):
        campaign, messages = self.launch(make_people(self.org, 1))
        link = tracked_path(messages[0])
        html = messages[0].get_body(("html",)).get_content()
        self.assertIn(f"{link}o.gif", html)
        response = self.get(f"{link}o.gif")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/gif")
        self.assertTrue(response.content.startswith(b"GIF89a"))
        recipient = self.recipient(campaign)
        self.assertEqual(recipient.result, Recipient.Result.OPENED)
        self.assertIsNotNone(recipient.opened_at)

    def test_statuses_only_move_upward(self):
        campaign, messages = self.launch(make_people(self.org, 1), fake_form=True)
        link = tracked_path(messages[0])
        self.get(link)
        self.post(f"{link}connexion/")
        submitted_at = self.recipient(campaign).submitted_at
        clicked_at = self.recipient(campaign).clicked_at
        for hit in (link, f"{link}o.gif", f"{link}vu.gif"):
            self.get(hit)
        self.post(f"{link}connexion/")
        recipient = self.recipient(campaign)
        self.assertEqual(recipient.result, Recipient.Result.SUBMITTED)
        self.assertEqual((recipient.submitted_at, recipient.clicked_at),
                         (submitted_at, clicked_at))
        # Every hit is kept as an event all the same.
        self.assertEqual(Event.objects.filter(recipient=recipient).exclude(
            kind=Event.Kind.SENT).count(), 6)

    def test_the_second_step_confirms_a_click_taken_for_a_scanner(self):
        campaign, messages = self.launch(make_people(self.org, 1))
        link = tracked_path(messages[0])
        # Clicked in the seconds after delivery: taken for a scanner.
        Recipient.objects.filter(campaign=campaign).update(sent_at=timezone.now())
        self.get(link)
        self.assertEqual(self.recipient(campaign).result, Recipient.Result.NONE)
        Recipient.objects.filter(campaign=campaign).update(
            sent_at=timezone.now() - datetime.timedelta(minutes=1))
        response = self.get(f"{link}vu.gif")
        self.assertEqual(response["Content-Type"], "image/gif")
        recipient = self.recipient(campaign)
        self.assertEqual(recipient.result, Recipient.Result.CLICKED)
        self.assertTrue(Event.objects.filter(recipient=recipient,
                                             kind=Event.Kind.SECOND_STEP).exists())

    def test_a_report_is_a_good_outcome_kept_apart(self):
        campaign, messages = self.launch(make_people(self.org, 1))
        link = tracked_path(messages[0])
        html = messages[0].get_body(("html",)).get_content()
        self.get(f"{link}o.gif")
        response = self.get(f"{link}signaler/")
        self.assertShows(response, "Bravo, vous avez eu le bon réflexe")
        recipient = self.recipient(campaign)
        self.assertIsNotNone(recipient.reported_at)
        self.assertEqual(recipient.result, Recipient.Result.OPENED)
        first = recipient.reported_at
        self.assertEqual(self.post(f"{link}signaler/").status_code, 200)
        self.assertEqual(self.recipient(campaign).reported_at, first)
        self.assertEqual(Event.objects.filter(recipient=recipient,
                                              kind=Event.Kind.REPORTED).count(), 2)
        self.assertNotIn("signaler", html.replace(link, ""))  # sanity: one link in the mail

    def test_a_stopped_campaign_still_records_hits(self):
        campaign, messages = self.launch(make_people(self.org, 1))
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.STOPPED)
        self.assertShows(self.get(tracked_path(messages[0])), "C'était un exercice")
        self.assertEqual(self.recipient(campaign).result, Recipient.Result.CLICKED)

    def test_a_hit_before_the_message_was_sent_is_a_scanner(self):
        campaign, messages = self.launch(make_people(self.org, 1))
        Recipient.objects.filter(campaign=campaign).update(sent_at=None)
        self.get(tracked_path(messages[0]))
        recipient = self.recipient(campaign)
        self.assertEqual((recipient.result, recipient.scanner_hits), (0, 1))
        event = Event.objects.get(recipient=recipient, kind=Event.Kind.CLICKED)
        self.assertEqual(event.scanner_reason, "message pas encore envoyé")

    def test_the_client_address_is_kept_truncated(self):
        campaign, messages = self.launch(make_people(self.org, 1))
        self.get(tracked_path(messages[0]), REMOTE_ADDR="203.0.113.57")
        event = Event.objects.get(kind=Event.Kind.CLICKED)
        self.assertEqual(event.client, "203.0.113.0/24")
        self.assertEqual(event.user_agent, BROWSER)

    def test_unknown_tokens_get_a_plain_404_and_record_nothing(self):
        before = Event.objects.count()
        for url in ("/p/inconnu/", "/p/inconnu/o.gif", "/p/inconnu/vu.gif",
                    "/p/inconnu/signaler/", "/p/" + "x" * 80 + "/"):
            response = self.get(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertShows(response, "Ce lien n'existe pas ou n'est plus valable.",
                             status_code=404)
        self.assertEqual(self.post("/p/inconnu/connexion/").status_code, 404)
        self.assertEqual(Event.objects.count(), before)

    def test_wrong_methods_are_refused(self):
        campaign, messages = self.launch(make_people(self.org, 1))
        link = tracked_path(messages[0])
        self.assertEqual(self.get(f"{link}connexion/").status_code, 405)
        self.assertEqual(self.post(f"{link}o.gif").status_code, 405)
        self.assertEqual(self.post(link).status_code, 405)
        self.assertEqual(self.recipient(campaign).result, Recipient.Result.NONE)


class FakeFormTestCase(TrackingBase):
    def test_the_fake_page_has_fields_without_names_and_stores_nothing_typed(self):
        campaign, messages = self.launch(make_people(self.org, 1), fake_form=True)
        link = tracked_path(messages[0])
        response = self.get(link)
        self.assertShows(response, "<title>Espace client du grossiste</title>")
        self.assertShows(response, '<label for="champ-2">Mot de passe</label>')
        page = response.content.decode()
        inputs = re.findall(r"<input[^>]*>", page)
        self.assertEqual(len(inputs), 2)
        for tag in inputs:
            self.assertNotIn("name=", tag)
        self.assertIn('type="password"', inputs[1])
        self.assertIn(f'action="{link}connexion/"', page)
        self.assertNotIn("csrfmiddlewaretoken", page)
        self.assertEqual(self.recipient(campaign).result, Recipient.Result.CLICKED)
        # Whatever a client posts there, nothing of it is kept.
        client = self.client_class(enforce_csrf_checks=True)
        response = client.post(f"{link}connexion/", {"identifiant": "paul",
                                                      "password": SECRET},
                               HTTP_USER_AGENT=BROWSER)
        self.assertShows(response, "Ce que vous avez tapé n'a pas quitté votre navigateur")
        recipient = self.recipient(campaign)
        self.assertEqual(recipient.result, Recipient.Result.SUBMITTED)
        self.assertNotIn(SECRET, text_columns(Event, Recipient, Campaign))
        # A raw body, as a script would send it.
        client.generic("POST", f"{link}connexion/", f"password={SECRET}".encode(),
                       content_type="application/x-www-form-urlencoded",
                       HTTP_USER_AGENT=BROWSER)
        self.assertNotIn(SECRET, text_columns(Event, Recipient, Campaign))

    def test_without_the_option_the_click_goes_straight_to_the_teaching_page(self):
        campaign, messages = self.launch(make_people(self.org, 1), fake_form=False)
        response = self.get(tracked_path(messages[0]))
        self.assertShows(response, "C'était un exercice")
        self.assertNotIn("<input", response.content.decode().split("<footer")[0])


class CostTestCase(TrackingBase):
    """One lookup by token, one insert, one UPDATE: the same with 1 and 200 recipients,
    in 1 and 3 campaigns."""

    def make_rows(self, campaign, count, start=0):
        sent = timezone.now() - datetime.timedelta(hours=1)
        return Recipient.objects.bulk_create([
            Recipient(organisation=self.org, campaign=campaign, email=f"p{i}@alpha.example",
                      first_name=f"P{i}", send_at=sent, sent_at=sent,
                      delivery=Recipient.Delivery.SENT) for i in range(start, start + count)])

    def campaign(self, number):
        return Campaign.objects.create(organisation=self.org, number=number,
                                       name=f"C{number}", profile=self.profile,
                                       status=Campaign.Status.SENDING, enrol=False,
                                       fake_form=True, content=TEACH_CONTENT)

    def costs(self, token):
        found = {}
        for name, method, url in [("open", "get", "o.gif"), ("click", "get", ""),
                                  ("seen", "get", "vu.gif"), ("submit", "post", "connexion/"),
                                  ("report", "get", "signaler/")]:
            with CaptureQueriesContext(connection) as ctx:
                response = getattr(self, method)(f"/p/{token}/{url}")
            self.assertEqual(response.status_code, 200, name)
            # The statements that read or write rows; the transaction around the two
            # writes (SAVEPOINT/RELEASE in a test, BEGIN/COMMIT outside) is not one.
            found[name] = sum(1 for query in ctx.captured_queries
                              if not query["sql"].upper().startswith(
                                  ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT")))
        return found

    def test_the_cost_of_a_hit_does_not_grow(self):
        first = self.campaign(1)
        small = self.costs(self.make_rows(first, 1)[0].token)
        self.make_rows(first, 199, start=1)
        for number in (2, 3):
            self.make_rows(self.campaign(number), 200)
        target = Recipient.objects.filter(campaign=first).order_by("-pk")[0]
        large = self.costs(target.token)
        self.assertEqual(small, large)
        # The lookup, then the insert and the UPDATE: one statement on PostgreSQL (the
        # insert in a WITH), two on SQLite.
        writes = 1 if connection.vendor == "postgresql" else 2
        self.assertEqual(large["open"], 1 + writes, large)
        self.assertTrue(all(count <= 1 + writes for count in large.values()), large)
