"""The information notices, written from the register: which processings each takes (read
from their « personnes concernées »), what they say (the controller, the purposes, the
retention periods, the rights and the CNIL), the video protection and phishing sections, the
PDF, and who may read them (everyone of the organisation, nobody else)."""

import subprocess

from pharmagarde.core.models import AuditEntry
from pharmagarde.privacy import notices
from pharmagarde.privacy.models import PrivacyProfile, Processing, Retention
from tests.base import BaseTestCase


def processing(organisation, number, name, people, **fields):
    made = Processing.objects.create(organisation=organisation, number=number, name=name,
                                     people=people, **fields)
    return made


def pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=content,
                          capture_output=True, check=True).stdout.decode()


class NoticeContentTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.profile = PrivacyProfile.objects.create(
            organisation=cls.org, controller="SELARL Pharmacie Alpha, représentée par Mme Alice",
            contact="12 rue du Marché, 75001 Paris — rgpd@alpha.example",
            dpo="Dora Délégué, dpo@alpha.example")
        cls.dispensing = processing(
            cls.org, 1, "Dispensation des médicaments", "Patients\nAyants droit",
            purpose="Délivrer les médicaments prescrits et sécuriser la dispensation.",
            legal_basis="obligation-legale", legal_basis_detail="Code de la santé publique",
            data_categories="Identité\nTraitements délivrés", health_data=True,
            recipients="Caisses d'assurance maladie", in_use=True)
        Retention.objects.create(organisation=cls.org, processing=cls.dispensing,
                                 data="Ordonnancier", duration="10 ans")
        cls.payroll = processing(cls.org, 2, "Paie", "Salariés\nStagiaires",
                                 purpose="Payer les salaires.", legal_basis="obligation-legale",
                                 in_use=True)
        cls.loyalty = processing(cls.org, 3, "Programme de fidélité", "Clients", in_use=None,
                                 legal_basis="consentement")
        cls.unused = processing(cls.org, 4, "Vente en ligne", "Clients", in_use=False)
        cls.foreign = processing(cls.other_org, 1, "Traitement de Bravo", "Patients")

    def test_patients_notice_takes_the_processings_that_name_patients_or_customers(self):
        notice = notices.notice(self.org, notices.PATIENTS)
        self.assertEqual([entry.processing for entry in notice.entries],
                         [self.dispensing, self.loyalty])
        self.assertEqual([entry.to_confirm for entry in notice.entries], [False, True])

    def test_staff_notice_takes_the_processings_that_name_the_staff(self):
        notice = notices.notice(self.org, notices.STAFF)
        self.assertEqual([entry.processing for entry in notice.entries], [self.payroll])
        self.assertFalse(notice.phishing)
        self.assertFalse(notice.video)

    def test_the_page_says_who_why_how_long_and_the_rights(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.org_url("privacy_notice", "patients"))
        self.assertShows(response, "SELARL Pharmacie Alpha, représentée par Mme Alice")
        self.assertShows(response, "Dora Délégué, dpo@alpha.example")
        self.assertShows(response, "Délivrer les médicaments prescrits")
        self.assertShows(response, "Ordonnancier : 10 ans")
        self.assertShows(response,
                         "Une obligation que la loi nous impose (Code de la santé publique)")
        self.assertShows(response, "secret professionnel")
        self.assertShows(response, "rgpd@alpha.example")
        self.assertShows(response, "réclamation à la CNIL")
        self.assertNotContains(response, "Vente en ligne")
        self.assertNotContains(response, "Traitement de Bravo")
        self.assertNotContains(response, "Paie")

    def test_video_and_phishing_sections_follow_the_profile(self):
        PrivacyProfile.objects.filter(pk=self.profile.pk).update(video_surveillance=True,
                                                                 phishing_tests=True)
        self.client.force_login(self.colin)
        staff = self.client.get(self.org_url("privacy_notice", "personnel"))
        self.assertShows(staff, "Vidéoprotection")
        self.assertShows(staff, "ne filment pas en continu un poste de travail")
        self.assertShows(staff, "Exercices d'hameçonnage")
        self.assertShows(staff, "L. 1222-4")
        patients = self.client.get(self.org_url("privacy_notice", "patients"))
        self.assertShows(patients, "Vidéoprotection")
        self.assertNotContains(patients, "hameçonnage")

    def test_transfers_outside_the_union_are_said(self):
        self.client.force_login(self.dora)
        response = self.client.get(self.org_url("privacy_notice", "patients"))
        self.assertShows(response, "ne sont pas transmises hors de l'Union européenne")
        Processing.objects.filter(pk=self.loyalty.pk).update(transfers="oui")
        response = self.client.get(self.org_url("privacy_notice", "patients"))
        self.assertShows(response, "Certaines informations sont transmises hors de l'Union")

    def test_the_pdf_holds_the_same_text_and_is_audited(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.org_url("privacy_notice_pdf", "patients"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("notice-patients-alpha-", response["Content-Disposition"])
        text = " ".join(pdf_text(response.content).split())
        self.assertIn("Vos données personnelles dans notre structure", text)
        self.assertIn("Dispensation des médicaments", text)
        self.assertIn("Ordonnancier : 10 ans", text)
        self.assertIn("Pharmacie Alpha", text)
        self.assertTrue(AuditEntry.objects.filter(organisation=self.org,
                                                  action="privacy.notice_printed").exists())

    def test_a_notice_without_a_controller_says_what_to_complete(self):
        PrivacyProfile.objects.filter(pk=self.profile.pk).update(controller="", contact="")
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("privacy_notice", "personnel"))
        self.assertShows(response, "Avant d'afficher cette notice, complétez")
        self.assertShows(response, "le nom du responsable du traitement")
        self.assertShows(response, "adresse pour exercer ses droits")

    def test_an_unknown_audience_is_not_found(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(
            self.org_url("privacy_notice", "inconnu")).status_code, 404)
        self.assertEqual(self.client.get(
            self.org_url("privacy_notice_pdf", "inconnu")).status_code, 404)


class NoticeAccessTestCase(BaseTestCase):
    def test_every_member_reads_the_notices(self):
        for user in (self.alice, self.rita, self.colin, self.dora, self.aude):
            self.client.force_login(user)
            for name, args in (("privacy_notices", ()), ("privacy_notice", ("patients",)),
                               ("privacy_notice", ("personnel",))):
                self.assertEqual(self.client.get(self.org_url(name, *args)).status_code, 200,
                                 (user, name, args))

    def test_an_outsider_gets_404_and_anonymous_signs_in(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.org_url("privacy_notices")).status_code, 404)
        self.assertEqual(self.client.get(
            self.org_url("privacy_notice_pdf", "patients")).status_code, 404)
        self.client.logout()
        response = self.client.get(self.org_url("privacy_notice", "patients"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/comptes/login/", response["Location"])

    def test_the_notice_page_costs_the_same_for_few_and_many_processings(self):
        self.client.force_login(self.colin)

        def make_row(i):
            made = processing(self.org, 100 + i, f"Traitement {i}", "Patients", in_use=True)
            Retention.objects.create(organisation=self.org, processing=made, data="Tout",
                                     duration="1 an")

        self.assertQueriesConstant(self.org_url("privacy_notice", "patients"), make_row)


class VideoOnceTestCase(BaseTestCase):
    def test_a_video_processing_of_the_register_is_said_once(self):
        PrivacyProfile.objects.create(organisation=self.org, video_surveillance=True)
        processing(self.org, 1, "Vidéoprotection", "Clients et visiteurs\nSalariés",
                   key="videoprotection", in_use=True, purpose="Sécurité des biens.")
        self.client.force_login(self.colin)
        for audience in ("patients", "personnel"):
            response = self.client.get(self.org_url("privacy_notice", audience))
            self.assertShows(response, "<h2>Vidéoprotection</h2>", count=1)
            self.assertShows(response, "Sécurité des biens.")
