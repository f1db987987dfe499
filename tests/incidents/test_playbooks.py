"""The playbooks (data) and their printable reflex sheets."""

from django.test import SimpleTestCase
from django.utils import timezone

from pharmagarde.incidents import playbooks
from pharmagarde.incidents.models import EmergencyContact, Incident, ReflexStep
from tests.base import BaseTestCase

ORGANISATION_KINDS = playbooks.ORGANISATION_KINDS


def files():
    return sorted(playbooks.PLAYBOOKS_DIR.glob("*.yaml"))


class PlaybookFilesTestCase(SimpleTestCase):
    def test_every_file_validates_and_is_named_after_its_kind(self):
        for path in files():
            with self.subTest(path.name):
                book = playbooks.parse(path.read_text(encoding="utf-8"), path.name)
                self.assertEqual(book.kind, path.stem)

    def test_each_kind_of_incident_has_its_playbook(self):
        self.assertEqual(set(playbooks.playbooks()), set(Incident.Kind.values))
        self.assertEqual({path.stem for path in files()}, set(Incident.Kind.values))

    def test_each_organisation_kind_gets_five_to_ten_short_steps(self):
        for kind, book in playbooks.playbooks().items():
            for organisation_kind in ORGANISATION_KINDS:
                with self.subTest(kind=kind, organisation=organisation_kind):
                    steps = book.steps_for(organisation_kind)
                    self.assertGreaterEqual(len(steps), 5)
                    self.assertLessEqual(len(steps), 10)
                    ids = [step.id for step in steps]
                    self.assertEqual(len(ids), len(set(ids)))
                    self.assertTrue(all(len(step.text) <= 300 for step in steps))

    def test_cert_sante_is_for_laboratories_and_pui_only(self):
        with_cert = [kind for kind, book in playbooks.playbooks().items()
                     if any("cert-sante" in step.call for step in book.steps)]
        self.assertGreaterEqual(len(with_cert), 7)
        for kind in with_cert:
            book = playbooks.playbooks()[kind]
            with self.subTest(kind):
                for organisation_kind, expected in [("officine", False), ("industrie", False),
                                                    ("distribution", False), ("lbm", True),
                                                    ("pui", True)]:
                    calls = {call for step in book.steps_for(organisation_kind)
                             for call in step.call}
                    self.assertEqual("cert-sante" in calls, expected, organisation_kind)

    def test_the_reflexes_the_task_asks_for_are_there(self):
        books = playbooks.playbooks()

        def ids(kind, organisation_kind="officine"):
            return [step.id for step in books[kind].steps_for(organisation_kind)]

        # Fraud: the bank first, before anything else.
        self.assertEqual(ids("fraude")[0], "banque")
        self.assertIn("prevenir-collegues", ids("hameconnage"))
        self.assertIn("autre appareil", books["hameconnage"].steps[2].text)
        self.assertIn("effacer", ids("perte-vol"))
        self.assertIn("confirmer par écrit", next(
            step.text for step in books["fuite"].steps if step.id == "destinataire"))
        self.assertEqual(ids("dispositif-medical")[0], "patients")
        self.assertIn("materiovigilance", ids("dispositif-medical", "pui"))
        self.assertNotIn("materiovigilance", ids("dispositif-medical"))
        self.assertEqual(ids("resultat-falsifie", "lbm")[:2], ["suspendre", "biologiste"])
        self.assertNotIn("suspendre", ids("resultat-falsifie"))
        # Wherever personal data may be touched, the CNIL and its 72 hours.
        for kind in ("hameconnage", "perte-vol", "compte", "dispositif-medical",
                     "resultat-falsifie", "rancongiciel", "autre"):
            step = next(step for step in books[kind].steps if step.id == "donnees")
            self.assertIn("72 heures", step.text + step.detail, kind)
            self.assertIn("cnil", step.call, kind)

    HEADER = "type: essai\ntitre: Essai\nresume: Un essai de fiche réflexe.\netapes:\n"

    def assertRefused(self, steps: str, message: str):
        """The steps (from line 5 of the file) are refused with `message`."""
        with self.assertRaisesMessage(playbooks.PlaybookError, message):
            playbooks.parse(self.HEADER + steps, "essai.yaml")

    def test_a_malformed_file_names_the_file_and_the_line(self):
        self.assertRefused("  - id: un\n    texte: Premier réflexe.\n"
                           "  - id: deux\n    texte: Deuxième réflexe.\n"
                           "    pour: [pharmacie]\n"
                           "  - id: trois\n    texte: Troisième réflexe.\n",
                           "essai.yaml:9 — etapes.1.pour.0 : 'pharmacie' is not one of")

    def test_a_step_given_twice_names_its_line(self):
        self.assertRefused("  - id: un\n    texte: Premier réflexe.\n"
                           "  - id: deux\n    texte: Deuxième réflexe.\n"
                           "  - id: un\n    texte: Encore le premier.\n",
                           "essai.yaml:9 — l'étape « un » apparaît deux fois")

    def test_french_with_a_colon_must_be_quoted_and_says_where(self):
        self.assertRefused("  - id: un\n    texte: Faites ceci : puis cela.\n",
                           "essai.yaml:6 — YAML illisible")


