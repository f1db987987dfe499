"""The emergency contacts: prefilled with the public ones, kept by those who handle the
incidents, read and printed by everyone."""

from django.utils.html import escape

from pharmagarde.core.models import AuditEntry
from pharmagarde.incidents import contacts
from pharmagarde.incidents.models import EmergencyContact
from tests.base import BaseTestCase


class ContactsTestCase(BaseTestCase):
    def rows(self, org=None):
        return EmergencyContact.objects.filter(organisation=org or self.org)

    def add(self, user, **data):
        self.client.force_login(user)
        fields = {"kind": "prestataire", "name": "Info Service", "phone": "01 23 45 67 89",
                  "email": "", "website": "", "notes": ""}
        fields.update(data)
        return self.client.post(self.org_url("incident_contact_add"), fields)


class PrefillTestCase(ContactsTestCase):
    def test_the_first_visit_prefills_the_public_contacts_once(self):
        self.client.force_login(self.colin)
        page = self.client.get(self.org_url("incident_contacts"))
        self.assertShows(page, "Cybermalveillance.gouv.fr")
        self.assertContains(page, '<a href="tel:0805805817">0 805 805 817</a>', html=True)
        self.assertContains(page, '<a href="tel:116006">116 006</a>', html=True)
        self.assertContains(page, "https://notifications.cnil.fr")
        self.assertContains(page, "https://www.ordre.pharmacien.fr")
        self.assertContains(page, "https://www.masecurite.interieur.gouv.fr")
        kinds = sorted(self.rows().values_list("kind", flat=True))
        self.assertEqual(kinds, ["autre", "cnil", "cybermalveillance", "ordre", "police"])
        self.assertTrue(all(self.rows().values_list("public", flat=True)))
        # An officine is not served by CERT Santé.
        self.assertNotContains(page, "CERT Santé")
        self.assertEqual(AuditEntry.objects.filter(action="incident.contact_saved",
                                                   organisation=self.org).count(), 1)
        self.client.get(self.org_url("incident_contacts"))
        self.assertEqual(contacts.contacts_prefill(self.org), 0)
        self.assertEqual(self.rows().count(), 5)
        self.assertFalse(self.rows(self.other_org).exists())

    def test_a_laboratory_gets_cert_sante(self):
        self.org.kind = "lbm"
        self.org.save()
        self.assertEqual(contacts.contacts_prefill(self.org), 6)
        cert = self.rows().get(kind="cert-sante")
        self.assertEqual(cert.website, "https://signalement.social-sante.gouv.fr")

    def test_the_public_notes_fit_the_field(self):
        for entry in contacts.PUBLIC_CONTACTS:
            self.assertLessEqual(len(str(entry.notes)), 300, entry.name)
            self.assertLessEqual(len(str(entry.name)), 150, entry.name)

    def test_a_public_contact_removed_is_offered_again_not_forced_back(self):
        contacts.contacts_prefill(self.org)
        police = self.rows().get(kind="police")
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("incident_contact_delete", police.pk))
        self.assertRedirects(response, self.org_url("incident_contacts"))
        page = self.client.get(self.org_url("incident_contacts"))
        self.assertFalse(self.rows().filter(kind="police").exists())
        self.assertShows(page, "Numéros publics retirés de la liste")
        again = self.org_url("incident_contact_add") + "?modele=police"
        self.assertContains(page, again)
        form = self.client.get(again)
        self.assertContains(form, 'value="17"')
        self.assertContains(form, '<option value="police" selected>', html=False)
        # Put back (by anyone's hand): no longer offered.
        self.add(self.alice, kind="police", name="Gendarmerie de Bourg", phone="17")
        page = self.client.get(self.org_url("incident_contacts"))
        self.assertNotContains(page, "Numéros publics retirés de la liste")

    def test_a_list_emptied_of_everything_is_prefilled_again(self):
        contacts.contacts_prefill(self.org)
        self.rows().delete()
        self.client.force_login(self.colin)
        self.client.get(self.org_url("incident_contacts"))
        self.assertEqual(self.rows().count(), 5)

    def test_the_slots_to_fill_are_shown_until_filled(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.org_url("incident_contacts"))
        self.assertShows(page, "À compléter par votre structure")
        self.assertContains(page, self.org_url("incident_contact_add") + "?type=prestataire")
        self.assertContains(page, self.org_url("incident_contact_add") + "?type=assureur")
        form = self.client.get(self.org_url("incident_contact_add") + "?type=assureur")
        self.assertContains(form, '<option value="assureur" selected>')
        self.add(self.alice)
        page = self.client.get(self.org_url("incident_contacts"))
        self.assertNotContains(page, "?type=prestataire")
        self.assertContains(page, "?type=assureur")


