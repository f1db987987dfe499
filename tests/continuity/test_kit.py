"""The degraded-mode kit: its page and its PDF (the procedures, the paper forms, the
emergency contacts, the first reflexes; the organisation, the date and the page number
on every page), who may read it, and what printing it changes on the plan."""

import datetime
import re
import sys
from unittest import mock

from django.test import RequestFactory
from django.utils import timezone

from pharmagarde.continuity import plan_services
from pharmagarde.continuity.models import ContinuityPlan, CriticalActivity
from pharmagarde.continuity.views.kit import kit_context, lines
from pharmagarde.core.models import AuditEntry, Membership
from pharmagarde.incidents.models import EmergencyContact
from pharmagarde.inventory.models import Device
from tests.base import BaseTestCase
from tests.incidents.test_exports import pdf_objects

DISPENSING = "Dispensation des ordonnances et conseil au comptoir"
A_STEP = "Sortez le kit imprimé et les registres de dispensation papier."


def pdf_outline(content: bytes) -> list[str]:
    """The titles of the PDF's bookmarks (WeasyPrint makes one per heading), decoded:
    UTF-16 hex strings or literal strings, in the PDF's objects, deflated or not."""
    titles = []
    for raw in re.findall(rb"/Title\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]+>)",
                          pdf_objects(content)):
        if raw.startswith(b"<"):
            data = bytes.fromhex(raw[1:-1].decode())
            titles.append(data[2:].decode("utf-16-be") if data[:2] == b"\xfe\xff"
                          else data.decode("latin-1"))
        else:
            titles.append(re.sub(rb"\\(.)", rb"\1", raw[1:-1]).decode("latin-1"))
    return titles


def page_texts(html: str) -> list[str]:
    """The text of each page of the PDF WeasyPrint lays out from `html`, margin boxes
    (the running header and footer) included."""
    import weasyprint
    from weasyprint.formatting_structure.boxes import TextBox

    document = weasyprint.HTML(string=html).render()
    return [" ".join(box.text for box in page._page_box.descendants()
                     if isinstance(box, TextBox)).replace("\u00a0", " ").replace("\u202f", " ")
            for page in document.pages]


class KitTestCase(BaseTestCase):
    def setUp(self):
        plan_services.plan_prefill(organisation=self.org, acting_user=self.alice)

    def plan(self):
        return ContinuityPlan.objects.get(organisation=self.org)

    def kit_html(self, user, *, rows=2, now=None):
        """The HTML the kit's PDF is made from, as the view renders it for `user`."""
        from django.template.loader import render_to_string

        request = RequestFactory().get("/")
        request.user, request.organisation = user, self.org
        request.membership = Membership.objects.get(user=user, organisation=self.org)
        context = kit_context(request, rows=rows)
        if now is not None:
            context["now"] = now
        return render_to_string("continuity/pdf/kit.html", context, request=request)


