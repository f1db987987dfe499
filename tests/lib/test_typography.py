from unittest import TestCase

from pharmagarde.lib.typography import NBSP, NNBSP, french_spacing, french_spacing_html


class FrenchSpacingTestCase(TestCase):
    def test_it_puts_a_narrow_no_break_space_before_semicolon_question_and_exclamation(self):
        self.assertEqual(french_spacing("Oui ; non ? Vraiment !"),
                         f"Oui{NNBSP}; non{NNBSP}? Vraiment{NNBSP}!")

    def test_it_puts_a_no_break_space_before_a_colon(self):
        self.assertEqual(french_spacing("Pourquoi : parce que"), f"Pourquoi{NBSP}: parce que")

    def test_it_corrects_a_wrong_no_break_space(self):
        self.assertEqual(french_spacing(f"Wi-Fi{NBSP}? Note{NNBSP}: x"),
                         f"Wi-Fi{NNBSP}? Note{NBSP}: x")

    def test_it_spaces_the_inside_of_guillemets(self):
        self.assertEqual(french_spacing("« Enregistrer »"), f"«{NNBSP}Enregistrer{NNBSP}»")

    def test_it_inserts_the_space_guillemets_lack(self):
        self.assertEqual(french_spacing("cliquez sur «Enregistrer»."),
                         f"cliquez sur «{NNBSP}Enregistrer{NNBSP}».")

    def test_it_keeps_the_mark_before_a_closing_sign_or_a_doubled_mark(self):
        self.assertEqual(french_spacing("« Vraiment ?! »"), f"«{NNBSP}Vraiment{NNBSP}?!{NNBSP}»")
        self.assertEqual(french_spacing("(oui ?)"), f"(oui{NNBSP}?)")

    def test_it_leaves_a_mark_without_a_space_before_it(self):
        for text in ["Attention!", "Oui; non", "Note: rien", "Vraiment?"]:
            self.assertEqual(french_spacing(text), text)

    def test_it_leaves_times_and_ratios(self):
        for text in ["à 10:30 ou 14:00", "un rapport 1:2", "16:9"]:
            self.assertEqual(french_spacing(text), text)

    def test_it_leaves_urls(self):
        text = "Voir https://cyber.gouv.fr/guide?page=2&x=1 et www.ameli.fr/a:b"
        self.assertEqual(french_spacing(text), text)
        self.assertEqual(french_spacing("Sur http://exemple.fr/?q=1 ?"),
                         f"Sur http://exemple.fr/?q=1{NNBSP}?")

    def test_it_leaves_code(self):
        for text in ["`a ; b : c ?`", "a :: b", "std ::vector", "la requête ?q=1", "a !important"]:
            self.assertEqual(french_spacing(text), text)

    def test_it_leaves_a_line_break_before_a_mark(self):
        self.assertEqual(french_spacing("liste\n: un"), "liste\n: un")

    def test_it_is_idempotent(self):
        for text in ["Oui ; non ? « oui » : Vraiment !", "«»", "« »", "a ?! b", "x  :  y",
                     "http://a.fr ?", "10:30 ; 1:2"]:
            once = french_spacing(text)
            self.assertEqual(french_spacing(once), once, text)

    def test_it_leaves_text_without_marks(self):
        self.assertEqual(french_spacing(""), "")
        self.assertEqual(french_spacing("Rien à changer."), "Rien à changer.")


class FrenchSpacingHtmlTestCase(TestCase):
    def test_it_changes_the_text_and_never_the_tags(self):
        self.assertEqual(french_spacing_html('a ?<br><a title="x : y">b :</a>'),
                         f'a{NNBSP}?<br><a title="x : y">b{NBSP}:</a>')

    def test_it_leaves_code_and_textareas(self):
        html = "<code>a ; b</code> c ;<textarea>d ?</textarea>"
        self.assertEqual(french_spacing_html(html),
                         f"<code>a ; b</code> c{NNBSP};<textarea>d ?</textarea>")

    def test_it_leaves_entities_alone(self):
        self.assertEqual(french_spacing_html("l&#x27;officine &amp; vous ?"),
                         f"l&#x27;officine &amp; vous{NNBSP}?")
