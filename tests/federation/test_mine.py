"""« Mes fédérations »: a member's place from the same snapshot every reader sees, the
invitations waiting for its responsable, the dashboard card, the phishing rates the
awareness results load; who may see them."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pharmagarde.diagnostic.models import Assessment
from pharmagarde.federation import services, snapshots
from pharmagarde.federation.models import FederationMember
from tests.base import BaseTestCase

from .helpers import LONG_AGO, make_federation, make_member_org


class MineTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.federation, cls.analysts = make_federation()
        for n in range(1, 13):
            make_member_org(n, score=50 + n, federation=cls.federation)
        Assessment.objects.create(
            organisation=cls.org, referential_version="2026.1", organisation_kind="officine",
            size_band="1-9", status=Assessment.Status.COMPLETED,
            completed_at=timezone.now() - LONG_AGO, score=85.0)
        cls.row = FederationMember.objects.create(
            organisation=cls.federation, member=cls.org, status=FederationMember.Status.MEMBER,
            answered_at=timezone.now() - LONG_AGO, kind="officine")
        cls.snapshot = snapshots.snapshot(cls.federation)

    def test_it_shows_the_place_from_the_published_snapshot(self):
        for user in (self.alice, self.rita, self.dora, self.aude):
            self.client.force_login(user)
            page = self.client.get(self.org_url("federation_mine"))
            self.assertShows(page, "Groupement Test")
            self.assertShows(page, "85 / 100")  # its own score
            mean = self.snapshot.data["means"]["overall"]["value"]
            self.assertShows(page, f"{mean} / 100")
            self.assertShows(page, "Votre niveau de maturité : <strong>avancé</strong>")
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.org_url("federation_mine")).status_code, 403)

    def test_the_level_row_marks_the_merged_column_it_falls_in(self):
        # Nine « en progrès », three « établi » and the officine « avancé »: merged into
        # one column, which is the officine's.
        self.client.force_login(self.alice)
        page = self.client.get(self.org_url("federation_mine"))
        self.assertShows(page, '<th scope="col">tous les niveaux <span class="badge">votre '
                               'niveau</span></th>')

    def test_the_leave_button_is_for_responsables(self):
        self.client.force_login(self.rita)
        self.assertNotContains(self.client.get(self.org_url("federation_mine")), "Quitter ")
        self.client.force_login(self.alice)
        self.assertShows(self.client.get(self.org_url("federation_mine")),
                         "Quitter Groupement Test")

    def test_pending_invitations_addressed_to_its_responsable(self):
        other, _people = make_federation("Conseil régional", "conseil")
        services.member_invite(acting_user=_people["responsable"], federation=other,
                               email="alice@alpha.example")
        self.client.force_login(self.rita)
        self.assertShows(self.client.get(self.org_url("federation_mine")),
                         "Conseil régional invite votre structure")

    def test_a_constant_number_of_queries(self):
        self.client.force_login(self.alice)
        self.client.get(self.org_url("federation_mine"))
        with CaptureQueriesContext(connection) as one:
            self.client.get(self.org_url("federation_mine"))
        for n in range(2, 5):
            federation, _people = make_federation(f"Fédération {n}", f"fed-{n}")
            FederationMember.objects.create(organisation=federation, member=self.org,
                                            status=FederationMember.Status.MEMBER,
                                            answered_at=timezone.now())
            snapshots.snapshot(federation)
        with CaptureQueriesContext(connection) as four:
            page = self.client.get(self.org_url("federation_mine"))
        self.assertShows(page, "Fédération 4")
        self.assertEqual(len(one), len(four))

    def test_the_dashboard_card_and_the_phishing_rates(self):
        self.client.force_login(self.alice)
        self.assertShows(self.client.get(self.org_url("dashboard")),
                         "Votre structure est membre de Groupement Test.")
        fragment = self.client.get(self.org_url("federation_awareness_rates"))
        self.assertShows(fragment, "Moyenne anonyme des structures de la fédération "
                                   "Groupement Test")
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.org_url("federation_awareness_rates"))
                         .status_code, 404)
        self.assertShows(self.client.get(self.org_url("federation_awareness_rates",
                                                      org=self.other_org)),
                         "elle apparaît ici quand votre structure est membre")

    def test_a_federation_has_no_member_pages(self):
        self.client.force_login(self.analysts["responsable"])
        self.assertEqual(self.client.get(self.org_url("federation_mine", org=self.federation))
                         .status_code, 404)
