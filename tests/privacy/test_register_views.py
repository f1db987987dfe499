"""The register's pages: the list (completeness, prefill, review), one processing (its
fields, retentions, links, the diagnostic's scores, its problems and history), adding and
editing (versioned, conflicts shown, bad input told), confirming and removing. Every role,
the outsider, the anonymous visitor, query counts."""

import html

from django.utils import timezone

from pharmagarde.core.models import AuditEntry
from pharmagarde.diagnostic.models import Assessment
from pharmagarde.inventory.models import Software
from pharmagarde.privacy import register_services
from pharmagarde.privacy.models import (
    PrivacyProfile,
    PrivacyVersion,
    Processing,
    Processor,
    Retention,
)
from tests.base import BaseTestCase, make_organisation

FIELDS = ["name", "in_use", "purpose", "legal_basis", "legal_basis_detail", "special_basis",
          "people", "data_categories", "recipients", "transfers", "transfer_details",
          "security_measures"]


def page(response) -> str:
    return html.unescape(response.content.decode()).replace("\u00a0", " ").replace(
        "\u202f", " ")


def form_data(processing: Processing | None, retentions=None, **changes) -> dict:
    """The edit form as shown for `processing` (or empty), with `changes`."""
    data = {"revision": processing.revision if processing else ""}
    for name in FIELDS:
        value = getattr(processing, name) if processing else ""
        data[name] = "" if value is None else str(value) if isinstance(value, bool) else value
    if processing:
        for name in ("health_data", "nir"):
            if getattr(processing, name):
                data[name] = "on"
        data["themes"] = list(processing.themes)
        data["software"] = [item.pk for item in processing.software.all()]
        data["processors"] = [item.pk for item in processing.processors.all()]
    if retentions is None:
        retentions = [(row.data, row.duration, row.reference, row.to_check)
                      for row in processing.retentions.all()] if processing else []
    data.update({"retentions-TOTAL_FORMS": str(len(retentions)),
                 "retentions-INITIAL_FORMS": str(len(retentions)),
                 "retentions-MIN_NUM_FORMS": "0", "retentions-MAX_NUM_FORMS": "1000"})
    for index, (what, duration, reference, to_check) in enumerate(retentions):
        data.update({f"retentions-{index}-data": what,
                     f"retentions-{index}-duration": duration,
                     f"retentions-{index}-reference": reference})
        if to_check:
            data[f"retentions-{index}-to_check"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


class RegisterCase(BaseTestCase):
    def prefill(self, organisation=None):
        return register_services.register_prefill(acting_user=self.alice,
                                                  organisation=organisation or self.org)

    def processing(self, key="dispensation"):
        return Processing.objects.get(organisation=self.org, key=key)


class PrefillTestCase(RegisterCase):
    def test_the_empty_register_says_what_the_prefill_does(self):
        self.client.force_login(self.dora)
        response = self.client.get(self.org_url("privacy_register"))
        self.assertShows(response, "Pharmagarde peut le préremplir avec les 11 traitements")
        self.assertShows(response, "Préremplir le registre")

    def test_it_prefills_an_officine_once_with_numbers_retentions_and_audit(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("privacy_register_prefill"), follow=True)
        self.assertShows(response, "11 traitements proposés ont été ajoutés")
        keys = list(Processing.objects.filter(organisation=self.org)
                    .values_list("key", flat=True))
        for key in ("dispensation", "dossier-pharmaceutique", "facturation-tiers-payant",
                    "vaccination-services", "commandes-stock", "personnel-paie",
                    "recrutement", "videoprotection", "fidelite", "vente-en-ligne"):
            self.assertIn(key, keys)
        numbers = list(Processing.objects.filter(organisation=self.org)
                       .values_list("number", flat=True))
        self.assertEqual(numbers, list(range(1, 12)))
        self.assertIsNone(self.processing("videoprotection").in_use)
        self.assertTrue(self.processing("dispensation").in_use)
        dispensation = self.processing("dispensation")
        self.assertTrue(dispensation.health_data and dispensation.nir)
        self.assertEqual(dispensation.special_basis, "soins")
        self.assertTrue(Retention.objects.filter(processing=dispensation,
                                                 reference__contains="R. 5132-10").exists())
        self.assertTrue(Retention.objects.filter(processing=self.processing("personnel-paie"),
                                                 duration="5 ans").exists())
        self.assertTrue(Retention.objects.filter(
            processing=self.processing("dossier-pharmaceutique"), to_check=True).exists())
        self.assertIsNotNone(PrivacyProfile.objects.get(organisation=self.org).prefilled_at)
        entry = AuditEntry.objects.get(action="privacy.register_prefilled")
        self.assertEqual(entry.details["traitements"], 11)
        # A second time adds nothing.
        response = self.client.post(self.org_url("privacy_register_prefill"), follow=True)
        self.assertShows(response, "Le registre a déjà été prérempli")
        self.assertEqual(Processing.objects.filter(organisation=self.org).count(), 11)
        self.assertEqual(self.prefill(), 0)

    def test_each_kind_gets_its_own_list(self):
        expected = {"pui": ["dispensation-nominative", "retrocession",
                            "validation-conciliation", "preparations",
                            "tracabilite-mds-dmi", "personnel-paie", "videoprotection"],
                    "lbm": ["accueil-patients", "analyses-resultats",
                            "transmission-resultats", "facturation", "qualite",
                            "personnel-paie"],
                    "industrie": ["pharmacovigilance", "recherche-clinique",
                                  "information-medicale", "relations-professionnels",
                                  "personnel-paie"],
                    "distribution": ["clients-pharmacies", "commandes-livraisons",
                                     "tracabilite-rappels", "personnel-paie",
                                     "videoprotection"]}
        for kind, keys in expected.items():
            with self.subTest(kind=kind):
                organisation = make_organisation(f"Structure {kind}", f"s-{kind}", kind=kind)
                self.assertEqual(self.prefill(organisation), len(keys))
                self.assertEqual(list(Processing.objects.filter(organisation=organisation)
                                      .values_list("key", flat=True)), keys)
        trial = Processing.objects.get(key="recherche-clinique")
        self.assertEqual(trial.retentions.get().reference, "Règlement (UE) 536/2014, art. 58")

    def test_it_numbers_after_the_processings_already_there(self):
        Processing.objects.create(organisation=self.org, number=1, name="Déjà là")
        self.assertEqual(self.prefill(), 11)
        self.assertEqual(self.processing("dispensation").number, 2)

    def test_only_the_writers_prefill(self):
        for user, status in [(self.rita, 403), (self.aude, 403), (self.colin, 403),
                             (self.oscar, 404)]:
            self.client.force_login(user)
            self.assertEqual(self.client.post(self.org_url("privacy_register_prefill"))
                             .status_code, status)
        self.client.force_login(self.dora)
        self.assertEqual(self.client.get(self.org_url("privacy_register_prefill"))
                         .status_code, 405)
        self.assertFalse(Processing.objects.exists())


class ListTestCase(RegisterCase):
    def test_it_shows_completeness_flags_processors_and_not_in_use_apart(self):
        self.prefill()
        processor = Processor.objects.create(organisation=self.org, name="Éditeur LGO")
        self.processing().processors.add(processor)
        Processing.objects.filter(key="fidelite").update(in_use=False)
        self.client.force_login(self.rita)
        response = self.client.get(self.org_url("privacy_register"))
        text = page(response)
        self.assertIn("0 traitements complets sur 10.", text)
        self.assertIn("10 restent à terminer.", text)
        self.assertIn("Éditeur LGO", text)
        self.assertIn("NIR", text)
        self.assertIn("points à terminer", text)
        self.assertIn("Traitements non mis en œuvre", text)
        self.assertIn("Programme de fidélité", text.split("Traitements non mis en œuvre")[1])
        self.assertNotIn("Ajouter un traitement", text)  # the référent reads

    def test_it_is_for_the_readers(self):
        url = self.org_url("privacy_register")
        for user in (self.alice, self.dora, self.rita, self.aude):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 200)
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        self.assertRedirects(self.client.get(url), f"/comptes/login/?next={url}",
                             fetch_redirect_response=False)

    def test_the_list_costs_the_same_queries_for_5_or_60_processings(self):
        self.client.force_login(self.dora)
        processor = Processor.objects.create(organisation=self.org, name="Prestataire")

        def make(n):
            processing = Processing.objects.create(organisation=self.org, number=n + 1,
                                                   name=f"Traitement {n}")
            Retention.objects.create(organisation=self.org, processing=processing,
                                     data="Tout", duration="1 an")
            processing.processors.add(processor)

        self.assertQueriesConstant(self.org_url("privacy_register"), make)

    def test_the_review_is_noted_for_the_writers(self):
        url = self.org_url("privacy_register_review")
        for user, status in [(self.rita, 403), (self.aude, 403), (self.oscar, 404)]:
            self.client.force_login(user)
            self.assertEqual(self.client.post(url).status_code, status)
        self.client.force_login(self.dora)
        response = self.client.post(url, follow=True)
        self.assertShows(response, "Revue du registre notée.")
        profile = PrivacyProfile.objects.get(organisation=self.org)
        self.assertEqual(profile.register_reviewed_by, self.dora)
        self.assertTrue(AuditEntry.objects.filter(action="privacy.register_reviewed").exists())


