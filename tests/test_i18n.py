"""French by default, English on request; the English catalogue is complete and compiled.

The catalogue tests look only at the entries already in the .po: strings added to the code
since the last `makemessages` are not checked here (they fall back to French).
"""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import translation

from tests.base import BaseTestCase

LOCALE_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%")


def parse_po(path):
    """The entries of a .po file: dicts with flags, msgctxt, msgid, msgid_plural, msgstr.

    msgstr is a string, or a dict {index: string} for plural entries. Obsolete entries
    (#~) are skipped. Enough for the files makemessages writes; not a general parser.
    """
    entries, entry, field = [], None, None

    def new_entry():
        return {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None,
                "msgstr": None}

    def flush():
        nonlocal entry
        if entry is not None and entry["msgid"] is not None:
            entries.append(entry)
        entry = None

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#~"):
            if not line:
                flush()
            continue
        if line.startswith("#"):
            if entry is not None and entry["msgid"] is not None:
                flush()
            entry = entry or new_entry()
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
        if match:
            keyword, index, value = match.group(1), match.group(2), ast.literal_eval(match.group(3))
            starts_entry = keyword in ("msgctxt", "msgid")
            if starts_entry and entry is not None and entry["msgstr"] is not None:
                flush()
            entry = entry or new_entry()
            if index is not None:
                if not isinstance(entry["msgstr"], dict):
                    entry["msgstr"] = {}
                entry["msgstr"][int(index)] = value
                field = ("msgstr", int(index))
            else:
                entry[keyword] = value
                field = (keyword, None)
        elif line.startswith('"') and entry is not None and field is not None:
            value = ast.literal_eval(line)
            keyword, index = field
            if index is None:
                entry[keyword] += value
            else:
                entry["msgstr"][index] += value
        else:
            raise ValueError(f"Unexpected line in {path.name}: {line!r}")
    flush()
    return entries


def translations(entry):
    msgstr = entry["msgstr"]
    return list(msgstr.values()) if isinstance(msgstr, dict) else [msgstr]


def label(entry):
    return repr(entry["msgid"][:80])