class PlaybookPagesTestCase(BaseTestCase):
    def print_url(self, kind="rancongiciel"):
        return self.org_url("incident_playbook_print", kind)

    def test_every_member_reads_the_list_and_the_sheets(self):
        for user in self.personas.values():
            self.client.force_login(user)
            page = self.client.get(self.org_url("incident_playbooks"))
            self.assertShows(page, "Fiches réflexes")
            for kind in Incident.Kind.values:
                self.assertContains(page, self.print_url(kind))
            self.assertEqual(self.client.get(self.print_url("fraude")).status_code, 200)

    def test_outsiders_get_404_and_anonymous_visitors_sign_in(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.org_url("incident_playbooks")).status_code, 404)
        self.assertEqual(self.client.get(self.print_url()).status_code, 404)
        self.client.logout()
        for url in (self.org_url("incident_playbooks"), self.print_url()):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith("/comptes/login/"))

    def test_an_unknown_kind_is_404(self):
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.print_url("inconnu")).status_code, 404)

    def test_the_sheet_of_an_officine(self):
        self.client.force_login(self.colin)
        page = self.client.get(self.print_url())
        self.assertShows(page, "Rançongiciel")
        self.assertShows(page, "Ne payez pas la rançon")
        self.assertShows(page, "Pharmacie Alpha")
        self.assertContains(page, 'data-print hidden>Imprimer</button>')
        self.assertNotContains(page, "CERT Santé")
        # The contacts its steps call: the public ones (prefilled), a line for the others.
        self.assertContains(page, '<a href="tel:17">17</a>', html=True)
        self.assertShows(page, "Prestataire informatique")
        self.assertShows(page, "à compléter")
        self.assertShows(page, "Appeler : Prestataire informatique, Éditeur du logiciel métier")

    def test_the_sheet_of_a_laboratory_and_its_own_contacts(self):
        self.org.kind = "lbm"
        self.org.save()
        EmergencyContact.objects.create(organisation=self.org, kind="prestataire",
                                        name="Infogérance du Labo", phone="01 02 03 04 05")
        EmergencyContact.objects.create(organisation=self.other_org, kind="editeur",
                                        name="Éditeur de Bravo", phone="09 09 09 09 09")
        self.client.force_login(self.aude)
        page = self.client.get(self.print_url())
        self.assertShows(page, "à CERT Santé sans attendre.")
        self.assertShows(page, "Passez en mode dégradé pour les examens urgents")
        self.assertContains(page, '<a href="tel:0102030405">01 02 03 04 05</a>', html=True)
        self.assertNotContains(page, "Éditeur de Bravo")
        # A list that had a contact is not prefilled: CERT Santé gets a line to fill in.
        self.assertFalse(EmergencyContact.objects.filter(organisation=self.org,
                                                         public=True).exists())

    def test_the_incident_links_to_its_sheet_and_to_the_contacts(self):
        incident = Incident.objects.create(organisation=self.org, number=1,
                                           kind="rancongiciel", description="Écran noir",
                                           noticed_at=timezone.now(), declared_by=self.colin)
        for position, key in enumerate(["traces", "prevenir"], start=1):
            ReflexStep.objects.create(organisation=self.org, incident=incident,
                                      position=position, key=key, text=key)
        self.client.force_login(self.colin)
        page = self.client.get(self.org_url("incident_detail", incident.pk))
        # Only the step that calls someone links to the contacts.
        self.assertShows(page, "Qui appeler : voir les contacts d'urgence", count=1)
        self.assertContains(page, self.org_url("incident_contacts"))
        self.assertContains(page, self.print_url("rancongiciel"))
        self.assertShows(page, "Fiche réflexe à imprimer")

    def test_the_incident_list_says_how_to_prepare(self):
        self.client.force_login(self.colin)
        page = self.client.get(self.org_url("incident_list"))
        self.assertShows(page, "Se préparer")
        self.assertContains(page, self.org_url("incident_playbooks"))
        self.assertContains(page, self.org_url("incident_contacts"))