class DetailTestCase(RegisterCase):
    def test_it_shows_every_field_retentions_links_scores_problems_and_history(self):
        self.prefill()
        processing = self.processing()
        software = Software.objects.create(organisation=self.org, name="LGO Officine+")
        processing.software.add(software)
        Assessment.objects.create(organisation=self.org, referential_version="2026.2",
                                  organisation_kind="officine", size_band="1-5",
                                  status=Assessment.Status.COMPLETED,
                                  completed_at=timezone.now(),
                                  theme_scores={"comptes": 62.4, "postes": 40})
        PrivacyVersion.objects.create(organisation=self.org, record_type="processing",
                                      record_id=processing.pk, revision=1,
                                      changes={"finalité": ["Avant", "Après"]},
                                      author=self.alice)
        self.client.force_login(self.aude)
        response = self.client.get(self.org_url("privacy_processing", processing.pk))
        text = page(response)
        for shown in ("Dispensation des médicaments et suivi des patients",
                      "Obligation légale", "Médecine, diagnostic", "Patients",
                      "Ordonnancier", "Code de la santé publique, art. R. 5132-10",
                      "à vérifier", "LGO Officine+", "Comptes et mots de passe : 62 sur 100",
                      "Postes de travail : 40 sur 100", "Sauvegardes : pas encore évalué",
                      "Éditeur du logiciel métier", "finalité (Avant → Après)",
                      "Relisez ce traitement, puis confirmez-le."):
            self.assertIn(shown, text)
        self.assertNotIn("Modifier", text)  # the auditor reads

    def test_problems_link_to_their_field_for_the_writers(self):
        processing = Processing.objects.create(organisation=self.org, number=1, name="Vide")
        self.client.force_login(self.dora)
        response = self.client.get(self.org_url("privacy_processing", processing.pk))
        edit = self.org_url("privacy_processing_edit", processing.pk)
        self.assertContains(response, f'href="{edit}#id_purpose"')
        self.assertContains(response, f'href="{edit}#id_retentions"')
        self.assertContains(response, 'href="#confirmation"')

    def test_another_organisations_processing_is_not_found(self):
        other = Processing.objects.create(organisation=self.other_org, number=1, name="Autre")
        self.client.force_login(self.alice)
        for name in ("privacy_processing", "privacy_processing_edit",
                     "privacy_processing_delete"):
            self.assertEqual(self.client.get(self.org_url(name, other.pk)).status_code, 404)
        self.assertEqual(self.client.post(self.org_url("privacy_processing_confirm", other.pk))
                         .status_code, 404)


