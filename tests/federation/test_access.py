"""Every URL of the project, walked with the members of a federation (every role) and with
the members of one of its member organisations: an analyst never reaches a member's pages,
not even those of an organisation that is a member of the federation, and the federation's
pages do not exist for the members."""

from django.test import Client
from django.urls import resolve, reverse
from django.urls.converters import IntConverter, SlugConverter, UUIDConverter

from pharmagarde.core.models import Membership, Role
from pharmagarde.core.registry import FEDERATIONS, MEMBERS, serves
from tests.base import BaseTestCase
from tests.test_access_walk import LOGIN_URL, walk_patterns

from .helpers import make_federation, make_member_org


class FederationAccessTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.federation, cls.analysts = make_federation()
        cls.member_org = make_member_org(1, score=70, federation=cls.federation)
        # The federation's analysts are not members of its member organisation: even a
        # member organisation's slug gives them nothing.
        for role, user in cls.personas.items():
            Membership.objects.get_or_create(organisation=cls.member_org, user=user,
                                             defaults={"role": role})

    def urls(self, slug):
        for name, converters in walk_patterns():
            if "org_slug" not in converters:
                continue
            kwargs = {}
            for param, converter in converters.items():
                if param == "org_slug":
                    kwargs[param] = slug
                elif isinstance(converter, IntConverter):
                    kwargs[param] = 987654
                elif isinstance(converter, UUIDConverter):
                    kwargs[param] = "00000000-0000-4000-8000-000000000000"
                elif isinstance(converter, SlugConverter):
                    kwargs[param] = "inconnu"
                else:
                    kwargs[param] = "inconnu-0"
            try:
                url = reverse(name, kwargs=kwargs)
            except Exception:  # noqa: BLE001 - regex patterns our values do not fit
                continue
            yield name, url, getattr(resolve(url).func, "audience", MEMBERS)

    def request(self, user, method, url):
        # One signed-in client per account: signing in is most of a request's cost here.
        clients = self.__dict__.setdefault("_clients", {})
        if user not in clients:
            clients[user] = Client()
            if user is not None:
                clients[user].force_login(user)
        return getattr(clients[user], method)(url)

    def test_analysts_never_reach_a_members_page(self):
        for slug in (self.federation.slug, self.member_org.slug):
            # Not a member of the member organisation: one role is enough to show it.
            analysts = self.analysts if slug == self.federation.slug else {
                Role.RESPONSABLE: self.analysts[Role.RESPONSABLE]}
            for name, url, audience in self.urls(slug):
                if serves(audience, self.federation) and slug == self.federation.slug:
                    continue
                for role, user in analysts.items():
                    for method in ("get", "post"):
                        response = self.request(user, method, url)
                        self.assertEqual(response.status_code, 404,
                                         f"{role} {method} {url} ({name})")

    def test_the_federation_pages_do_not_exist_for_members(self):
        for name, url, audience in self.urls(self.member_org.slug):
            if audience != FEDERATIONS:
                continue
            for role, user in self.personas.items():
                for method in ("get", "post"):
                    self.assertEqual(self.request(user, method, url).status_code, 404,
                                     f"{role} {method} {url} ({name})")

    def test_federation_pages_refuse_outsiders_anonymous_and_read_only_writes(self):
        federation_urls = [(name, url) for name, url, audience in self.urls(self.federation.slug)
                           if serves(audience, self.federation)]
        self.assertIn("federation_dashboard", {name for name, _url in federation_urls})
        for name, url in federation_urls:
            for method in ("get", "post"):
                response = self.request(None, method, url)
                self.assertIn(response.status_code, (302, 405), f"anonymous {url}")
                if response.status_code == 302:
                    self.assertTrue(response["Location"].startswith(LOGIN_URL))
                self.assertEqual(self.request(self.oscar, method, url).status_code, 404,
                                 f"outsider {method} {url} ({name})")
            response = self.request(self.analysts[Role.AUDITEUR], "post", url)
            self.assertEqual(response.status_code, 403, f"auditeur POST {url} ({name})")
            for role, user in self.analysts.items():
                response = self.request(user, "get", url)
                self.assertLess(response.status_code, 500, f"{role} GET {url} ({name})")

    def test_the_federations_navigation_shows_only_its_pages(self):
        self.client.force_login(self.analysts[Role.RESPONSABLE])
        page = self.client.get(self.org_url("federation_dashboard", org=self.federation))
        nav = page.content.decode().split('class="org-nav"')[1].split("</nav>")[0]
        for expected in ("Tableau de bord de la fédération", "Structures membres",
                         "Membres et accès", "Journal d&#x27;audit"):
            self.assertIn(expected, nav)
        for absent in ("Diagnostic", "Plan d&#x27;action", "Inventaire", "Sensibilisation",
                       "Mes fédérations", "Signaler un incident"):
            self.assertNotIn(absent, nav)
