"""The answer letters (privacy/answers.py): one per right and the identity, extension and
no-data letters; filled from the request, the profile (else the organisation's name and
address) and the processing concerned; blanks left as « [à compléter] »; those that fit
the request offered first."""

from datetime import date

from pharmagarde.privacy import answers
from pharmagarde.privacy.models import PersonRequest, PrivacyProfile, Processing, Retention
from tests.base import BaseTestCase

TODAY = date(2026, 3, 20)


class LettersTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.org.address, cls.org.postal_code, cls.org.city = ("3 rue du Marché", "69001",
                                                              "Lyon")
        cls.org.save()

    def make(self, **fields):
        values = {"number": 4, "requester_name": "Mme Durand", "right": "acces",
                  "received_on": date(2026, 3, 2), **fields}
        return PersonRequest.objects.create(organisation=self.org, **values)

    def letters(self, person_request, profile=None):
        return {letter.slug: letter for letter in answers.letters(
            person_request, organisation=self.org, profile=profile, today=TODAY)}

    def test_one_letter_per_right_and_the_others(self):
        self.assertEqual(set(self.letters(self.make())), {
            "justificatif", "prolongation", "acces", "rectification", "effacement",
            "effacement-refus", "opposition", "limitation", "portabilite", "aucune-donnee"})

    def test_without_a_profile_the_organisation_s_name_and_address(self):
        letter = self.letters(self.make())["acces"]
        self.assertTrue(letter.text.startswith("Pharmacie Alpha\n3 rue du Marché\n69001 Lyon"))
        self.assertIn("À Lyon, le 20 mars 2026", letter.text)
        self.assertIn("Objet : communication de vos données personnelles (notre référence "
                      "D-004)", letter.text)
        self.assertIn("Mme Durand", letter.text)
        self.assertIn("Le 2 mars 2026, vous nous avez demandé", letter.text)

    def test_the_profile_s_controller_contact_and_dpo(self):
        profile = PrivacyProfile.objects.create(
            organisation=self.org, controller="SELARL Pharmacie Alpha",
            contact="rgpd@alpha.example", dpo="M. Délégué, dpo@alpha.example")
        letter = self.letters(self.make(), profile)["acces"]
        self.assertTrue(letter.text.startswith("SELARL Pharmacie Alpha\nrgpd@alpha.example"))
        self.assertIn("délégué à la protection des données : M. Délégué", letter.text)
        self.assertTrue(letter.text.endswith("SELARL Pharmacie Alpha"))

    def test_access_says_purposes_data_recipients_retention_rights_and_the_cnil(self):
        processing = Processing.objects.create(
            organisation=self.org, number=1, name="Dispensation",
            purpose="Délivrer les médicaments et conseiller.",
            data_categories="Identité\nTraitements délivrés",
            recipients="Caisses d'assurance maladie\nMutuelles",
            transfers=Processing.Transfers.NONE)
        Retention.objects.create(organisation=self.org, processing=processing,
                                 data="Ordonnancier", duration="10 ans")
        letter = self.letters(self.make(processing=processing))["acces"]
        text = letter.text
        self.assertIn("copie jointe", text)
        self.assertIn("pourquoi nous utilisons ces données : Délivrer les médicaments", text)
        self.assertIn("de quelles données il s'agit : Identité, Traitements délivrés", text)
        self.assertIn("à qui elles sont transmises : Caisses d'assurance maladie, Mutuelles",
                      text)
        self.assertIn("combien de temps nous les gardons : Ordonnancier : 10 ans", text)
        self.assertIn("elles ne sont pas envoyées hors de l'Union européenne", text)
        self.assertIn("d'où elles viennent, quand ce n'est pas de vous : [à compléter]", text)
        self.assertIn("corriger ou d'effacer", text)
        self.assertIn("réclamation à la Commission nationale de l'informatique et des "
                      "libertés (CNIL)", text)
        # The person's postal address and the source remain to fill in.
        self.assertEqual(letter.missing, 2)

    def test_without_a_processing_its_facts_are_blanks(self):
        text = self.letters(self.make())["acces"].text
        self.assertIn("pourquoi nous utilisons ces données : [à compléter]", text)
        self.assertIn("à qui elles sont transmises : [à compléter]", text)

    def test_erasure_refused_with_the_legal_reason_of_the_ordonnancier(self):
        request = self.make(right="effacement", outcome="refusee")
        letters = answers.letters(request, organisation=self.org, profile=None, today=TODAY)
        self.assertEqual([found.slug for found in letters if found.suggested],
                         ["effacement-refus", "effacement"])
        text = letters[0].text
        self.assertIn("pendant dix ans dans l'ordonnancier (Code de la santé publique, "
                      "article R. 5132-10)", text)
        self.assertIn("article 17, paragraphe 3", text)
        self.assertIn("CNIL", text)

    def test_another_kind_of_structure_gets_a_reason_to_fill_in(self):
        self.org.kind = "lbm"
        request = self.make(right="effacement")
        text = self.letters(request)["effacement-refus"].text
        self.assertNotIn("ordonnancier", text)
        self.assertIn("car la loi nous oblige à les conserver pendant [à compléter]", text)

    def test_identity_and_extension_letters_come_first_when_they_apply(self):
        request = self.make(right="portabilite", identity="demandee")
        self.assertEqual(answers.letters(request, organisation=self.org, profile=None,
                                         today=TODAY)[0].slug, "justificatif")
        text = self.letters(request)["justificatif"].text
        self.assertIn("commencera le jour où nous le recevrons", text)
        self.assertNotIn("CNIL", text)
        request = self.make(number=5, received_on=date(2026, 1, 31), extended=True,
                            extension_reason="Dix ans d'historique à réunir.")
        [first, *_] = answers.letters(request, organisation=self.org, profile=None,
                                      today=TODAY)
        self.assertEqual(first.slug, "prolongation")
        self.assertIn("pour la raison suivante : Dix ans d'historique à réunir.", first.text)
        self.assertIn("au plus tard le 30 avril 2026", first.text)

    def test_each_right_s_letter_in_its_words(self):
        request = self.make(details="Corriger sa date de naissance.")
        letters = self.letters(request)
        self.assertIn("nous avons corrigé vos données. Votre demande : Corriger sa date de "
                      "naissance.", letters["rectification"].text)
        self.assertIn("nous avons effacé les données personnelles suivantes",
                      letters["effacement"].text)
        self.assertIn("depuis le 20 mars 2026, vos données ne sont plus utilisées",
                      letters["opposition"].text)
        self.assertIn("Nous vous préviendrons avant de lever cette limitation",
                      letters["limitation"].text)
        self.assertIn("lisible par un ordinateur", letters["portabilite"].text)
        self.assertIn("nous ne détenons aucune donnée personnelle vous concernant",
                      letters["aucune-donnee"].text)

    def test_the_no_data_letter_first_when_that_was_the_outcome(self):
        request = self.make(outcome="aucune-donnee", answered_on=TODAY)
        self.assertEqual(answers.letters(request, organisation=self.org, profile=None,
                                         today=TODAY)[0].slug, "aucune-donnee")

    def test_the_first_of_the_month_is_written_1er(self):
        request = self.make(received_on=date(2026, 3, 1))
        text = answers.letters(request, organisation=self.org, profile=None,
                               today=date(2026, 4, 1))[0].text
        self.assertIn("À Lyon, le 1er avril 2026", text)
        self.assertIn("Le 1er mars 2026, vous nous avez demandé", text)