class ContactWritesTestCase(ContactsTestCase):
    def assertWritesRefused(self, user, contact):
        """403 on every write page, GET or POST, and nothing written."""
        self.client.force_login(user)
        for response in (self.client.get(self.org_url("incident_contact_add")),
                         self.add(user),
                         self.client.get(self.org_url("incident_contact_edit", contact.pk)),
                         self.client.post(self.org_url("incident_contact_delete",
                                                       contact.pk))):
            self.assertEqual(response.status_code, 403)
        self.assertEqual(list(self.rows()), [contact])

    def test_a_responsable_adds_a_contact_first_in_the_list(self):
        contacts.contacts_prefill(self.org)
        response = self.add(self.alice, phone="01  23 45 67 89", website="infoservice.fr",
                            notes="Contrat 42")
        self.assertRedirects(response, self.org_url("incident_contacts"))
        contact = self.rows().get(kind="prestataire")
        self.assertEqual((contact.name, contact.phone, contact.website, contact.public),
                         ("Info Service", "01 23 45 67 89", "https://infoservice.fr", False))
        entry = AuditEntry.objects.filter(action="incident.contact_saved").latest("id")
        self.assertEqual((entry.actor, entry.object_id), (self.alice, str(contact.pk)))
        page = self.client.get(self.org_url("incident_contacts"))
        self.assertEqual(page.context["contacts"][0], contact)

    def test_a_referent_edits_and_the_dpo_removes(self):
        contact = EmergencyContact.objects.create(organisation=self.org, kind="editeur",
                                                  name="Logiciel", phone="0102030405")
        self.client.force_login(self.rita)
        url = self.org_url("incident_contact_edit", contact.pk)
        self.assertContains(self.client.get(url), 'value="Logiciel"')
        response = self.client.post(url, {"kind": "editeur", "name": "Logiciel Officine",
                                          "phone": "", "email": "aide@logiciel.example",
                                          "website": "", "notes": ""})
        self.assertRedirects(response, self.org_url("incident_contacts"))
        contact.refresh_from_db()
        self.assertEqual((contact.name, contact.phone, contact.email),
                         ("Logiciel Officine", "", "aide@logiciel.example"))
        self.client.force_login(self.dora)
        self.client.post(self.org_url("incident_contact_delete", contact.pk))
        self.assertFalse(self.rows().filter(pk=contact.pk).exists())
        self.assertTrue(AuditEntry.objects.filter(action="incident.contact_deleted",
                                                  object_id=str(contact.pk)).exists())

    def test_a_collaborateur_reads_but_does_not_write(self):
        contact = EmergencyContact.objects.create(organisation=self.org, kind="editeur",
                                                  name="Logiciel", phone="0102030405")
        self.client.force_login(self.colin)
        page = self.client.get(self.org_url("incident_contacts"))
        self.assertShows(page, "Logiciel")
        self.assertNotContains(page, self.org_url("incident_contact_edit", contact.pk))
        self.assertNotContains(page, "Ajouter un contact")
        self.assertEqual(self.client.get(self.org_url("incident_contacts_print")).status_code,
                         200)
        self.assertWritesRefused(self.colin, contact)

    def test_the_auditor_reads_and_gets_403_on_writes(self):
        contact = EmergencyContact.objects.create(organisation=self.org, kind="editeur",
                                                  name="Logiciel", phone="0102030405")
        self.client.force_login(self.aude)
        self.assertEqual(self.client.get(self.org_url("incident_contacts")).status_code, 200)
        self.assertWritesRefused(self.aude, contact)

    def test_outsiders_get_404_and_anonymous_visitors_sign_in(self):
        contact = EmergencyContact.objects.create(organisation=self.org, kind="editeur",
                                                  name="Logiciel", phone="0102030405")
        urls = [self.org_url("incident_contacts"), self.org_url("incident_contacts_print"),
                self.org_url("incident_contact_add"),
                self.org_url("incident_contact_edit", contact.pk)]
        self.client.force_login(self.oscar)
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.post(
            self.org_url("incident_contact_delete", contact.pk)).status_code, 404)
        self.client.logout()
        for url in urls:
            self.assertRedirects(self.client.get(url), f"/comptes/login/?next={url}",
                                 fetch_redirect_response=False)
        self.assertTrue(self.rows().filter(pk=contact.pk).exists())

    def test_another_organisations_contact_is_404(self):
        foreign = EmergencyContact.objects.create(organisation=self.other_org,
                                                  kind="editeur", name="Bravo",
                                                  phone="0102030405")
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(
            self.org_url("incident_contact_edit", foreign.pk)).status_code, 404)
        self.assertEqual(self.client.post(
            self.org_url("incident_contact_delete", foreign.pk)).status_code, 404)
        self.assertTrue(EmergencyContact.objects.filter(pk=foreign.pk).exists())

    def test_delete_is_post_only(self):
        contact = EmergencyContact.objects.create(organisation=self.org, kind="editeur",
                                                  name="Logiciel", phone="0102030405")
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(
            self.org_url("incident_contact_delete", contact.pk)).status_code, 405)


