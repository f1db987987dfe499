from django.urls import reverse

from pharmagarde.core.models import AuditEntry, Membership, Organisation, Role
from tests.base import BaseTestCase, make_user


class OrganisationNewTestCase(BaseTestCase):
    url = reverse("organisation_new")

    def setUp(self):
        self.newcomer = make_user("nouveau@example.fr", with_mfa=True)
        self.client.force_login(self.newcomer)

    def post(self, **fields):
        data = {"name": "Pharmacie du Port", "kind": "officine", "siret": "732 829 320 00074",
                "finess": "", "postal_code": "29200", "size_band": "1-9"}
        data.update(fields)
        return self.client.post(self.url, data)

    def test_it_creates_the_organisation_with_its_creator_as_responsable(self):
        response = self.post()
        organisation = Organisation.objects.get(name="Pharmacie du Port")
        self.assertRedirects(response, reverse("dashboard", args=[organisation.slug]),
                             fetch_redirect_response=False)
        self.assertEqual(organisation.siret, "73282932000074")
        self.assertEqual(organisation.slug, "pharmacie-du-port")
        membership = Membership.objects.get(organisation=organisation)
        self.assertEqual((membership.user, membership.role), (self.newcomer, Role.RESPONSABLE))
        self.assertTrue(AuditEntry.objects.filter(action="organisation.created").exists())

    def test_it_makes_slugs_unique(self):
        self.post()
        self.post(siret="", finess="750712184")
        self.assertTrue(Organisation.objects.filter(slug="pharmacie-du-port-2").exists())

    def test_it_requires_siret_or_finess(self):
        response = self.post(siret="", finess="")
        self.assertContains(response, "au moins un identifiant")
        self.assertFalse(Organisation.objects.filter(name="Pharmacie du Port").exists())

    def test_it_explains_a_bad_siret(self):
        response = self.post(siret="73282932000075")
        self.assertContains(response, "clé de contrôle incorrecte")
        self.assertFalse(Organisation.objects.filter(name="Pharmacie du Port").exists())

    def test_it_explains_a_bad_finess(self):
        response = self.post(siret="", finess="12345")
        self.assertContains(response, "9 caractères")

    def test_it_checks_the_postal_code(self):
        self.assertContains(self.post(postal_code="2920"), "5 chiffres")

    def test_it_rejects_an_unknown_kind(self):
        response = self.post(kind="boulangerie")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Organisation.objects.filter(name="Pharmacie du Port").exists())

    def test_it_handles_a_name_without_letters(self):
        self.post(name="!!!")
        self.assertTrue(Organisation.objects.filter(slug="structure").exists())

    def test_it_redirects_anonymous(self):
        self.client.logout()
        self.assertEqual(self.post().status_code, 302)
        self.assertFalse(Organisation.objects.filter(name="Pharmacie du Port").exists())
