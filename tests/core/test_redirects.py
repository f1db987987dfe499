from django.test import RequestFactory, SimpleTestCase

from pharmagarde.core.redirects import safe_next_path

PLAN = "/o/alpha/plan/"


class SafeNextPathTestCase(SimpleTestCase):
    def setUp(self):
        self.request = RequestFactory().post("/o/alpha/plan/1/statut/")

    def check(self, target):
        return safe_next_path(self.request, target, within=PLAN)

    def test_it_keeps_a_page_of_the_plan_with_its_query(self):
        self.assertEqual(self.check("/o/alpha/plan/tableau/?effort=faible"),
                         "/o/alpha/plan/tableau/?effort=faible")
        self.assertEqual(self.check(PLAN), PLAN)

    def test_it_resolves_dot_segments_that_stay_inside(self):
        self.assertEqual(self.check("/o/alpha/plan/./tableau/"), "/o/alpha/plan/tableau/")
        self.assertEqual(self.check("/o/alpha/plan/tableau/.."), PLAN)
        self.assertEqual(self.check("/o/alpha/plan/tableau/../"), PLAN)

    def test_it_refuses_what_walks_out_or_leaves_the_site(self):
        for target in [
            "/o/alpha/plan/../../bravo/plan/",
            "/o/alpha/plan/../../..//evil.example",
            "/o/alpha/plan/..",
            "/o/alpha/plan/%2e%2e/%2E%2E/bravo/plan/",
            "/o/alpha/plan/.%2e/",
            "/o/alpha/plan/..%2f..%2fbravo/plan/",
            "/o/alpha/plan/..\\..\\bravo/plan/",
            "/o/alpha/plan//evil.example",
            "//evil.example/o/alpha/plan/",
            "///evil.example/o/alpha/plan/",
            "https://evil.example/o/alpha/plan/",
            "http://testserver/o/alpha/plan/",
            "javascript:alert(1)//o/alpha/plan/",
            "/o/alpha/plan/.\t./",
            "/o/alpha/plan/\r\nSet-Cookie: x=y",
            "o/alpha/plan/",
            "/o/alpha/planning/",
            "/o/alpha/",
            "",
            None,
        ]:
            with self.subTest(target=target):
                self.assertIsNone(self.check(target))

    def test_the_whole_site_is_the_default_scope(self):
        self.assertEqual(safe_next_path(self.request, "/o/bravo/"), "/o/bravo/")
        self.assertIsNone(safe_next_path(self.request, "//evil.example/"))