class EditTestCase(RegisterCase):
    def setUp(self):
        self.prefill()
        self.target = self.processing()

    def test_a_change_is_versioned_with_retentions_and_links_and_audited(self):
        software = Software.objects.create(organisation=self.org, name="LGO Officine+")
        self.client.force_login(self.dora)
        rows = [("Ordonnancier", "10 ans", "Code de la santé publique, art. R. 5132-10",
                 False), ("Historique", "3 ans", "Choix validé avec le DPO", False)]
        response = self.client.post(
            self.org_url("privacy_processing_edit", self.target.pk),
            form_data(self.target, rows, purpose="Délivrer et conseiller.",
                      software=[software.pk]))
        self.assertRedirects(response, self.org_url("privacy_processing", self.target.pk))
        self.target.refresh_from_db()
        self.assertEqual(self.target.purpose, "Délivrer et conseiller.")
        self.assertEqual(self.target.revision, 1)
        self.assertEqual(list(self.target.software.all()), [software])
        self.assertEqual([(r.data, r.to_check) for r in self.target.retentions.all()],
                         [("Ordonnancier", False), ("Historique", False)])
        version = PrivacyVersion.objects.get(record_type="processing",
                                             record_id=self.target.pk)
        self.assertIn("finalité", version.changes)
        self.assertEqual(version.changes["logiciels utilisés"], ["", "LGO Officine+"])
        before, after = version.changes["Durées de conservation"]
        self.assertIn("Copies des ordonnances de stupéfiants", before)
        self.assertNotIn("stupéfiants", after)
        self.assertEqual(version.author, self.dora)
        entry = AuditEntry.objects.get(action="privacy.processing_updated")
        self.assertIn("finalité", entry.details["champs"])
        response = self.client.get(self.org_url("privacy_processing", self.target.pk))
        self.assertIn("Historique", page(response))

    def test_nothing_changed_writes_no_version(self):
        self.client.force_login(self.dora)
        self.client.post(self.org_url("privacy_processing_edit", self.target.pk),
                         form_data(self.target))
        self.assertFalse(PrivacyVersion.objects.exists())

    def test_a_concurrent_edit_is_a_conflict_that_shows_both_versions(self):
        self.client.force_login(self.alice)
        stale = form_data(self.target, purpose="Ma version.")
        register_services.processing_update(
            acting_user=self.dora, processing=self.processing(),
            values={"purpose": "Version de Dora."}, revision=0,
            retentions=register_services.retention_values(self.target),
            links=register_services.Links())
        response = self.client.post(self.org_url("privacy_processing_edit", self.target.pk),
                                    stale)
        self.assertEqual(response.status_code, 409)
        text = page(response)
        self.assertIn("Quelqu'un d'autre a modifié ce traitement", text)
        self.assertIn("Version de Dora.", text)
        self.assertIn("Ma version.", text)
        self.assertContains(response, 'name="revision" value="1"', status_code=409)
        self.target.refresh_from_db()
        self.assertEqual(self.target.purpose, "Version de Dora.")
        # Saving again, after reading, replaces it.
        response = self.client.post(self.org_url("privacy_processing_edit", self.target.pk),
                                    {**stale, "revision": "1"})
        self.assertEqual(response.status_code, 302)
        self.target.refresh_from_db()
        self.assertEqual(self.target.purpose, "Ma version.")

    def test_bad_input_is_told_next_to_the_field_and_nothing_is_saved(self):
        self.client.force_login(self.dora)
        url = self.org_url("privacy_processing_edit", self.target.pk)
        other_software = Software.objects.create(organisation=self.other_org, name="Autre")
        cases = [({"name": ""}, "Donnez un nom au traitement"),
                 ({"legal_basis": "envie"}, "Choisissez une réponse de la liste."),
                 ({"in_use": "peut-être"}, "Choisissez une réponse de la liste."),
                 ({"themes": ["inconnu"]}, "Choisissez des thèmes de la liste."),
                 ({"software": [other_software.pk]}, "Choisissez dans la liste."),
                 ({"name": "x" * 151}, "150 caractères au plus.")]
        for changes, message in cases:
            with self.subTest(changes=changes):
                response = self.client.post(url, form_data(self.target, **changes))
                self.assertEqual(response.status_code, 422)
                self.assertIn(message, page(response))
        response = self.client.post(url, form_data(self.target, [("", "5 ans", "", False)]))
        self.assertEqual(response.status_code, 422)
        self.assertIn("Dites quelles données sont conservées.", page(response))
        response = self.client.post(url, form_data(self.target, [("Factures", "", "", False)]))
        self.assertIn("Indiquez la durée", page(response))
        self.assertFalse(PrivacyVersion.objects.exists())
        self.assertEqual(self.processing().revision, 0)

    def test_a_new_processing_is_numbered_after_the_last(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("privacy_processing_new"), form_data(
            None, [("Images", "30 jours", "Code de la sécurité intérieure", False)],
            name="Badges d'accès", legal_basis="interet-legitime", themes=["comptes"]))
        created = Processing.objects.get(name="Badges d'accès")
        self.assertRedirects(response, self.org_url("privacy_processing", created.pk))
        self.assertEqual((created.number, created.key, created.themes), (12, "", ["comptes"]))
        self.assertEqual(created.retentions.get().duration, "30 jours")
        self.assertTrue(AuditEntry.objects.filter(action="privacy.processing_created").exists())
        response = self.client.post(self.org_url("privacy_processing_new"),
                                    form_data(None, name=""))
        self.assertEqual(response.status_code, 422)

    def test_the_forms_are_for_the_writers(self):
        for name, args in [("privacy_processing_edit", [self.target.pk]),
                           ("privacy_processing_new", [])]:
            url = self.org_url(name, *args)
            for user in (self.alice, self.dora):
                self.client.force_login(user)
                self.assertEqual(self.client.get(url).status_code, 200)
            for user in (self.rita, self.aude, self.colin):
                self.client.force_login(user)
                self.assertEqual(self.client.get(url).status_code, 403)
                self.assertEqual(self.client.post(url, form_data(self.target)).status_code,
                                 403)
            self.client.force_login(self.oscar)
            self.assertEqual(self.client.get(url).status_code, 404)
            self.client.logout()
            self.assertEqual(self.client.get(url).status_code, 302)
        self.assertEqual(self.processing().revision, 0)


