"""Impact assessments (AIPD): creating one (prefilled from its processing), writing each
part with its history and conflicts, the measures and the action plan, finishing and
validating (refused while a high risk has no planned measure), the PDF in the structure of
the CNIL's PIA tool. Every role, the outsider, the anonymous visitor, bad input, query
counts."""

import html
import subprocess

from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry
from pharmagarde.inventory.models import Software
from pharmagarde.privacy import dpia_services as services
from pharmagarde.privacy.models import (
    Dpia,
    DpiaMeasure,
    PrivacyProfile,
    PrivacyVersion,
    Processing,
    Processor,
    Retention,
)
from tests.base import BaseTestCase

PLANNED, EXISTING = DpiaMeasure.State.PLANNED, DpiaMeasure.State.EXISTING
RISK_IDS = ("acces-illegitime", "modification", "disparition")


def page(response) -> str:
    """The page as read: entities decoded, no-break spaces as spaces."""
    return html.unescape(response.content.decode()).replace("\u00a0", " ").replace(
        "\u202f", " ")


def risks_post(revision, *, levels=None, **texts):
    """A POST of the « risques » part: every risk at (2, 2) unless `levels` says."""
    levels = levels or {}
    data = {"revision": revision}
    for risk in RISK_IDS:
        severity, likelihood = levels.get(risk, (2, 2))
        data.update({f"{risk}__impacts": texts.get("impacts", "Divulgation"),
                     f"{risk}__threats": "Vol du poste", f"{risk}__sources": "Un pirate",
                     f"{risk}__severity": severity, f"{risk}__likelihood": likelihood})
    return data


class DpiaTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        PrivacyProfile.objects.create(organisation=cls.org,
                                      controller="SELARL Pharmacie Alpha")
        cls.processing = Processing.objects.create(
            organisation=cls.org, number=1, name="Dispensation et dossier patient",
            purpose="Délivrer les médicaments", legal_basis="obligation-legale",
            data_categories="Identité\nTraitements délivrés", health_data=True,
            people="Patients", recipients="Caisses d'assurance maladie")
        Retention.objects.create(organisation=cls.org, processing=cls.processing,
                                 data="Ordonnancier", duration="10 ans",
                                 reference="CSP, art. R. 5132-10")
        cls.processor = Processor.objects.create(organisation=cls.org, name="Éditeur LGO")
        cls.processing.processors.add(cls.processor)
        software = Software.objects.create(organisation=cls.org, name="LGO Officine")
        cls.processing.software.add(software)
        cls.foreign_processing = Processing.objects.create(organisation=cls.other_org,
                                                           number=1, name="Bravo")

    def setUp(self):
        self.dpia = services.dpia_create(acting_user=self.alice, organisation=self.org,
                                         title="AIPD dispensation", processing=self.processing)
        self.foreign = Dpia.objects.create(organisation=self.other_org, title="Bravo")

    def url(self, name, *args):
        return self.org_url(name, *args)

    def post_risks(self, user=None, **kwargs):
        self.client.force_login(user or self.alice)
        self.dpia.refresh_from_db()
        return self.client.post(self.url("privacy_dpia_edit", self.dpia.pk, "risques"),
                                risks_post(self.dpia.revision, **kwargs))


