from allauth.mfa.models import Authenticator
from defusedxml import ElementTree

from pharmagarde.diagnostic import charts
from pharmagarde.diagnostic.referential import build_referential
from tests.base import BaseTestCase, make_organisation, valid_siret
from tests.diagnostic.test_results_support import (
    ReferentialsMixin,
    all_answers,
    make_assessment,
    module,
    question,
)

NS = {"svg": charts.SVG_NS}


class RadarTestCase(ReferentialsMixin, BaseTestCase):
    def setUp(self):
        self.assessment = make_assessment(self.org, all_answers(mdp="non"),
                                          completed_days_ago=0)
        self.url = self.org_url("assessment_radar", self.assessment.pk)

    def get(self, user=None, url=None):
        self.client.force_login(user or self.owner)
        return self.client.get(url or self.url)

    def test_it_serves_the_chart_as_an_svg_file(self):
        response = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/svg+xml; charset=utf-8")
        self.assertIn(".svg", response["Content-Disposition"])
        root = ElementTree.fromstring(response.content)
        self.assertEqual(root.get("role"), "img")
        self.assertIn("Accès & <mots de passe> : 33,3 sur 100 ;", root.find("svg:desc", NS).text)

    def test_it_has_a_restrictive_content_security_policy(self):
        response = self.get()
        policy = response["Content-Security-Policy"]
        self.assertIn("default-src 'none'", policy)
        self.assertIn("script-src 'none'", policy)
        self.assertIn("sandbox", policy)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_it_is_the_chart_of_the_results_page(self):
        svg = self.get().content.decode()
        page = self.get(url=self.org_url("assessment_results", self.assessment.pk))
        self.assertIn(svg[svg.index("<svg"):], page.content.decode())

    def test_it_draws_the_previous_assessment_and_the_peers(self):
        make_assessment(self.org, all_answers("non"), completed_days_ago=100)
        for index in range(11):
            peer = make_organisation(f"Pair {index}", f"pair-{index}", siret=valid_siret(index))
            make_assessment(peer, all_answers(), completed_days_ago=10)
        root = ElementTree.fromstring(self.get().content)
        legend = root.find(".//svg:g[@class='radar__legend']", NS)
        self.assertEqual(len(legend.findall("svg:text", NS)), 3)
        self.assertIsNotNone(root.find(".//svg:g[@class='radar__series radar__series--peers']",
                                       NS))

    def test_it_is_readable_by_the_read_only_role(self):
        Authenticator.objects.filter(user=self.readonly).delete()
        self.assertEqual(self.get(self.readonly).status_code, 200)

    def test_it_hides_from_outsiders(self):
        self.assertEqual(self.get(self.outsider).status_code, 404)

    def test_it_hides_another_organisations_assessment(self):
        foreign = make_assessment(self.other_org, all_answers(), completed_days_ago=0)
        self.assertEqual(self.get(url=self.org_url("assessment_radar", foreign.pk)).status_code,
                         404)

    def test_it_answers_404_to_an_unknown_id(self):
        self.assertEqual(self.get(url=self.org_url("assessment_radar", 987654)).status_code,
                         404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)


class SmallRadarTestCase(ReferentialsMixin, BaseTestCase):
    referentials = {"2025.1": build_referential("2025.1", [("socle.yaml", module(
        [("t1", "Seul thème", [question("q1", "Question ?")])]))])}

    def test_it_has_no_chart_below_three_themes(self):
        assessment = make_assessment(self.org, {"q1": "non"}, completed_days_ago=0)
        self.client.force_login(self.owner)
        self.assertEqual(
            self.client.get(self.org_url("assessment_radar", assessment.pk)).status_code, 404)
        page = self.client.get(self.org_url("assessment_results", assessment.pk))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "<svg")
        self.assertContains(page, "Seul thème")
