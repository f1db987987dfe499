"""Phishing templates: the library list and one template's preview and clues, writing a
custom template (HTML cleaned, clues as lines, errors next to the field), the test send to
oneself through a real SMTP server, and who may do what."""

from django.utils.html import escape

from pharmagarde.awareness import library, template_services
from pharmagarde.awareness.models import CustomTemplate
from pharmagarde.core.models import AuditEntry
from tests.base import BaseTestCase
from tests.smtp import SMTPTestMixin, body_text

from .base import make_profile

KEY = "assurance-maladie-remboursement"
HTML = ('<p onclick="voler()">Bonjour {{prenom}},</p><p>Votre commande est bloquée sous '
        '24 heures.</p><p><a href="https://vrai-site.example/piege">Débloquer</a></p>'
        '<script>alert(1)</script><img src="{{pixel}}" alt="">')


def form_data(**fields):
    data = {"name": "Commande bloquée", "sender_name": "Service commandes",
            "sender_address": "commandes@grossiste.example",
            "subject": "{{structure}} : commande bloquée", "html": HTML, "text": "",
            "clues": "Urgence | sous 24 heures | Un fournisseur ne menace pas ainsi.\n\n"
                     "expediteur | grossiste.example | Ce n'est pas le domaine habituel.",
            "difficulty": "2", "module": "hameconnage", "form_title": "", "form_fields": "",
            "revision": ""}
    data.update(fields)
    return data


class CleaningTests(BaseTestCase):
    def test_it_keeps_common_tags_and_sends_every_link_to_the_tracked_one(self):
        html = template_services.clean_html(HTML + '<form action="x"><input></form>'
                                                   '<style>p{}</style><img src="http://x/y">')
        self.assertNotIn("script", html)
        self.assertNotIn("onclick", html)
        self.assertNotIn("vrai-site", html)
        self.assertNotIn("<form", html)
        self.assertNotIn("<style", html)
        self.assertNotIn("http://x", html)
        self.assertIn('<a href="{{lien}}">Débloquer</a>', html)
        self.assertIn('<img src="{{pixel}}" alt="">', html)

    def test_clue_lines_with_their_errors_numbered(self):
        self.assertEqual(template_services.parse_clues("Lien | ici | Un lien trompeur ici."),
                         [{"type": "lien", "extrait": "ici",
                           "explication": "Un lien trompeur ici."}])
        with self.assertRaises(Exception) as raised:
            template_services.parse_clues("lien | ici\n\nbizarre | a | b")
        self.assertIn("Ligne 1", str(raised.exception))
        self.assertIn("Ligne 3", str(raised.exception))


class TemplatePagesTests(BaseTestCase):
    def test_the_list_shows_the_library_for_the_kind_and_our_own(self):
        CustomTemplate.objects.create(organisation=self.org, name="Le nôtre", sender_name="X",
                                      sender_address="x@a.example", subject="S", html="<p>x</p>")
        self.client.force_login(self.aude)
        response = self.client.get(self.org_url("awareness_templates"))
        for item in library.for_kind("officine"):
            self.assertContains(response, self.org_url("awareness_template", item.key))
        self.assertShows(response, "Le nôtre")
        self.assertNotContains(response, self.org_url("awareness_customtemplate_new"))

    def test_a_library_template_shows_its_preview_and_clues(self):
        item = library.template(KEY)
        self.client.force_login(self.dora)
        response = self.client.get(self.org_url("awareness_template", KEY))
        self.assertContains(response, escape(item.clues[0].explanation))
        self.assertContains(response, "#apercu")
        self.assertNotContains(response, "{{lien}}")
        self.assertNotContains(response, "awareness_template_test")

    def test_an_unknown_key_is_404(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.org_url("awareness_template", "inconnu"))
                         .status_code, 404)

    def test_it_saves_a_custom_template_cleaned(self):
        self.client.force_login(self.rita)
        response = self.client.post(self.org_url("awareness_customtemplate_new"), form_data())
        template = CustomTemplate.objects.get(organisation=self.org)
        self.assertRedirects(response, self.org_url("awareness_customtemplate_edit",
                                                    template.pk))
        self.assertNotIn("script", template.html)
        self.assertIn("{{lien}}", template.text)
        self.assertEqual(template.clues[0]["type"], "urgence")
        self.assertTrue(AuditEntry.objects.filter(action="awareness.template_saved").exists())
        response = self.client.get(self.org_url("awareness_customtemplate_edit", template.pk))
        self.assertShows(response, "Urgence | sous 24 heures")
        self.assertShows(response, "Bonjour Camille")

    def test_bad_input_is_refused_next_to_the_field(self):
        self.client.force_login(self.alice)
        cases = [({"html": "<p>Pas de lien</p>"}, "Il faut au moins un lien"),
                 ({"subject": "Bonjour {{motdepasse}}"}, "{{motdepasse}}"),
                 ({"clues": "urgence | mots absents | explication"}, "mots absents"),
                 ({"clues": "nimporte | a | b"}, "Ligne 1"),
                 ({"text": "Pas de lien ici"}, "{{lien}}")]
        for fields, error in cases:
            response = self.client.post(self.org_url("awareness_customtemplate_new"),
                                        form_data(**fields))
            self.assertShows(response, error)
        self.assertFalse(CustomTemplate.objects.exists())

    def test_a_stale_revision_is_a_conflict(self):
        template = CustomTemplate.objects.create(
            organisation=self.org, name="A", sender_name="X", sender_address="x@a.example",
            subject="S", html="<p>x</p>", revision=2)
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_customtemplate_edit", template.pk),
                                    form_data(revision=1))
        self.assertShows(response, "a modifié ce modèle entre-temps")
        template.refresh_from_db()
        self.assertEqual(template.name, "A")


