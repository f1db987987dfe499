"""The phishing template library (awareness/library.py and library/*.yaml): every file
validates, a broken file is refused with its file and line, render() escapes what it puts
in the HTML, for_kind() filters."""

import dataclasses
import re
import tempfile
import unicodedata
from pathlib import Path

from django.test import SimpleTestCase

from pharmagarde.awareness import library
from pharmagarde.core.models import MEMBER_KINDS


def files():
    return sorted(library.LIBRARY_DIR.glob("*.yaml"))


VARIABLES = {"prenom": "Zoé", "nom": "Marchetti", "structure": "Pharmacie des Essais",
             "lien": "https://campagne.example/c/abc123", "pixel": "https://campagne.example/o/abc123.png"}


class LibraryFilesTestCase(SimpleTestCase):
    def test_every_file_validates_and_is_named_after_its_key(self):
        self.assertGreaterEqual(len(files()), 12)
        for path in files():
            with self.subTest(path.name):
                item = library.parse(path.read_text(encoding="utf-8"), path.name)
                self.assertEqual(item.key, path.stem)
        self.assertEqual(len(library.templates()), len(files()))

    def test_the_kinds_are_those_of_the_organisations(self):
        self.assertEqual(set(library.ORGANISATION_KINDS), set(MEMBER_KINDS))

    def test_the_themes_asked_for_are_all_there(self):
        keys = {item.key for item in library.templates()}
        self.assertLessEqual({
            "facture-grossiste", "assurance-maladie-remboursement", "cotisation-ordinale",
            "mise-a-jour-lgo", "avis-de-passage-colis", "fraude-president",
            "mssante-boite-pleine", "document-partage-ordonnances",
            "changement-rib-fournisseur", "bulletin-de-paie", "renouvellement-cps",
            "portail-resultats-laboratoire", "support-informatique-hopital"}, keys)
        self.assertEqual({item.difficulty for item in library.templates()}, {1, 2, 3})

    def test_sorted_by_difficulty_then_name(self):
        def plain(name):
            return "".join(c for c in unicodedata.normalize("NFKD", name)
                           if not unicodedata.combining(c)).casefold()

        items = library.templates()
        self.assertEqual(list(items),
                         sorted(items, key=lambda item: (item.difficulty, plain(item.name))))
        self.assertEqual(items[0].difficulty, 1)

    def test_every_clue_points_at_the_exact_words_of_the_email(self):
        for item in library.templates():
            with self.subTest(item.key):
                self.assertGreaterEqual(len(item.clues), 3)
                self.assertTrue(3 <= len(item.lesson) <= 5)
                self.assertIn(item.module, library.MODULES)
                subject, html, text = library.render(item, VARIABLES)
                visible = " ".join(re.sub(r"<[^>]+>", "", html).split())
                for clue in item.clues:
                    self.assertIn(clue.type, library.CLUE_TYPES)
                    self.assertTrue(clue.explanation)
                    if clue.location == "objet":
                        self.assertIn(clue.excerpt, " ".join(subject.split()))
                    elif clue.location == "expediteur":
                        self.assertIn(clue.excerpt,
                                      f"{item.sender_name} {item.sender_address}")
                    else:
                        self.assertIn(clue.excerpt, " ".join(text.split()))
                        self.assertIn(clue.excerpt, visible.replace("&#x27;", "'")
                                      .replace("&amp;", "&"))

    def test_rendered_emails_are_harmless(self):
        """Every link is the tracked link, the only image the pixel, no placeholder left,
        senders at reserved domains only."""
        for item in library.templates():
            with self.subTest(item.key):
                subject, html, text = library.render(item, VARIABLES)
                for part in (subject, html, text):
                    self.assertNotIn("{{", part)
                    self.assertNotIn("}}", part)
                self.assertEqual(set(re.findall(r'href="([^"]*)"', html)),
                                 {VARIABLES["lien"]})
                self.assertLessEqual(set(re.findall(r'src="([^"]*)"', html)),
                                     {VARIABLES["pixel"]})
                self.assertNotRegex(html.lower(), r"<script|<form|<iframe|javascript:")
                self.assertIn(VARIABLES["lien"], text)
                self.assertRegex(item.sender_address,
                                 r"@([a-z0-9-]+\.)*(example|example\.(com|org|net))$")

    def test_each_kind_has_its_templates_and_for_kind_filters(self):
        everything = library.templates()
        for kind in library.ORGANISATION_KINDS:
            with self.subTest(kind):
                suited = library.for_kind(kind)
                self.assertIsInstance(suited, tuple)
                self.assertGreaterEqual(len(suited), 6)
                self.assertTrue(all(kind in item.kinds for item in suited))
                self.assertEqual([item for item in everything if kind in item.kinds],
                                 list(suited))
        self.assertIn(library.template("portail-resultats-laboratoire"),
                      library.for_kind("lbm"))
        self.assertNotIn(library.template("portail-resultats-laboratoire"),
                         library.for_kind("officine"))
        self.assertIn(library.template("support-informatique-hopital"),
                      library.for_kind("pui"))
        self.assertNotIn(library.template("mise-a-jour-lgo"), library.for_kind("pui"))
        self.assertEqual(library.for_kind("hopital"), ())

    def test_template_by_key(self):
        item = library.template("cotisation-ordinale")
        self.assertEqual(item.sender_address,
                         "service-adherents@ordre-pharmaciens-cotisation.example")
        self.assertEqual(item.difficulty_label, "Moyen")
        self.assertEqual(item.form.fields, ("Numéro RPPS", "Mot de passe"))
        self.assertEqual(item.clues_in("expediteur")[0].type_label, "Expéditeur")
        self.assertTrue(item.has_pixel)
        with self.assertRaises(KeyError):
            library.template("inconnu")

    def test_dataclasses_are_frozen(self):
        item = library.template("fraude-president")
        with self.assertRaises(dataclasses.FrozenInstanceError):
            item.subject = "Autre"
        with self.assertRaises(dataclasses.FrozenInstanceError):
            item.clues[0].excerpt = "autre"
        self.assertIsNone(item.form)