class KitPageTestCase(KitTestCase):
    def test_it_shows_the_procedures_the_forms_the_contacts_and_the_reflexes(self):
        self.client.force_login(self.colin)
        page = self.client.get(self.org_url("continuity_kit"))
        # The procedures, activity by activity.
        self.assertShows(page, DISPENSING)
        self.assertShows(page, A_STEP)
        self.assertShows(page, "Le retour à la normale")
        self.assertShows(page, "Registre des stupéfiants")
        # The paper forms, ruled tables with their columns.
        self.assertShows(page, "Registre de dispensation en mode dégradé")
        self.assertShows(page, "Fiche de mouvements de stock")
        self.assertShows(page, "Médicaments délivrés (nom, dosage, quantité)")
        self.assertContains(page, 'class="kit-form__row"', count=3 * len(
            page.context["sheets"]))
        # The emergency contacts, prefilled once for an organisation that had none.
        self.assertShows(page, "Cybermalveillance.gouv.fr")
        self.assertContains(page, '<a href="tel:0805805817">0 805 805 817</a>', html=True)
        self.assertShows(page, "Prestataire informatique")
        self.assertEqual(EmergencyContact.objects.filter(organisation=self.org).count(), 5)
        # The first reflexes of a ransomware attack, for an officine.
        self.assertShows(page, "Débranchez le câble réseau des postes touchés et coupez leur "
                         "Wi-Fi.")
        self.assertShows(page, "Passez en mode dégradé pour continuer à servir les patients.")
        self.assertNotContains(page, "CERT Santé")

    def test_a_laboratory_gets_its_sample_log_and_no_dispensing_log(self):
        self.org.kind = "lbm"
        self.org.save()
        CriticalActivity.objects.filter(organisation=self.org).delete()
        ContinuityPlan.objects.filter(organisation=self.org).delete()
        self.client.force_login(self.rita)
        page = self.client.get(self.org_url("continuity_kit"))
        self.assertShows(page, "Registre des échantillons")
        self.assertShows(page, "N° provisoire")
        self.assertShows(page, "Phase préanalytique")
        self.assertNotContains(page, "Registre de dispensation")
        self.assertShows(page, "Signalez l'incident à CERT Santé sans attendre.".replace(
            "'", "&#x27;"))

    def test_it_shows_the_crisis_cell_the_inventory_and_the_contacts_the_structure_keeps(self):
        EmergencyContact.objects.create(organisation=self.org, kind="prestataire",
                                        name="Info Service", phone="01 23 45 67 89")
        plan = self.plan()
        plan_services.crisis_cell_save(acting_user=self.alice, plan=plan,
                                       crisis_cell="Alice décide.\nRita appelle le prestataire.")
        activity = CriticalActivity.objects.get(organisation=self.org, key="dispensation")
        activity.devices.add(Device.objects.create(organisation=self.org, name="Poste comptoir 1"))
        self.client.force_login(self.aude)
        page = self.client.get(self.org_url("continuity_kit"))
        self.assertShows(page, "Info Service")
        self.assertNotContains(page, "0 805 805 817")  # the public ones are not forced back
        self.assertShows(page, "Alice décide.<br>Rita appelle le prestataire.")
        self.assertShows(page, "<strong>Elle dépend de :</strong> Poste comptoir 1")
        self.assertNotContains(page, self.org_url("continuity_plan") + '">Compléter le plan')

    def test_readers_see_it_outsiders_do_not_anonymous_sign_in(self):
        for url in (self.org_url("continuity_kit"), self.org_url("continuity_kit_pdf")):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertTrue(response["Location"].startswith("/comptes/login/"))
            self.client.force_login(self.oscar)
            self.assertEqual(self.client.get(url).status_code, 404, url)
            self.client.force_login(self.aude)
            self.assertEqual(self.client.post(url).status_code, 403, url)
            self.client.force_login(self.colin)
            self.assertEqual(self.client.post(url).status_code, 405, url)
            self.client.logout()
        self.client.force_login(self.aude)
        self.assertEqual(self.client.get(self.org_url("continuity_kit")).status_code, 200)

    def test_the_page_costs_the_same_for_5_and_60_activities(self):
        device = Device.objects.create(organisation=self.org, name="Poste")
        CriticalActivity.objects.filter(organisation=self.org).delete()
        self.client.force_login(self.colin)

        def make_row(number):
            row = CriticalActivity.objects.create(
                organisation=self.org, name=f"Activité {number}", paper_forms=["stock"],
                degraded_procedure="Noter.\nRessaisir.")
            row.devices.add(device)

        self.assertQueriesConstant(self.org_url("continuity_kit"), make_row)

    def test_steps_are_read_one_per_line(self):
        self.assertEqual(lines("1. Sortir le registre.\n\n - Noter\n2. Ressaisir\n• Fin"),
                         ["Sortir le registre.", "Noter", "Ressaisir", "Fin"])
        self.assertEqual(lines("4 heures. Pas plus."), ["4 heures. Pas plus."])