class CreateTestCase(DpiaTestCase):
    def test_it_prefills_the_context_from_the_register(self):
        context = self.dpia.context
        self.assertIn("Dispensation et dossier patient", context["overview"])
        self.assertIn("Responsable du traitement : SELARL Pharmacie Alpha",
                      context["overview"])
        self.assertIn("Sous-traitants : Éditeur LGO", context["overview"])
        self.assertIn("Ordonnancier : 10 ans (CSP, art. R. 5132-10)", context["data"])
        self.assertIn("Données de santé.", context["data"])
        self.assertIn("Caisses d'assurance maladie", context["lifecycle"])
        self.assertIn("Logiciel : LGO Officine", context["supports"])
        self.assertEqual(self.dpia.principles["finalites"], "Délivrer les médicaments")
        self.assertEqual(self.dpia.status, Dpia.Status.DRAFT)
        self.assertTrue(AuditEntry.objects.filter(action="privacy.dpia_created").exists())

    def test_a_bare_processing_prefills_only_what_it_says(self):
        bare = Processing.objects.create(organisation=self.org, number=2, name="Fidélité")
        PrivacyProfile.objects.filter(organisation=self.org).delete()
        dpia = services.dpia_create(acting_user=self.dora, organisation=self.org,
                                    title="Fidélité", processing=bare)
        self.assertEqual(dpia.context, {"overview": "Fidélité"})
        self.assertEqual(dpia.principles, {})

    def test_the_new_page_takes_a_processing_of_the_organisation_only(self):
        self.client.force_login(self.dora)
        response = self.client.get(self.url("privacy_dpia_new")
                                   + f"?processing={self.processing.pk}")
        self.assertEqual(response.context["form"].initial["processing"], self.processing.pk)
        response = self.client.get(self.url("privacy_dpia_new")
                                   + f"?processing={self.foreign_processing.pk}")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("processing", response.context["form"].initial)
        self.assertNotContains(response, "Bravo")

    def test_it_creates_from_the_form(self):
        self.client.force_login(self.dora)
        response = self.client.post(self.url("privacy_dpia_new"),
                                    {"title": "Vidéoprotection", "processing": ""})
        dpia = Dpia.objects.get(title="Vidéoprotection")
        self.assertRedirects(response, self.url("privacy_dpia", dpia.pk))
        self.assertEqual((dpia.processing, dpia.context), (None, {}))

    def test_a_foreign_processing_or_no_title_is_refused_in_french(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url("privacy_dpia_new"), {
            "title": "", "processing": self.foreign_processing.pk})
        self.assertEqual(response.status_code, 422)
        self.assertShows(response, "Donnez un titre à l", status_code=422)
        self.assertShows(response, "Choisissez un traitement de la liste.", status_code=422)
        self.assertEqual(Dpia.objects.filter(organisation=self.org).count(), 1)


class PartsTestCase(DpiaTestCase):
    def test_each_part_is_saved_with_its_history(self):
        self.client.force_login(self.dora)
        edit = self.url("privacy_dpia_edit", self.dpia.pk, "principes")
        data = dict(self.client.get(edit).context["form"].initial)  # prefilled
        data["minimisation"] = "Seules les données de l'ordonnance."
        response = self.client.post(edit, data)
        self.assertRedirects(response, self.url("privacy_dpia", self.dpia.pk))
        self.dpia.refresh_from_db()
        self.assertEqual(self.dpia.principles["minimisation"],
                         "Seules les données de l'ordonnance.")
        self.assertEqual(self.dpia.revision, 1)
        version = PrivacyVersion.objects.get(record_type="dpia", record_id=self.dpia.pk)
        self.assertEqual(version.changes, {"Principes fondamentaux — Minimisation des données":
                                           ["", "Seules les données de l'ordonnance."]})
        self.assertEqual(version.author, self.dora)
        self.assertShows(self.client.get(self.url("privacy_dpia", self.dpia.pk)),
                         "Historique de l")

    def test_the_risks_store_their_levels(self):
        response = self.post_risks(levels={"disparition": (4, 3)})
        self.assertEqual(response.status_code, 302)
        self.dpia.refresh_from_db()
        self.assertEqual(self.dpia.risks["disparition"]["severity"], 4)
        self.assertEqual(self.dpia.risks["disparition"]["likelihood"], 3)
        version = PrivacyVersion.objects.get(record_type="dpia", record_id=self.dpia.pk)
        self.assertEqual(version.changes["Disparition de données — gravité"],
                         ["", "4 — Maximale"])

    def test_a_likelihood_of_7_is_refused_in_french(self):
        response = self.post_risks(levels={"modification": (2, 7)})
        self.assertEqual(response.status_code, 422)
        self.assertShows(response, "Choisissez un niveau de 1 (négligeable) à 4 (maximale).",
                         status_code=422)
        self.dpia.refresh_from_db()
        self.assertEqual((self.dpia.risks, self.dpia.revision), ({}, 0))

    def test_an_unknown_part_is_404(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(
            self.url("privacy_dpia_edit", self.dpia.pk, "inconnu")).status_code, 404)

    def test_a_concurrent_edit_is_a_conflict_that_shows_both_versions(self):
        self.client.force_login(self.alice)
        edit = self.url("privacy_dpia_edit", self.dpia.pk, "validation")
        services.dpia_update(acting_user=self.dora, dpia=self.dpia, part="validation",
                             values={"dpo_opinion": "Avis favorable du DPO",
                                     "people_opinion": ""}, revision=0)
        response = self.client.post(edit, {"revision": 0, "dpo_opinion": "Mon avis",
                                           "people_opinion": "Non demandé : trop tôt"})
        self.assertEqual(response.status_code, 409)
        shown = page(response)
        self.assertIn("Quelqu'un d'autre a modifié cette partie entre-temps", shown)
        self.assertIn("Avis favorable du DPO", shown)
        self.assertIn("Mon avis", shown)
        self.dpia.refresh_from_db()
        self.assertEqual(self.dpia.dpo_opinion, "Avis favorable du DPO")
        # Saving again after reading replaces the other version, deliberately.
        self.assertEqual(response.context["form"]["revision"].value(), 1)
        again = self.client.post(edit, {"revision": 1, "dpo_opinion": "Mon avis",
                                        "people_opinion": ""})
        self.assertEqual(again.status_code, 302)
        self.dpia.refresh_from_db()
        self.assertEqual(self.dpia.dpo_opinion, "Mon avis")

    def test_the_page_shows_the_progress_of_the_four_parts(self):
        self.post_risks()
        response = self.client.get(self.url("privacy_dpia", self.dpia.pk))
        parts = {part.slug: (filled, total) for part, filled, total in
                 response.context["parts"]}
        self.assertEqual(parts["risques"], (3, 3))
        self.assertEqual(parts["contexte"], (4, 4))
        self.assertEqual(parts["validation"], (0, 3))