class ConfirmDeleteTestCase(RegisterCase):
    def setUp(self):
        self.prefill()
        self.target = self.processing()

    def test_confirming_notes_who_and_when(self):
        url = self.org_url("privacy_processing_confirm", self.target.pk)
        self.client.force_login(self.aude)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.dora)
        self.assertEqual(self.client.get(url).status_code, 405)
        response = self.client.post(url, follow=True)
        self.assertShows(response, "est relu et confirmé")
        self.assertShows(response, "Relu et confirmé le")
        self.target.refresh_from_db()
        self.assertEqual(self.target.confirmed_by, self.dora)
        self.assertIsNotNone(self.target.confirmed_at)
        self.assertTrue(AuditEntry.objects.filter(
            action="privacy.processing_confirmed").exists())
        self.assertTrue(PrivacyVersion.objects.filter(record_id=self.target.pk).exists())

    def test_removing_asks_first_then_removes_with_audit(self):
        url = self.org_url("privacy_processing_delete", self.target.pk)
        for user in (self.rita, self.aude, self.colin):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.alice)
        self.assertShows(self.client.get(url), "Supprimer « Dispensation des médicaments")
        response = self.client.post(url)
        self.assertRedirects(response, self.org_url("privacy_register"))
        self.assertFalse(Processing.objects.filter(pk=self.target.pk).exists())
        self.assertFalse(Retention.objects.filter(processing_id=self.target.pk).exists())
        entry = AuditEntry.objects.get(action="privacy.processing_deleted")
        self.assertEqual(entry.details["numéro"], 1)