class ContactValidationTestCase(ContactsTestCase):
    def assertRefused(self, response, message):
        self.assertShows(response, escape(message), status_code=422)
        self.assertContains(response, 'class="errorlist"', status_code=422)
        self.assertFalse(self.rows().exists())

    def test_a_name_is_needed(self):
        self.assertRefused(self.add(self.alice, name=""), "Indiquez un nom")

    def test_a_way_to_reach_it_is_needed(self):
        self.assertRefused(self.add(self.alice, phone=""),
                           "Indiquez au moins un moyen de le joindre")

    def test_a_phone_number_is_loosely_checked(self):
        self.assertRefused(self.add(self.alice, phone="appelez Paul"),
                           "Un numéro de téléphone ne contient que des chiffres")
        self.assertRefused(self.add(self.alice, phone="+"),
                           "Un numéro de téléphone ne contient que des chiffres")
        for phone in ("+33 1 23 45 67 89", "01.23.45.67.89", "17", "0 805-805-817"):
            self.rows().delete()
            self.assertEqual(self.add(self.alice, phone=phone).status_code, 302, phone)

    def test_a_mistyped_email_or_site_says_so_and_only_so(self):
        response = self.add(self.alice, phone="", email="pas-une-adresse")
        self.assertRefused(response, "Indiquez une adresse e-mail valide")
        self.assertNotContains(response, "Indiquez au moins un moyen", status_code=422)
        self.assertRefused(self.add(self.alice, phone="", website="pas un site"),
                           "Indiquez l'adresse d'un site")

    def test_a_kind_is_needed(self):
        self.assertRefused(self.add(self.alice, kind=""), "Choisissez de qui il s'agit.")

    def test_the_list_is_capped(self):
        EmergencyContact.objects.bulk_create([
            EmergencyContact(organisation=self.org, kind="autre", name=f"Contact {i}",
                             phone="0102030405") for i in range(contacts.MAX_CONTACTS)])
        response = self.add(self.alice)
        self.assertShows(response, "La liste compte déjà 100 contacts", status_code=422)
        self.assertEqual(self.rows().count(), contacts.MAX_CONTACTS)


class ContactPagesTestCase(ContactsTestCase):
    def make_row(self, i):
        EmergencyContact.objects.create(organisation=self.org, kind="autre",
                                        name=f"Contact {i}", phone=f"01 02 03 04 {i:02d}",
                                        email=f"c{i}@exemple.fr")

    def test_the_list_costs_the_same_whatever_its_length(self):
        self.client.force_login(self.alice)
        self.assertQueriesConstant(self.org_url("incident_contacts"), self.make_row)

    def test_the_printed_list_costs_the_same_whatever_its_length(self):
        self.client.force_login(self.colin)
        self.assertQueriesConstant(self.org_url("incident_contacts_print"), self.make_row)

    def test_the_printed_list_has_every_contact_and_lines_to_fill(self):
        self.make_row(7)
        self.client.force_login(self.colin)
        page = self.client.get(self.org_url("incident_contacts_print"))
        self.assertShows(page, "Contact 7")
        self.assertContains(page, '<a href="tel:0102030407">01 02 03 04 07</a>', html=True)
        self.assertContains(page, 'data-print hidden>Imprimer</button>')
        # Six slots the structure fills, each a line to write on.
        self.assertShows(page, "à compléter", count=6)
        self.assertShows(page, "Assureur")