class ValidationTestCase(DpiaTestCase):
    def validate(self, user=None):
        self.client.force_login(user or self.alice)
        self.dpia.refresh_from_db()
        return self.client.post(self.url("privacy_dpia_validate", self.dpia.pk),
                                {"revision": self.dpia.revision}, follow=True)

    def test_a_high_risk_without_a_planned_measure_blocks_validation(self):
        self.post_risks(levels={"acces-illegitime": (3, 3)})
        services.measure_add(acting_user=self.alice, dpia=self.dpia, text="Chiffrement",
                             state=EXISTING, risks=["acces-illegitime"])
        shown = page(self.validate())
        self.assertIn("Le risque « Accès illégitime à des données » reste élevé", shown)
        self.dpia.refresh_from_db()
        self.assertEqual(self.dpia.status, Dpia.Status.DRAFT)
        services.measure_add(acting_user=self.alice, dpia=self.dpia,
                             text="Comptes nominatifs", state=PLANNED,
                             risks=["acces-illegitime"])
        self.assertIn("Analyse d'impact validée.", page(self.validate(self.dora)))
        self.dpia.refresh_from_db()
        self.assertEqual((self.dpia.status, self.dpia.validated_by),
                         (Dpia.Status.VALIDATED, self.dora))
        self.assertIsNotNone(self.dpia.validated_on)
        self.assertTrue(AuditEntry.objects.filter(action="privacy.dpia_validated").exists())

    def test_unassessed_risks_block_validation(self):
        self.assertIn("Évaluez la gravité et la vraisemblance de chaque risque",
                      page(self.validate()))
        self.dpia.refresh_from_db()
        self.assertEqual(self.dpia.status, Dpia.Status.DRAFT)

    def test_a_change_after_validation_asks_for_a_new_validation(self):
        self.post_risks()
        self.validate()
        self.client.post(self.url("privacy_dpia_edit", self.dpia.pk, "validation"), {
            "revision": Dpia.objects.get(pk=self.dpia.pk).revision,
            "dpo_opinion": "Nouvel avis", "people_opinion": ""})
        self.dpia.refresh_from_db()
        self.assertEqual((self.dpia.status, self.dpia.validated_on),
                         (Dpia.Status.DONE, None))

    def test_a_stale_revision_does_not_validate(self):
        self.post_risks()
        self.client.force_login(self.alice)
        response = self.client.post(self.url("privacy_dpia_validate", self.dpia.pk),
                                    {"revision": 0}, follow=True)
        self.assertIn("Quelqu'un a modifié l'analyse entre-temps", page(response))
        self.dpia.refresh_from_db()
        self.assertEqual(self.dpia.status, Dpia.Status.DRAFT)