class RenderTestCase(SimpleTestCase):
    def setUp(self):
        self.item = library.template("fraude-president")

    def test_variables_are_escaped_in_the_html_only(self):
        subject, html, text = library.render(self.item, {
            **VARIABLES, "prenom": '<b>Zoé</b> & "Cie"',
            "structure": "<script>alert(1)</script>",
            "lien": "https://campagne.example/c/x?a=1&b=2"})
        self.assertIn("&lt;b&gt;Zoé&lt;/b&gt; &amp; &quot;Cie&quot;", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertNotIn("<script>", html)
        self.assertIn('href="https://campagne.example/c/x?a=1&amp;b=2"', html)
        self.assertIn('<b>Zoé</b> & "Cie",', text)
        self.assertIn("https://campagne.example/c/x?a=1&b=2", text)

    def test_the_subject_stays_on_one_line(self):
        item = library.template("invitation-reseau-professionnel")
        subject, _, _ = library.render(item, {**VARIABLES, "prenom": "Zoé\r\nBcc: x@example.com"})
        self.assertNotIn("\n", subject)
        self.assertNotIn("\r", subject)
        self.assertTrue(subject.startswith("Zoé Bcc: x@example.com, "))

    def test_a_value_is_not_read_as_a_placeholder(self):
        _, html, text = library.render(self.item, {**VARIABLES, "prenom": "{{structure}}"})
        self.assertIn("{{structure}},", text)
        self.assertIn("Pharmacie des Essais est en train", text)

    def test_missing_values(self):
        _, html, text = library.render(self.item, {"lien": "https://campagne.example/c/1"})
        self.assertTrue(text.startswith(",\n"))  # no first name: left empty
        self.assertNotIn("<img", html)  # no pixel: a preview without tracking
        with self.assertRaises(KeyError):
            library.render(self.item, {"prenom": "Zoé"})
        with self.assertRaisesRegex(ValueError, "link"):
            library.render(self.item, {**VARIABLES, "link": "https://campagne.example/"})

    def test_the_pixel_is_the_only_image(self):
        _, html, _ = library.render(self.item, VARIABLES)
        self.assertEqual(re.findall(r"<img[^>]*>", html),
                         [f'<img src="{VARIABLES["pixel"]}" width="1" height="1" alt="">'])


GOOD = """\
cle: essai
nom: Un modèle d'essai
theme: Essai
difficulte: 1
types: [officine]
module: hameconnage
expediteur_nom: Service des essais
expediteur_adresse: essais@faux-service.example
objet: "Votre compte expire, {{prenom}}"
corps_html: |
  <div style="color: #222;">
    <p>Bonjour {{prenom}},</p>
    <p>Votre compte expire sous 24 heures.</p>
    <p><a href="{{lien}}">Prolonger mon compte</a></p>
    <img src="{{pixel}}" width="1" height="1" alt="">
  </div>
corps_texte: |
  Bonjour {{prenom}},

  Votre compte expire sous 24 heures.

  Prolonger mon compte : {{lien}}
indices:
  - type: urgence
    extrait: sous 24 heures
    explication: Un délai très court pour vous presser.
  - type: expediteur
    extrait: faux-service.example
    explication: Un domaine qui n'est pas celui du service.
lecon:
  - Première chose à retenir.
  - Deuxième chose à retenir.
  - Troisième chose à retenir.
"""
# Lines of GOOD: 10 corps_html, 11-16 its value (12: « Bonjour », 14: the link, 15: the
# pixel), 17 corps_texte, 18-22 its value (22: the link), 25 and 28: the extraits.


class BrokenFilesTestCase(SimpleTestCase):
    def assertRefused(self, text, message, line):
        with self.assertRaises(library.LibraryError) as raised:
            library.parse(text, "essai.yaml")
        self.assertIn(f"essai.yaml:{line} —", str(raised.exception))
        self.assertIn(message, str(raised.exception))

    def test_the_test_file_is_valid(self):
        item = library.parse(GOOD, "essai.yaml")
        self.assertEqual([clue.location for clue in item.clues], ["corps", "expediteur"])
        self.assertEqual(item.lesson[0], "Première chose à retenir.")

    def test_a_missing_field(self):
        self.assertRefused(GOOD.replace("module: hameconnage\n", ""),
                           "'module' is a required property", 1)

    def test_an_unknown_module_key(self):
        self.assertRefused(GOOD.replace("module: hameconnage", "module: phishing"),
                           "module : 'phishing' is not one of", 6)

    def test_an_unknown_kind_and_difficulty(self):
        self.assertRefused(GOOD.replace("types: [officine]", "types: [officine, hopital]"),
                           "types.1", 5)
        self.assertRefused(GOOD.replace("difficulte: 1", "difficulte: 4"), "difficulte", 4)

    def test_a_real_looking_sender_address(self):
        self.assertRefused(GOOD.replace("faux-service.example", "gmail.com"),
                           "expediteur_adresse", 8)

    def test_an_excerpt_that_is_not_in_the_email(self):
        self.assertRefused(GOOD.replace("extrait: sous 24 heures", "extrait: sous 48 heures"),
                           "l'extrait « sous 48 heures » n'est ni dans", 25)

    def test_an_excerpt_only_in_the_text_body(self):
        text = GOOD.replace("  Votre compte expire sous 24 heures.\n\n",
                            "  Votre compte expire sous 24 heures. Vite.\n\n")
        text = text.replace("extrait: sous 24 heures", "extrait: heures. Vite.")
        self.assertRefused(text, "pas dans le texte de corps_html", 25)

    def test_an_excerpt_may_span_a_line_break(self):
        text = GOOD.replace("expire sous 24 heures.\n\n", "expire sous 24\n  heures.\n\n")
        self.assertEqual(library.parse(text, "essai.yaml").clues[0].excerpt, "sous 24 heures")

    def test_an_unknown_placeholder(self):
        self.assertRefused(GOOD.replace("  Bonjour {{prenom}},\n\n", "  Bonjour {{civilite}},\n\n"),
                           "{{civilite}} n'est pas une variable connue", 18)
        self.assertRefused(GOOD.replace("<p>Bonjour {{prenom}}", "<p>Bonjour {{ prenom }}"),
                           "{{ prenom }} n'est pas une variable connue", 12)
        self.assertRefused(GOOD.replace("<p>Bonjour {{prenom}}", "<p>Bonjour {{prenom"),
                           "n'est pas fermé", 12)

    def test_a_placeholder_out_of_its_place(self):
        self.assertRefused(GOOD.replace('objet: "Votre compte expire, {{prenom}}"',
                                        'objet: "Votre compte expire {{lien}}"'),
                           "objet : {{lien}} n'a pas sa place ici", 9)
        self.assertRefused(GOOD.replace("Prolonger mon compte : {{lien}}",
                                        "Prolonger mon compte : {{pixel}}"),
                           "corps_texte : {{pixel}} n'a pas sa place ici", 22)
        self.assertRefused(GOOD.replace("<p>Bonjour {{prenom}},</p>",
                                        "<p>Bonjour {{lien}},</p>"),
                           "ne vont que dans href et src", 12)
        self.assertRefused(GOOD.replace('<a href="{{lien}}">', '<a href="#" title="{{lien}}">'),
                           "le lien « # » doit être exactement {{lien}}", 14)

    def test_a_script_in_the_html(self):
        self.assertRefused(GOOD.replace("<p>Bonjour {{prenom}},</p>",
                                        "<p>Bonjour {{prenom}},</p><script>alert(1)</script>"),
                           "la balise <script> est interdite", 12)

    def test_a_form_in_the_html(self):
        self.assertRefused(GOOD.replace('<p><a href="{{lien}}">',
                                        '<form><input name="mdp"></form><p><a href="{{lien}}">'),
                           "la balise <form> est interdite", 14)

    def test_an_event_handler_a_style_block_or_a_comment(self):
        self.assertRefused(GOOD.replace('<div style="color: #222;">',
                                        '<div onmouseover="alert(1)">'),
                           "l'attribut « onmouseover » (un script) est interdit", 11)
        self.assertRefused(GOOD.replace("<p>Bonjour", "<style>p {}</style><p>Bonjour"),
                           "la balise <style> est interdite", 12)
        hidden = "<!--[if mso]><script></script><![endif]--><p>Bonjour"
        self.assertRefused(GOOD.replace("<p>Bonjour", hidden), "pas de commentaire", 12)

    def test_a_link_that_is_not_the_tracked_link(self):
        self.assertRefused(GOOD.replace('<a href="{{lien}}">Prolonger',
                                        '<a href="https://compte.example/">Prolonger'),
                           "le lien « https://compte.example/ » doit être exactement {{lien}}",
                           14)
        self.assertRefused(GOOD.replace("<p>Bonjour {{prenom}},</p>",
                                        "<p>Bonjour {{prenom}}, voir https://compte.example/</p>"),
                           "pas d'adresse web écrite en clair", 12)
        self.assertRefused(GOOD.replace("Prolonger mon compte : {{lien}}",
                                        "Prolonger mon compte : {{lien}} ou http://x.example/"),
                           "corps_texte : pas d'adresse web", 22)

    def test_an_external_image(self):
        self.assertRefused(GOOD.replace('<img src="{{pixel}}"',
                                        '<img src="https://images.example/logo.png"'),
                           "la seule image permise", 15)
        self.assertRefused(GOOD.replace('<div style="color: #222;">',
                                        '<div style="background: url(logo.png)">'),
                           "un style ne charge rien", 11)

    def test_an_email_without_the_tracked_link(self):
        self.assertRefused(GOOD.replace('<p><a href="{{lien}}">Prolonger mon compte</a></p>',
                                        "<p>Prolonger mon compte</p>"),
                           "il faut au moins un lien", 10)
        self.assertRefused(GOOD.replace("Prolonger mon compte : {{lien}}",
                                        "Prolonger mon compte"),
                           "il faut le lien suivi {{lien}}", 17)

    def test_unreadable_yaml_names_its_line(self):
        self.assertRefused(GOOD.replace("theme: Essai", "theme: [Essai"), "YAML illisible", 4)

    def test_the_key_must_be_the_file_name(self):
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "autre.yaml").write_text(GOOD, encoding="utf-8")
            with self.assertRaisesRegex(library.LibraryError, "autre.yaml:1 — "):
                library.templates(Path(folder))
            (Path(folder) / "autre.yaml").rename(Path(folder) / "essai.yaml")
            self.assertEqual([item.key for item in library.templates(Path(folder))],
                             ["essai"])