class CatalogueTestCase(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.entries = parse_po(PO_FILE)
        cls.header = next(e for e in cls.entries if e["msgid"] == "")
        cls.messages = [e for e in cls.entries if e["msgid"] != ""]

    def test_it_has_an_english_header(self):
        header = self.header["msgstr"]
        self.assertIn("Language: en\n", header)
        self.assertIn("Plural-Forms: nplurals=2; plural=(n != 1);\n", header)
        self.assertIn("charset=UTF-8", header)
        self.assertNotIn("fuzzy", self.header["flags"])

    def test_it_has_messages(self):
        self.assertGreater(len(self.messages), 100)

    def test_it_has_no_untranslated_entry(self):
        untranslated = [label(e) for e in self.messages if not all(translations(e))]
        self.assertEqual(untranslated, [], "untranslated entries in django.po")

    def test_it_has_no_fuzzy_entry(self):
        fuzzy = [label(e) for e in self.messages if "fuzzy" in e["flags"]]
        self.assertEqual(fuzzy, [], "fuzzy entries in django.po")

    def test_it_gives_two_forms_to_every_plural_entry(self):
        wrong = [label(e) for e in self.messages
                 if e["msgid_plural"] is not None and sorted(e["msgstr"]) != [0, 1]]
        self.assertEqual(wrong, [])

    def test_it_keeps_the_placeholders_of_every_formatted_entry(self):
        wrong = []
        for entry in self.messages:
            if "python-format" not in entry["flags"]:
                continue
            expected = sorted(PLACEHOLDER.findall(entry["msgid_plural"] or entry["msgid"]))
            for text in translations(entry):
                found = sorted(PLACEHOLDER.findall(text))
                # An English singular may spell out the number ("the other action").
                if found != expected and not set(found) <= set(expected):
                    wrong.append(label(entry))
        self.assertEqual(wrong, [])

    def test_it_keeps_the_html_of_every_entry(self):
        tag = re.compile(r"</?\w+[^>]*>")
        wrong = [label(e) for e in self.messages
                 if any(sorted(tag.findall(t)) != sorted(tag.findall(e["msgid"]))
                        for t in translations(e))]
        self.assertEqual(wrong, [])

    def test_it_compiled_every_entry_of_the_po_file(self):
        with MO_FILE.open("rb") as mo:
            compiled = gettext.GNUTranslations(mo)
        stale = []
        for entry in self.messages:
            context, msgid, plural = entry["msgctxt"], entry["msgid"], entry["msgid_plural"]
            if plural is None:
                got = (compiled.pgettext(context, msgid) if context is not None
                       else compiled.gettext(msgid))
                if got != entry["msgstr"]:
                    stale.append(label(entry))
            else:
                got = [compiled.npgettext(context, msgid, plural, n) if context is not None
                       else compiled.ngettext(msgid, plural, n) for n in (1, 2)]
                if got != [entry["msgstr"][0], entry["msgstr"][1]]:
                    stale.append(label(entry))
        self.assertEqual(stale, [], "django.mo is older than django.po: run compilemessages")

    def test_it_translates_through_django(self):
        with translation.override("en"):
            self.assertEqual(translation.gettext("Tableau de bord"), "Dashboard")
            self.assertEqual(translation.gettext("Je ne sais pas"), "I don't know")
        with translation.override("fr"):
            self.assertEqual(translation.gettext("Tableau de bord"), "Tableau de bord")


class LanguageTestCase(BaseTestCase):
    def setUp(self):
        self.login_url = reverse("account_login")
        self.dashboard_url = self.org_url("dashboard")

    def switch_to(self, language):
        response = self.client.post(reverse("set_language"),
                                    {"language": language, "next": self.dashboard_url})
        self.assertRedirects(response, self.dashboard_url, fetch_redirect_response=False)

    def test_it_shows_the_sign_in_page_in_french_by_default(self):
        response = self.client.get(self.login_url)
        self.assertContains(response, '<html lang="fr">')
        self.assertContains(response, "Se connecter")
        self.assertNotContains(response, "Sign in")

    def test_it_shows_the_dashboard_in_french_by_default(self):
        self.client.force_login(self.owner)
        response = self.client.get(self.dashboard_url)
        self.assertContains(response, '<html lang="fr">')
        self.assertContains(response, "Tableau de bord")
        self.assertContains(response, "Membres et accès")
        self.assertContains(response, "Se déconnecter")

    def test_it_stays_in_french_for_an_english_browser(self):
        # French first: the browser's language does not decide, the user's choice does.
        response = self.client.get(self.login_url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
        self.assertContains(response, '<html lang="fr">')
        self.assertContains(response, "Se connecter")

    def test_it_shows_the_sign_in_page_in_english_once_chosen(self):
        self.switch_to("en")
        response = self.client.get(self.login_url)
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "Sign in")
        self.assertNotContains(response, "Se connecter")

    def test_it_switches_a_signed_in_user_to_english(self):
        self.client.force_login(self.owner)
        self.switch_to("en")
        response = self.client.get(self.dashboard_url)
        self.assertContains(response, '<html lang="en">')
        for text in ["Dashboard", "Assessment", "Action plan", "Staff", "Members and access",
                     "Organisation details", "Audit log", "Sign out", "Manage access"]:
            self.assertContains(response, text)
        for text in ["Tableau de bord", "Membres et accès", "Se déconnecter"]:
            self.assertNotContains(response, text)

    def test_it_keeps_the_chosen_language_on_other_pages(self):
        self.client.force_login(self.owner)
        self.switch_to("en")
        response = self.client.get(self.org_url("person_list"))
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "Staff")

    def test_it_switches_back_to_french(self):
        self.client.force_login(self.owner)
        self.switch_to("en")
        self.switch_to("fr")
        response = self.client.get(self.dashboard_url)
        self.assertContains(response, '<html lang="fr">')
        self.assertContains(response, "Tableau de bord")

    def test_it_offers_both_languages_in_the_footer(self):
        response = self.client.get(self.login_url)
        self.assertContains(response, f'action="{reverse("set_language")}"')
        self.assertContains(response, '<option value="fr" lang="fr" selected>Français</option>',
                            html=True)
        self.assertContains(response, '<option value="en" lang="en">English</option>', html=True)