class PlanTestCase(DpiaTestCase):
    def actions(self):
        return Action.objects.filter(organisation=self.org, source="rgpd",
                                     source_key__startswith="aipd:")

    def test_planned_measures_enter_the_plan_once_the_assessment_is_finished(self):
        planned = services.measure_add(acting_user=self.alice, dpia=self.dpia,
                                       text="Sauvegarde hors ligne", state=PLANNED,
                                       risks=["disparition"])
        services.measure_add(acting_user=self.alice, dpia=self.dpia, text="Antivirus",
                             state=EXISTING, risks=["modification"])
        self.assertFalse(self.actions().exists())  # a draft: not yet
        self.client.force_login(self.dora)
        self.client.post(self.url("privacy_dpia_finish", self.dpia.pk), {"revision": 0})
        self.dpia.refresh_from_db()
        self.assertEqual(self.dpia.status, Dpia.Status.DONE)
        action = self.actions().get()
        self.assertEqual(action.source_key, f"aipd:{self.dpia.pk}:{planned.pk}")
        self.assertEqual(action.title, "Sauvegarde hors ligne")
        self.assertEqual(action.source_data["origine"],
                         "Analyse d'impact « AIPD dispensation »")
        # Put in place: it leaves the plan.
        self.client.post(self.url("privacy_dpiameasure_state", planned.pk),
                         {"state": EXISTING})
        planned.refresh_from_db()
        self.assertEqual(planned.state, EXISTING)
        self.assertFalse(self.actions().exists())

    def test_a_deleted_measure_leaves_the_plan_and_is_audited(self):
        services.dpia_finish(acting_user=self.alice, dpia=self.dpia, revision=0)
        measure = services.measure_add(acting_user=self.alice, dpia=self.dpia,
                                       text="Former l'équipe", state=PLANNED,
                                       risks=["acces-illegitime"])
        self.assertEqual(self.actions().count(), 1)
        self.client.force_login(self.alice)
        response = self.client.post(self.url("privacy_dpiameasure_delete", measure.pk))
        self.assertRedirects(response, self.url("privacy_dpia", self.dpia.pk))
        self.assertFalse(DpiaMeasure.objects.filter(pk=measure.pk).exists())
        self.assertFalse(self.actions().exists())
        self.assertTrue(AuditEntry.objects.filter(
            action="privacy.dpia_measure_deleted").exists())

    def test_the_measure_form_refuses_bad_input_in_french(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url("privacy_dpia_measure_new", self.dpia.pk),
                                    {"text": "", "state": "peut-etre",
                                     "risks": ["inconnu"]})
        self.assertEqual(response.status_code, 422)
        shown = page(response)
        self.assertIn("Décrivez la mesure.", shown)
        self.assertIn("Choisissez « Existante » ou « Prévue ».", shown)
        self.assertIn("Choisissez parmi les trois risques.", shown)
        self.assertFalse(self.dpia.measures.exists())

    def test_the_measure_form_adds_one(self):
        self.client.force_login(self.dora)
        form = self.client.get(self.url("privacy_dpia_measure_new", self.dpia.pk)
                               + "?risque=disparition")
        self.assertEqual(form.context["form"].initial["risks"], ["disparition"])
        response = self.client.post(self.url("privacy_dpia_measure_new", self.dpia.pk),
                                    {"text": "Onduleur", "state": PLANNED,
                                     "risks": ["disparition"]})
        self.assertRedirects(response, self.url("privacy_dpia", self.dpia.pk))
        self.assertEqual(self.dpia.measures.get().risks, ["disparition"])


class PdfTestCase(DpiaTestCase):
    def test_the_pdf_follows_the_cnil_tool_and_is_audited(self):
        self.post_risks(levels={"acces-illegitime": (3, 4)})
        services.measure_add(acting_user=self.alice, dpia=self.dpia,
                             text="Chiffrement des postes", state=PLANNED,
                             risks=["acces-illegitime"])
        self.client.force_login(self.aude)  # the auditor reads it
        response = self.client.get(self.url("privacy_dpia_pdf", self.dpia.pk))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn(f'filename="analyse-impact-{self.dpia.pk}-',
                      response["Content-Disposition"])
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content,
                              capture_output=True, check=True).stdout.decode()
        text = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
        headings = ["Contexte", "Vue d'ensemble", "Données, processus et supports",
                    "Principes fondamentaux", "Proportionnalité et nécessité",
                    "Mesures protectrices des droits", "Risques",
                    "Mesures existantes ou prévues", "Accès illégitime à des données",
                    "Modification non désirée de données", "Disparition de données",
                    "Vue d'ensemble des risques", "Validation", "Cartographie des risques",
                    "Plan d'action", "Avis du DPO et des personnes concernées"]
        position = 0
        for heading in headings:
            found = text.find(heading, position)
            self.assertNotEqual(found, -1, heading)
            position = found
        self.assertIn("Chiffrement des postes", text)
        self.assertIn("SELARL Pharmacie Alpha", text)
        entry = AuditEntry.objects.get(action="privacy.dpia_exported")
        self.assertEqual((entry.actor, entry.object_id), (self.aude, str(self.dpia.pk)))


