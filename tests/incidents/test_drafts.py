"""The drafts of an incident's declarations: their content from the records (placeholders
where the records say nothing), their pages to copy field by field, their PDF."""

import sys
from unittest import mock

from django.utils import translation

from pharmagarde.core.models import AuditEntry
from pharmagarde.incidents import drafts
from pharmagarde.incidents.models import (
    Breach,
    EmergencyContact,
    Incident,
    Obligation,
    ReflexStep,
    ResponseProfile,
    TimelineEntry,
    TimelineFile,
)
from tests.base import BaseTestCase, make_organisation
from tests.incidents.test_exports import assert_pdf, at, render_for

PLACEHOLDER = "[à compléter"


def values(draft) -> dict[str, str]:
    return {field.label: field.value for section in draft.sections for field in section.fields}


class DraftTestCase(BaseTestCase):
    """A ransomware noticed on a Friday at 23:00, its breach filled in, notified to the CNIL
    80 hours later with the reason of the delay."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.org.address, cls.org.postal_code, cls.org.city = "3 rue des Lilas", "69003", "Lyon"
        cls.org.finess = ""
        cls.org.save()
        cls.incident = Incident.objects.create(
            organisation=cls.org, number=1, kind=Incident.Kind.RANSOMWARE,
            description="Les fichiers du poste de comptoir ne s'ouvrent plus.",
            started_at=at(6, 21), noticed_at=at(6, 23), severity=Incident.Severity.CRITICAL,
            personal_data=Incident.PersonalData.YES, declared_by=cls.colin,
            processors="Éditeur du LGO", processors_told_at=at(7, 9),
            people_involved="Paul, préparateur, a vu le message.")
        cls.breach = Breach.objects.create(
            organisation=cls.org, number=1, incident=cls.incident, aware_at=at(6, 23),
            facts="Le serveur du logiciel d'officine a été chiffré et ses données copiées.",
            origin="piratage", cause="externe-malveillance", confidentiality=True,
            availability=True, people_categories="Patients", people_count=4200,
            records_count=15000, data_types=["identite", "sante", "nir"], health_data=True,
            nir=True, media="Serveur du logiciel d'officine",
            consequences="Divulgation de traitements, hameçonnage ciblé.",
            measures_taken="Serveur isolé du réseau, mots de passe changés.",
            measures_planned="Sauvegarde hors ligne chaque nuit.",
            contact="Dora Dupont, DPO, 04 00 00 00 00",
            decision=Breach.Decision.NOTIFY_AND_INFORM,
            decision_reasons="Données de santé et NIR de milliers de patients.")
        cls.obligation = Obligation.objects.create(
            organisation=cls.org, incident=cls.incident, code="cnil_initial",
            done_at=at(10, 7), reference="CNIL-2026-0042",
            delay_reason="Le prestataire n'a confirmé la copie des données que lundi.")
        entry = TimelineEntry.objects.create(organisation=cls.org, incident=cls.incident,
                                             at=at(7, 0, 30), text="Serveur débranché.")
        TimelineEntry.objects.create(organisation=cls.org, incident=cls.incident,
                                     at=at(6, 23, 15), text="Message de rançon photographié.")
        TimelineFile.objects.create(organisation=cls.org, entry=entry, file="rancon.png",
                                    original_name="rancon.png", size=10,
                                    content_type="image/png")
        ReflexStep.objects.create(organisation=cls.org, incident=cls.incident, position=1,
                                  key="isoler", text="Débranchez le câble réseau.",
                                  done_at=at(6, 23, 20))
        ResponseProfile.objects.create(organisation=cls.org, nis2_entity=True,
                                       cyber_insured=True, insurer="Assur'Officine n° 77")
        cls.other_incident = Incident.objects.create(
            organisation=cls.other_org, number=1, kind=Incident.Kind.OTHER,
            description="Incident de Bravo", noticed_at=at(6))

    def facts(self, incident=None, now=None):
        return drafts.facts_for(incident or self.incident, now=now or at(20))

    def draft(self, slug, **kwargs):
        return drafts.build(slug, self.facts(**kwargs))

    def bare_incident(self, **fields):
        """An incident of Alpha with nothing but the declaration."""
        defaults = {"number": 2, "kind": Incident.Kind.PHISHING,
                    "description": "Un collègue a saisi son mot de passe.",
                    "noticed_at": at(18, 10)}
        defaults.update(fields)
        return Incident.objects.create(organisation=self.org, **defaults)


class CnilDraftTestCase(DraftTestCase):
    def test_it_follows_the_sections_of_the_form_filled_from_the_records(self):
        draft = self.draft("cnil-initiale")
        self.assertEqual([s.title for s in draft.sections],
                         ["L'organisme", "La notification", "Les dates", "Les circonstances",
                          "Les personnes et les données", "Les conséquences", "Les mesures"])
        got = values(draft)
        self.assertEqual(got["Nom de la structure"], "Pharmacie Alpha")
        self.assertEqual(got["Numéro SIREN"], "732829320")
        self.assertEqual(got["Adresse"], "3 rue des Lilas, 69003 Lyon")
        self.assertEqual(got["Type de notification"], "Notification initiale")
        self.assertEqual(got["La violation est-elle avérée ou supposée ?"], "Avérée")
        self.assertEqual(got["Date de début de la violation"], "06/11/2026 à 21:00")
        self.assertEqual(got["Date de découverte de la violation"], "06/11/2026 à 23:00")
        self.assertEqual(got["Date de fin de la violation"], "Pas encore connue")
        self.assertEqual(got["La violation est-elle toujours en cours ?"],
                         "Oui : l'incident n'est pas encore maîtrisé.")
        self.assertEqual(got["Origine de la violation"], "Piratage, rançongiciel, hameçonnage")
        self.assertEqual(got["Cause de la violation"], "Externe, malveillante")
        self.assertIn("Perte de confidentialité", got["Nature de la violation"])
        self.assertIn("Perte de disponibilité", got["Nature de la violation"])
        self.assertNotIn("intégrité", got["Nature de la violation"])
        self.assertEqual(got["Sous-traitants concernés"],
                         "Éditeur du LGO\nPrévenu par le prestataire le 07/11/2026 à 09:00.")
        self.assertEqual(got["Nombre approximatif de personnes"], "4200")
        self.assertIn("Données de santé", got["Catégories de données"])
        self.assertEqual(got["Numéro de sécurité sociale (NIR)"], "Oui")
        self.assertEqual(got["Données de santé"], "Oui")
        self.assertIn("NIR", got["Les personnes sont-elles directement identifiables ?"])
        self.assertEqual(got["Supports concernés"], "Serveur du logiciel d'officine")
        self.assertEqual(got["Mesures prévues à moyen et long terme"],
                         "Sauvegarde hors ligne chaque nuit.")
        self.assertEqual(got["Personne à contacter (DPO ou autre)"],
                         "Dora Dupont, DPO, 04 00 00 00 00")
        self.assertIn("informées", got["Information des personnes concernées"])
        self.assertIn("09/11/2026 à 23:00", draft.deadline)  # 72 h, the weekend counts

    def test_a_late_notification_gives_the_reason_of_the_delay(self):
        got = values(self.draft("cnil-initiale"))
        self.assertEqual(got["Raison du retard de la notification"],
                         "Le prestataire n'a confirmé la copie des données que lundi.")

    def test_a_late_notification_without_a_reason_asks_for_one(self):
        Obligation.objects.filter(pk=self.obligation.pk).update(delay_reason="")
        got = values(self.draft("cnil-initiale"))
        self.assertTrue(got["Raison du retard de la notification"].startswith(PLACEHOLDER))

    def test_a_notification_not_yet_made_is_late_after_72_hours(self):
        Obligation.objects.filter(pk=self.obligation.pk).delete()
        self.assertNotIn("Raison du retard de la notification",
                         values(self.draft("cnil-initiale", now=at(9, 22))))
        late = values(self.draft("cnil-initiale", now=at(10, 0)))
        self.assertTrue(late["Raison du retard de la notification"].startswith(PLACEHOLDER))

    def test_a_notification_within_72_hours_has_no_delay_field(self):
        Obligation.objects.filter(pk=self.obligation.pk).update(done_at=at(8, 12),
                                                                delay_reason="")
        self.assertNotIn("Raison du retard de la notification",
                         values(self.draft("cnil-initiale")))

    def test_the_complementary_notification_recalls_the_initial_one(self):
        got = values(self.draft("cnil-complementaire"))
        self.assertEqual(got["Type de notification"], "Notification complémentaire")
        self.assertEqual(got["Numéro de la notification initiale"], "CNIL-2026-0042")
        self.assertEqual(got["Date de la notification initiale"], "10/11/2026 à 07:00")

    def test_an_empty_record_gives_placeholders_not_inventions(self):
        incident = self.bare_incident(personal_data=Incident.PersonalData.UNKNOWN)
        Breach.objects.create(organisation=self.org, number=2, incident=incident,
                              aware_at=incident.noticed_at)
        draft = self.draft("cnil-initiale", incident=incident, now=at(18, 12))
        got = values(draft)
        self.assertEqual(got["La violation est-elle avérée ou supposée ?"],
                         "Supposée : les vérifications sont en cours")
        self.assertEqual(got["Date de début de la violation"], "Pas encore connue")
        for label in ("Origine de la violation", "Nature de la violation",
                      "Cause de la violation", "Sous-traitants concernés",
                      "Catégories de personnes concernées", "Nombre approximatif de personnes",
                      "Catégories de données", "Supports concernés",
                      "Conséquences probables pour les personnes",
                      "Mesures prises immédiatement", "Mesures prévues à moyen et long terme",
                      "Personne à contacter (DPO ou autre)"):
            self.assertTrue(got[label].startswith(PLACEHOLDER), label)
        self.assertGreaterEqual(draft.missing, 12)
        self.assertNotIn("Raison du retard de la notification", got)

    def test_the_dpo_of_the_emergency_contacts_is_the_contact_when_the_record_has_none(self):
        incident = self.bare_incident()
        Breach.objects.create(organisation=self.org, number=2, incident=incident,
                              aware_at=incident.noticed_at)
        EmergencyContact.objects.create(organisation=self.org, kind="dpo", name="Cabinet DPO",
                                        phone="01 02 03 04 05", email="dpo@cabinet.example")
        got = values(self.draft("cnil-initiale", incident=incident))
        self.assertEqual(got["Personne à contacter (DPO ou autre)"],
                         "Cabinet DPO (DPO) — 01 02 03 04 05 — dpo@cabinet.example")

    def test_without_a_breach_record_it_still_builds_and_says_so(self):
        draft = self.draft("cnil-initiale", incident=self.bare_incident())
        self.assertIn("Aucune fiche", draft.notes[0])
        self.assertTrue(values(draft)["Personnes et données concernées"].startswith(
            PLACEHOLDER))

    def test_drafts_are_in_french_whatever_the_language(self):
        with translation.override("en"):
            got = values(self.draft("cnil-initiale"))
        self.assertEqual(got["Origine de la violation"], "Piratage, rançongiciel, hameçonnage")
        self.assertEqual(got["Type de structure"], "Officine")


class OtherDraftsTestCase(DraftTestCase):
    def test_the_letter_to_the_people_in_plain_words(self):
        draft = self.draft("lettre-personnes")
        self.assertEqual(draft.notes, [])
        got = values(draft)
        self.assertEqual(got["Expéditeur"], "Pharmacie Alpha\n3 rue des Lilas, 69003 Lyon")
        self.assertTrue(got["Ce qui s'est passé"].startswith(
            "Le 06/11/2026, nous avons découvert un incident"))
        self.assertIn("chiffré et ses données copiées", got["Ce qui s'est passé"])
        self.assertIn("numéro de sécurité sociale (nir)", got["Les données concernées"])
        self.assertEqual(got["Ce que cela peut entraîner pour vous"],
                         "Divulgation de traitements, hameçonnage ciblé.")
        self.assertIn("Sauvegarde hors ligne", got["Ce que nous avons fait"])
        advice = got["Ce que vous pouvez faire"]
        self.assertIn("nous ne vous demanderons jamais vos codes", advice)
        self.assertIn("numéro de sécurité sociale", advice)
        self.assertIn("116 006", advice)
        self.assertNotIn("relevés bancaires", advice)
        self.assertEqual(got["Pour nous joindre"], "Dora Dupont, DPO, 04 00 00 00 00")

    def test_the_letter_after_a_phishing_tells_to_change_passwords(self):
        incident = self.bare_incident()
        Breach.objects.create(organisation=self.org, number=2, incident=incident,
                              aware_at=incident.noticed_at, data_types=["bancaire"],
                              decision=Breach.Decision.NOTIFY)
        draft = self.draft("lettre-personnes", incident=incident)
        advice = values(draft)["Ce que vous pouvez faire"]
        self.assertIn("Changez votre mot de passe", advice)
        self.assertIn("relevés bancaires", advice)
        self.assertIn("ne prévoit pas d'informer", draft.notes[0])
        self.assertTrue(values(draft)["Ce qui s'est passé"].startswith(PLACEHOLDER))

    def test_the_cert_sante_report_follows_the_order_of_2017(self):
        draft = self.draft("cert-sante")
        self.assertEqual([s.title for s in draft.sections],
                         ["La structure", "Le déclarant", "L'incident", "Les impacts",
                          "Les causes et les mesures"])
        got = values(draft)
        self.assertEqual(got["SIRET"], "73282932000074")
        self.assertEqual(got["Date de constatation"], "06/11/2026 à 23:00")
        self.assertEqual(got["Périmètre touché"], "Serveur du logiciel d'officine")
        self.assertIn("Des données de santé sont concernées.", got["Sur les données"])
        self.assertEqual(got["Sur l'organisation et l'activité"],
                         "Critique : l'activité est arrêtée")
        self.assertEqual(got["Causes connues ou supposées"],
                         "Externe, malveillante\nPiratage, rançongiciel, hameçonnage")
        self.assertTrue(got["Nom et fonction"].startswith(PLACEHOLDER))
        self.assertEqual(draft.deadline, "Sans délai, dès que l'incident est constaté.")

    def test_the_three_nis2_reports(self):
        early = self.draft("nis2-alerte")
        got = values(early)
        self.assertEqual(got["L'incident est-il suspecté d'être causé par un acte illicite ou "
                             "malveillant ?"], "Oui : cause externe, malveillante.")
        self.assertTrue(got["L'incident peut-il avoir un impact dans d'autres pays ?"]
                        .startswith(PLACEHOLDER))
        self.assertIn("07/11/2026 à 23:00", early.deadline)
        notification = values(self.draft("nis2-notification"))
        self.assertEqual(notification["Gravité"], "Critique : l'activité est arrêtée")
        self.assertTrue(notification["Indicateurs de compromission"].startswith(PLACEHOLDER))
        Incident.objects.filter(pk=self.incident.pk).update(
            lessons="Sauvegardes hors ligne.", status=Incident.Status.CLOSED,
            closed_at=at(15, 18))
        self.incident.refresh_from_db()
        final = values(self.draft("nis2-rapport-final"))
        self.assertEqual(final["Retour d'expérience"], "Sauvegardes hors ligne.")
        self.assertEqual(final["Date de fin de l'incident"], "15/11/2026 à 18:00")
        self.assertIn("Piratage", final["Type de menace ou cause profonde"])
        self.assertIn("Serveur isolé", final["Mesures d'atténuation appliquées et en cours"])

    def test_an_accident_is_not_called_malicious(self):
        incident = self.bare_incident(kind=Incident.Kind.LOST_DEVICE)
        Breach.objects.create(organisation=self.org, number=2, incident=incident,
                              aware_at=incident.noticed_at, cause="interne-accident")
        got = values(self.draft("nis2-alerte", incident=incident))
        self.assertEqual(got["L'incident est-il suspecté d'être causé par un acte illicite ou "
                             "malveillant ?"],
                         "Non, d'après ce que l'on sait : cause accidentelle.")

    def test_the_complaint_tells_the_facts_in_order_and_the_insurance_rule(self):
        draft = self.draft("plainte")
        got = values(draft)
        self.assertEqual(got["Les faits, dans l'ordre"].splitlines(), [
            "06/11/2026 à 21:00 : début supposé de l'incident.",
            "06/11/2026 à 23:00 : incident constaté. Les fichiers du poste de comptoir ne "
            "s'ouvrent plus.",
            "06/11/2026 à 23:15 : Message de rançon photographié.",
            "07/11/2026 à 00:30 : Serveur débranché.",
        ])
        self.assertIn("– rancon.png (joint le 07/11/2026 à 00:30)", got["Preuves"])
        self.assertTrue(got["Rançon demandée"].startswith(PLACEHOLDER))
        self.assertEqual(got["Personnes impliquées"], "Paul, préparateur, a vu le message.")
        insurance = got["Assurance cyber"]
        self.assertIn("Assureur : Assur'Officine n° 77", insurance)
        self.assertIn("avant le 09/11/2026 à 23:00", insurance)
        self.assertIn("L.12-10-1", insurance)

    def test_which_drafts_apply(self):
        applicable, others = drafts.available(self.facts())
        self.assertEqual([kind.slug for kind, _step in applicable],
                         ["cnil-initiale", "cnil-complementaire", "lettre-personnes",
                          "nis2-alerte", "nis2-notification", "nis2-rapport-final",
                          "plainte"])
        self.assertEqual([kind.slug for kind, _step in others], ["cert-sante"])
        self.assertEqual(applicable[0][1].state, "done")
        # A laboratory reports to CERT Santé; a breach only recorded is not notified; the
        # complaint has no deadline without a cyber-insurance.
        lab = make_organisation("Laboratoire Delta", "delta", kind="lbm")
        incident = Incident.objects.create(organisation=lab, number=1, kind="autre",
                                           description="Panne", noticed_at=at(3))
        Breach.objects.create(organisation=lab, number=1, incident=incident, aware_at=at(3),
                              decision=Breach.Decision.RECORD)
        applicable, others = drafts.available(drafts.facts_for(incident, now=at(4)))
        self.assertEqual([kind.slug for kind, _step in applicable], ["cert-sante"])
        self.assertIn("plainte", [kind.slug for kind, _step in others])
        self.assertIn("lettre-personnes", [kind.slug for kind, _step in others])

    def test_the_complementary_notification_waits_for_the_initial_one(self):
        Obligation.objects.filter(pk=self.obligation.pk).update(done_at=None)
        applicable, _others = drafts.available(self.facts(now=at(8)))
        steps = {kind.slug: step for kind, step in applicable}
        self.assertNotIn("cnil-complementaire", steps)
        self.assertEqual(steps["cnil-initiale"].state, "due")

    def test_the_facts_cost_the_same_queries_whatever_the_timeline(self):
        def build_all():
            facts = drafts.facts_for(self.incident, now=at(20))
            for slug in drafts.KINDS:
                drafts.build(slug, facts)

        # The breach, the profile, the obligations, the timeline and its files, once for
        # all the drafts (the record names its contact and its measures: neither the DPO's
        # contact nor the reflexes done are read).
        with self.assertNumQueries(5):
            build_all()
        for i in range(30):
            TimelineEntry.objects.create(organisation=self.org, incident=self.incident,
                                         at=at(8, 10, i), text=f"Note {i}")
        with self.assertNumQueries(5):
            build_all()


class DraftPagesTestCase(DraftTestCase):
    def test_the_list_shows_the_drafts_that_apply(self):
        self.client.force_login(self.aude)
        page = self.client.get(self.org_url("incident_drafts", self.incident.pk))
        self.assertShows(page, "Notification initiale à la CNIL")
        self.assertContains(page, self.org_url("incident_draft", self.incident.pk,
                                               "cnil-initiale"))
        self.assertContains(page, self.org_url("incident_draft_pdf", self.incident.pk,
                                               "plainte"))
        self.assertShows(page, "Les autres brouillons, si votre situation l'exige")

    def test_the_incident_links_to_its_drafts_for_those_who_handle_it(self):
        url = self.org_url("incident_drafts", self.incident.pk)
        self.client.force_login(self.aude)
        self.assertContains(self.client.get(self.org_url("incident_detail", self.incident.pk)),
                            url)
        self.client.force_login(self.colin)
        self.assertNotContains(
            self.client.get(self.org_url("incident_detail", self.incident.pk)), url)

    def test_each_field_is_a_read_only_text_to_copy(self):
        self.client.force_login(self.dora)
        page = self.client.get(self.org_url("incident_draft", self.incident.pk,
                                            "cnil-initiale"))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, '<label for="champ-1-1">Nom de la structure</label>',
                            html=True)
        self.assertContains(page, '<textarea id="champ-1-1" rows="1" readonly>'
                                  'Pharmacie Alpha</textarea>', html=True)
        self.assertContains(page, 'data-copy="champ-1-1"')
        self.assertContains(page, "Le prestataire n&#x27;a confirmé la copie des données "
                                  "que lundi.")
        # Hidden until app.js shows it; no inline script, no inline handler (strict CSP).
        self.assertContains(page, 'data-copied="Copié" hidden>')
        content = page.content.decode()
        self.assertNotIn("<script>", content)
        self.assertNotIn("onclick", content)
        self.assertContains(page, self.org_url("incident_draft_pdf", self.incident.pk,
                                               "cnil-initiale"))

    def test_a_missing_value_is_marked(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.org_url("incident_draft", self.incident.pk, "cert-sante"))
        self.assertContains(page, "draft-field--missing")
        self.assertShows(page, "À compléter avant de l'envoyer.")

    def test_the_page_costs_the_same_queries_whatever_the_timeline(self):
        self.client.force_login(self.alice)

        def make_row(i):
            TimelineEntry.objects.create(organisation=self.org, incident=self.incident,
                                         at=at(8, 10, i % 60), text=f"Note {i}")

        self.assertQueriesConstant(self.org_url("incident_draft", self.incident.pk, "plainte"),
                                   make_row)

    def test_an_unknown_draft_is_not_found(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.org_url("incident_draft", self.incident.pk,
                                                      "inconnu")).status_code, 404)
        self.assertEqual(self.client.get(self.org_url("incident_draft_pdf", self.incident.pk,
                                                      "inconnu")).status_code, 404)

    def test_roles_outsiders_and_anonymous(self):
        for name, args in (("incident_drafts", [self.incident.pk]),
                           ("incident_draft", [self.incident.pk, "plainte"]),
                           ("incident_draft_pdf", [self.incident.pk, "plainte"])):
            url = self.org_url(name, *args)
            self.client.logout()
            self.assertTrue(self.client.get(url)["Location"].startswith("/comptes/login/"))
            # The collaborateur declared this incident, but the drafts are the register's.
            self.client.force_login(self.colin)
            self.assertEqual(self.client.get(url).status_code, 403, name)
            self.client.force_login(self.oscar)
            self.assertEqual(self.client.get(url).status_code, 404, name)
            self.client.force_login(self.alice)
            self.assertEqual(self.client.get(self.org_url(name, self.other_incident.pk,
                                                          *args[1:])).status_code, 404)


class DraftPdfTestCase(DraftTestCase):
    def get(self, slug="cnil-initiale", user=None):
        self.client.force_login(user or self.rita)
        return self.client.get(self.org_url("incident_draft_pdf", self.incident.pk, slug))

    def test_it_is_a_pdf_of_the_organisation_and_it_is_audited(self):
        response = self.get()
        assert_pdf(self, response, "cnil-initiale-inc-0001-")
        entry = AuditEntry.objects.get(action="incident.draft_downloaded")
        self.assertEqual((entry.actor, entry.organisation, entry.object_id,
                          entry.details["brouillon"]),
                         (self.rita, self.org, str(self.incident.pk),
                          "Notification initiale à la CNIL"))

    def test_the_pdf_shares_the_content_of_the_page(self):
        draft = self.draft("plainte")
        html = render_for("incidents/pdf/draft.html", {
            "incident": self.incident, "draft": draft, "now": at(20, 8)}, user=self.alice,
            organisation=self.org)
        for field in (f for section in draft.sections for f in section.fields):
            self.assertIn(field.label.replace("'", "&#x27;"), html)
        self.assertIn("Serveur débranché.", html)
        self.assertIn("Pharmacie Alpha", html)
        self.assertIn("Édité le 20/11/2026 à 08:00", html)
        self.assertIn("counter(pages)", html)

    def test_every_draft_renders(self):
        for slug in drafts.KINDS:
            response = self.get(slug, user=self.aude)
            self.assertEqual(response.status_code, 200, slug)
            self.assertTrue(response.content.startswith(b"%PDF-"), slug)

    def test_a_server_without_weasyprint_says_so_in_french(self):
        # What a server without the package (or without Pango) meets: the import fails.
        with mock.patch.dict(sys.modules, {"weasyprint": None}):
            response = self.get()
        self.assertShows(response, "La création de PDF n&#x27;est pas disponible sur ce "
                         "serveur", status_code=503)
        self.assertFalse(AuditEntry.objects.filter(action="incident.draft_downloaded")
                         .exists())