class KitPdfTestCase(KitTestCase):
    def get_pdf(self, user):
        self.client.force_login(user)
        return self.client.get(self.org_url("continuity_kit_pdf"))

    def test_it_is_a_pdf_marked_printed_and_audited(self):
        response = self.get_pdf(self.colin)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn('attachment; filename="kit-mode-degrade-alpha-',
                      response["Content-Disposition"])
        self.assertTrue(response.content.startswith(b"%PDF-"))
        plan = self.plan()
        self.assertIsNotNone(plan.kit_printed_at)
        self.assertEqual(plan.kit_printed_revision, plan.revision)
        entry = AuditEntry.objects.get(action="continuity.kit_printed")
        self.assertEqual((entry.actor, entry.organisation, entry.details),
                         (self.colin, self.org, {"version du plan": plan.revision,
                                                 "exemplaire à garder": "oui"}))

    def test_the_pdf_holds_the_procedures_the_forms_the_contacts_and_the_reflexes(self):
        content = self.get_pdf(self.colin).content
        self.assertIn(b"/Author (Pharmacie Alpha)", pdf_objects(content))
        titles = pdf_outline(content)
        for title in ("Kit du mode dégradé", "1. Les premiers réflexes",
                      "2. Les contacts d'urgence", "3. La cellule de crise",
                      "4. Les activités critiques et leur mode dégradé", DISPENSING,
                      "Registre des stupéfiants", "Le mode dégradé, étape par étape",
                      "Le retour à la normale", "5. Les formulaires à remplir à la main",
                      "Registre de dispensation en mode dégradé",
                      "Fiche de mouvements de stock", "Main courante de la crise"):
            self.assertIn(title, titles)
        self.assertNotIn("Registre des échantillons", titles)

    def test_every_page_has_the_organisation_the_date_and_its_number(self):
        moment = timezone.make_aware(datetime.datetime(2026, 11, 20, 8, 0))
        pages = page_texts(self.kit_html(self.colin, rows=16, now=moment))
        self.assertGreater(len(pages), 10)
        for number, text in enumerate(pages, start=1):
            with self.subTest(page=number):
                self.assertIn("Pharmacie Alpha", text)
                self.assertIn("Édité le 20/11/2026 à 08:00", text)
                self.assertIn(f"version 1 du plan — page  {number}  /  {len(pages)}", text)
        # The reflexes, the contacts and a procedure's steps, as printed.
        document = " ".join(pages)
        self.assertIn("Débranchez le câble réseau des postes touchés", document)
        self.assertIn("Cybermalveillance.gouv.fr", document)
        self.assertIn("Sortez le kit imprimé et les registres de dispensation", document)
        # A paper form holds its page: its title, its columns, its ruled rows.
        sheet = next(text for text in pages if "Registre de dispensation en mode dégradé"
                     in text and "Feuille n°" in text)
        self.assertIn("Délivré par", sheet)

    def test_the_plan_says_when_it_was_printed_and_whether_it_changed_since(self):
        self.get_pdf(self.colin)
        day = timezone.localtime(self.plan().kit_printed_at).strftime("%-d")
        page = self.client.get(self.org_url("continuity_plan"))
        self.assertShows(page, f"Imprimé le {day} ")
        self.assertShows(page, "le plan n'a pas changé depuis.")
        activity = CriticalActivity.objects.filter(organisation=self.org).first()
        response = self.client.post(
            self.org_url("continuity_activity_edit", activity.pk),
            {"name": "Dispensation au comptoir", "max_outage_hours": "2",
             "max_data_loss_hours": "24", "impact": "critique", "revision": activity.revision,
             "degraded_procedure": "Registre papier.", "return_to_normal": "Ressaisir."})
        self.assertEqual(response.status_code, 302)
        page = self.client.get(self.org_url("continuity_plan"))
        self.assertShows(page, "À réimprimer")
        self.assertShows(page, f"Imprimé le {day} ")
        self.assertShows(page, " ; le plan a changé depuis.")
        self.assertShows(page, "ne correspond plus au plan, qui a changé depuis.")
        self.get_pdf(self.colin)
        self.assertShows(self.client.get(self.org_url("continuity_plan")),
                         "le plan n'a pas changé depuis.")

    def test_the_auditors_copy_marks_nothing_and_works_without_a_plan(self):
        ContinuityPlan.objects.all().delete()
        CriticalActivity.objects.all().delete()
        response = self.get_pdf(self.aude)
        self.assertTrue(response.content.startswith(b"%PDF-"))
        self.assertFalse(ContinuityPlan.objects.exists())
        self.assertIn("1. Les premiers réflexes", pdf_outline(response.content))
        self.assertEqual(AuditEntry.objects.get(action="continuity.kit_printed").details,
                         {"version du plan": 0, "exemplaire à garder": "non"})

    def test_a_server_without_weasyprint_says_so_in_french(self):
        with mock.patch.dict(sys.modules, {"weasyprint": None}):
            response = self.get_pdf(self.colin)
        self.assertShows(response, "La création de PDF n&#x27;est pas disponible sur ce "
                         "serveur", status_code=503)
        self.assertIsNone(self.plan().kit_printed_at)
        self.assertFalse(AuditEntry.objects.filter(action="continuity.kit_printed").exists())