class TestSendTests(SMTPTestMixin, BaseTestCase):
    def test_it_sends_a_library_template_to_oneself(self):
        profile = make_profile(self.org, self.smtp)
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_template_test"),
                                    {"template": f"bibliotheque:{KEY}", "profile": profile.pk})
        self.assertRedirects(response, self.org_url("awareness_template", KEY))
        message = self.smtp.wait_for(1)[0]
        self.assertEqual(message["To"], "alice@alpha.example")
        self.assertTrue(message["Subject"].startswith("[TEST]"))
        self.assertNotIn("{{", body_text(message))
        self.assertNotIn("/p/", body_text(message))
        self.assertTrue(AuditEntry.objects.filter(action="awareness.test_sent").exists())

    def test_it_sends_a_custom_template(self):
        profile = make_profile(self.org, self.smtp)
        template = CustomTemplate.objects.create(
            organisation=self.org, name="A", sender_name="Service",
            sender_address="x@a.example", subject="Pour {{structure}}",
            html='<p><a href="{{lien}}">ici</a></p>', text="ici {{lien}}")
        self.client.force_login(self.rita)
        self.client.post(self.org_url("awareness_template_test"),
                         {"template": f"perso:{template.pk}", "profile": profile.pk})
        message = self.smtp.wait_for(1)[0]
        self.assertEqual(message["Subject"], "[TEST] Pour Pharmacie Alpha")

    def test_another_organisations_template_or_profile_is_refused(self):
        other = CustomTemplate.objects.create(
            organisation=self.other_org, name="B", sender_name="S",
            sender_address="x@b.example", subject="S", html="<p>x</p>")
        profile = make_profile(self.org, self.smtp)
        foreign_profile = make_profile(self.other_org, self.smtp)
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_template_test"),
                                    {"template": f"perso:{other.pk}", "profile": profile.pk})
        self.assertEqual(response.status_code, 404)
        self.client.post(self.org_url("awareness_template_test"),
                         {"template": f"bibliotheque:{KEY}", "profile": foreign_profile.pk})
        self.assertEqual(self.smtp.messages, [])


class TemplateAccessTests(BaseTestCase):
    def setUp(self):
        self.template = CustomTemplate.objects.create(
            organisation=self.org, name="A", sender_name="S", sender_address="x@a.example",
            subject="S", html="<p>x</p>")

    def urls(self):
        return [self.org_url("awareness_templates"), self.org_url("awareness_template", KEY),
                self.org_url("awareness_customtemplate_new"),
                self.org_url("awareness_customtemplate_edit", self.template.pk)]

    def test_the_anonymous_visitor_goes_to_sign_in(self):
        for url in self.urls():
            self.assertEqual(self.client.get(url).status_code, 302, url)

    def test_the_outsider_gets_404(self):
        self.client.force_login(self.oscar)
        for url in [*self.urls(), self.org_url("awareness_template_test")]:
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_the_collaborator_gets_403(self):
        self.client.force_login(self.colin)
        for url in self.urls():
            self.assertEqual(self.client.get(url).status_code, 403, url)

    def test_the_readers_do_not_write(self):
        for user in (self.aude, self.dora):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.org_url("awareness_customtemplate_new"))
                             .status_code, 403)
            self.assertEqual(self.client.post(self.org_url("awareness_template_test"),
                                              {"template": f"bibliotheque:{KEY}"})
                             .status_code, 403)
        self.client.force_login(self.aude)
        self.assertEqual(self.client.post(self.org_url("awareness_customtemplate_edit",
                                                       self.template.pk), form_data())
                         .status_code, 403)

    def test_the_list_costs_the_same_for_many_templates(self):
        self.client.force_login(self.alice)
        self.assertQueriesConstant(self.org_url("awareness_templates"), lambda i: (
            CustomTemplate.objects.create(organisation=self.org, name=f"M{i}", sender_name="S",
                                          sender_address="x@a.example", subject="S",
                                          html="<p>x</p>")))