class AccessTestCase(DpiaTestCase):
    def pages(self):
        measure = DpiaMeasure.objects.create(organisation=self.org, dpia=self.dpia,
                                             text="Mesure")
        return {
            "read": [self.url("privacy_dpias"), self.url("privacy_dpia", self.dpia.pk),
                     self.url("privacy_dpia_pdf", self.dpia.pk)],
            "write": [self.url("privacy_dpia_new"),
                      self.url("privacy_dpia_edit", self.dpia.pk, "contexte"),
                      self.url("privacy_dpia_measure_new", self.dpia.pk)],
            "post": [self.url("privacy_dpia_finish", self.dpia.pk),
                     self.url("privacy_dpia_validate", self.dpia.pk),
                     self.url("privacy_dpiameasure_state", measure.pk),
                     self.url("privacy_dpiameasure_delete", measure.pk)],
        }

    def test_the_responsable_and_the_dpo_write(self):
        pages = self.pages()
        for user in (self.alice, self.dora):
            self.client.force_login(user)
            for url in pages["read"] + pages["write"]:
                self.assertEqual(self.client.get(url).status_code, 200, url)

    def test_the_referent_and_the_auditor_read_only(self):
        pages = self.pages()
        for user in (self.rita, self.aude):
            self.client.force_login(user)
            for url in pages["read"]:
                self.assertEqual(self.client.get(url).status_code, 200, url)
            for url in pages["write"] + pages["post"]:
                self.assertEqual(self.client.post(url, {}).status_code, 403, url)
            self.assertNotContains(self.client.get(pages["read"][1]), "Valider l")
        self.assertEqual(self.dpia.measures.count(), 1)

    def test_the_collaborateur_is_refused(self):
        pages = self.pages()
        self.client.force_login(self.colin)
        for url in pages["read"] + pages["write"]:
            self.assertEqual(self.client.get(url).status_code, 403, url)

    def test_the_outsider_gets_404_and_a_foreign_assessment_is_404(self):
        pages = self.pages()
        self.client.force_login(self.oscar)
        for url in pages["read"] + pages["write"] + pages["post"]:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.client.force_login(self.alice)
        foreign_measure = DpiaMeasure.objects.create(organisation=self.other_org,
                                                     dpia=self.foreign, text="Bravo")
        for url in (self.url("privacy_dpia", self.foreign.pk),
                    self.url("privacy_dpia_edit", self.foreign.pk, "risques"),
                    self.url("privacy_dpia_pdf", self.foreign.pk)):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.post(
            self.url("privacy_dpiameasure_delete", foreign_measure.pk)).status_code, 404)
        self.assertTrue(DpiaMeasure.objects.filter(pk=foreign_measure.pk).exists())

    def test_the_anonymous_visitor_goes_to_sign_in(self):
        for url in self.pages()["read"] + self.pages()["write"]:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertIn("/comptes/login/", response["Location"])

    def test_a_get_of_a_post_only_address_is_refused(self):
        self.client.force_login(self.alice)
        for url in self.pages()["post"]:
            self.assertEqual(self.client.get(url).status_code, 405, url)


class ListTestCase(DpiaTestCase):
    def test_it_shows_state_processing_and_highest_risk(self):
        self.post_risks(levels={"modification": (4, 3)})
        shown = page(self.client.get(self.url("privacy_dpias")))
        self.assertIn("AIPD dispensation", shown)
        self.assertIn("En cours de rédaction", shown)
        self.assertIn("Dispensation et dossier patient", shown)
        self.assertIn("gravité 4, vraisemblance 3", shown)
        self.assertNotIn("Bravo", shown)

    def test_the_empty_list_explains_and_links_to_the_screenings(self):
        self.dpia.delete()
        self.client.force_login(self.rita)
        response = self.client.get(self.url("privacy_dpias"))
        shown = page(response)
        self.assertIn("Aucune analyse d'impact pour l'instant.", shown)
        self.assertIn("2,6 M€ HT", shown)
        self.assertContains(response, self.url("privacy_dpia_screening", self.processing.pk))
        self.assertNotContains(response, self.url("privacy_dpia_new"))

    def test_the_list_costs_the_same_for_5_and_60(self):
        self.client.force_login(self.alice)

        def make_row(i):
            dpia = Dpia.objects.create(organisation=self.org, processing=self.processing,
                                       title=f"Analyse {i}",
                                       risks={"disparition": {"severity": 2,
                                                              "likelihood": 3}})
            DpiaMeasure.objects.create(organisation=self.org, dpia=dpia, text="Mesure")

        self.assertQueriesConstant(self.url("privacy_dpias"), make_row)

    def test_one_assessment_costs_the_same_whatever_its_measures(self):
        self.client.force_login(self.alice)

        def make_row(i):
            DpiaMeasure.objects.create(organisation=self.org, dpia=self.dpia,
                                       text=f"Mesure {i}", risks=["disparition"])

        self.assertQueriesConstant(self.url("privacy_dpia", self.dpia.pk), make_row)
