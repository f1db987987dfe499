"""The crisis exercise scenarios (data, continuity/scenarios.py) and the library's pages."""

from django.test import SimpleTestCase
from django.utils.html import escape

from pharmagarde.continuity import scenarios
from tests.base import BaseTestCase, make_organisation


def files():
    return sorted(scenarios.SCENARIOS_DIR.glob("*.yaml"))


class ScenarioFilesTestCase(SimpleTestCase):
    def test_every_file_validates_and_is_named_after_its_id(self):
        self.assertGreaterEqual(len(files()), 7)
        for path in files():
            with self.subTest(path.name):
                scenario = scenarios.parse(path.read_text(encoding="utf-8"), path.name)
                self.assertEqual(scenario.id, path.stem)

    def test_ids_are_unique_and_stimuli_in_time_order(self):
        for scenario in scenarios.scenarios().values():
            with self.subTest(scenario.id):
                for section in (scenario.injects, scenario.grid, scenario.debrief):
                    ids = [item.id for item in section]
                    self.assertEqual(len(ids), len(set(ids)))
                minutes = [inject.minute for inject in scenario.injects]
                self.assertEqual(minutes, sorted(minutes))
                self.assertEqual(minutes[0], 0, "the first stimulus opens the exercise")
                self.assertLess(minutes[-1], scenario.duration)

    def test_short_formats_a_titulaire_can_run_with_three_people(self):
        for scenario in scenarios.scenarios().values():
            with self.subTest(scenario.id):
                self.assertTrue(45 <= scenario.duration <= 90)
                self.assertLessEqual(scenario.participants, 3)
                self.assertGreaterEqual(len(scenario.roles), 2)
                self.assertTrue(all(inject.reaction for inject in scenario.injects))
                self.assertTrue(all(inject.channel in scenarios.CHANNELS
                                    for inject in scenario.injects))

    def test_each_kind_of_organisation_has_its_scenarios(self):
        def ids(kind):
            return {s.id for s in scenarios.for_kind(kind)}

        for kind in scenarios.ORGANISATION_KINDS:
            with self.subTest(kind):
                self.assertGreaterEqual(len(ids(kind)), 4)
                self.assertLessEqual({"faux-rib", "vol-portable", "fuite-messagerie"},
                                     ids(kind))
        self.assertIn("rancongiciel-vpn", ids("pui"))
        self.assertNotIn("rancongiciel-ouverture", ids("pui"))
        self.assertIn("serveur-resultats", ids("lbm"))
        self.assertNotIn("serveur-resultats", ids("officine"))
        self.assertLessEqual({"panne-lgo", "fuite-tiers-payant"}, ids("officine"))
        self.assertNotIn("panne-lgo", ids("lbm"))
        # The PUI of the dossier: attacked at 1:17 through a VPN account.
        vpn = scenarios.scenario("rancongiciel-vpn")
        self.assertIn("1 h 17", vpn.context)
        self.assertIn("VPN", vpn.context)

    HEADER = (
        "id: essai\n"
        "titre: Un essai\n"
        "resume: Un scénario d'essai pour les tests du chargeur.\n"
        "duree: 45\n"
        "participants: 3\n"
        "objectifs: [Premier objectif, Second objectif]\n"
        "contexte: Il était une fois une structure qui faisait un exercice de crise.\n"
        "roles:\n"
        "  - {role: Animateur, mission: Diffuse les stimuli.}\n"
        "  - {role: Équipe, mission: Réagit aux stimuli.}\n"
        "grille: [{id: a, point: Premier point}, {id: b, point: Deuxième point},\n"
        "         {id: c, point: Troisième point}]\n"
        "debrief: [{id: a, question: 'Première ?'}, {id: b, question: 'Deuxième ?'},\n"
        "          {id: c, question: 'Troisième ?'}]\n"
        "references: [ANSSI, guide des exercices]\n"
        "stimuli:\n"
    )

    def inject(self, inject_id, minute, channel="telephone"):
        return (f"  - id: {inject_id}\n"
                f"    minute: {minute}\n"
                f"    canal: {channel}\n"
                "    de: Quelqu'un\n"
                "    texte: Un message pour l'équipe.\n"
                "    reaction: Ce que l'équipe devrait faire.\n")

    def valid_injects(self):
        return "".join(self.inject(f"s{n}", n * 10) for n in range(4))

    def assertRefused(self, text, message, line):
        with self.assertRaises(scenarios.ScenarioError) as raised:
            scenarios.parse(text, "essai.yaml")
        self.assertIn(f"essai.yaml:{line} —", str(raised.exception))
        self.assertIn(message, str(raised.exception))

    def test_the_test_scenario_is_valid(self):
        scenario = scenarios.parse(self.HEADER + self.valid_injects(), "essai.yaml")
        self.assertEqual([i.minute for i in scenario.injects], [0, 10, 20, 30])
        self.assertEqual(scenario.injects[0].channel_label, "Téléphone")
        self.assertTrue(scenario.applies("lbm"))

    def test_a_malformed_string_names_the_file_and_line(self):
        # Line 21: the first stimulus's text, a list instead of a string.
        text = self.HEADER + self.valid_injects().replace(
            "    texte: Un message pour l'équipe.\n", "    texte: [pas, une, chaîne]\n", 1)
        self.assertRefused(text, "stimuli.0.texte", 21)
        self.assertRefused(text, "is not of type 'string'", 21)

    def test_an_unknown_channel_names_its_line(self):
        text = self.HEADER + self.inject("s0", 0, channel="pigeon") + "".join(
            self.inject(f"s{n}", n * 10) for n in range(1, 4))
        self.assertRefused(text, "stimuli.0.canal", 19)

    def test_a_missing_field_is_named(self):
        text = self.HEADER.replace("duree: 45\n", "") + self.valid_injects()
        self.assertRefused(text, "'duree' is a required property", 1)

    def test_stimuli_out_of_time_order_are_refused(self):
        text = self.HEADER + self.inject("s0", 0) + self.inject("s1", 20) + \
            self.inject("s2", 10) + self.inject("s3", 30)
        # The third stimulus's minute: 16 lines of header, 6 per stimulus, minute second.
        self.assertRefused(text, "vient avant le précédent", 16 + 12 + 2)

    def test_a_stimulus_after_the_end_is_refused(self):
        text = self.HEADER + self.valid_injects() + self.inject("tard", 45)
        self.assertRefused(text, "après la fin de l'exercice", 16 + 24 + 2)

    def test_an_id_given_twice_is_refused(self):
        text = self.HEADER + self.inject("s0", 0) + self.inject("s0", 10) + \
            self.inject("s2", 20) + self.inject("s3", 30)
        self.assertRefused(text, "« s0 » apparaît deux fois dans « stimuli »", 16 + 6 + 1)

    def test_an_unknown_kind_of_organisation_is_refused(self):
        text = self.HEADER.replace("participants: 3\n", "participants: 3\npour: [hopital]\n")
        self.assertRefused(text + self.valid_injects(), "pour.0", 6)

    def test_unreadable_yaml_names_its_line(self):
        self.assertRefused(self.HEADER + "  - id: [\n", "YAML illisible", 18)

    def test_the_id_must_be_the_file_name(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "autre.yaml").write_text(self.HEADER + self.valid_injects(),
                                                     encoding="utf-8")
            with self.assertRaisesRegex(scenarios.ScenarioError, "autre.yaml:1 — "):
                scenarios.scenarios(Path(folder))


class LibraryViewsTestCase(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.alice)

    def test_the_library_lists_the_scenarios_of_the_organisation_kind(self):
        response = self.client.get(self.org_url("continuity_scenarios"))
        self.assertShows(response, escape("Le logiciel de l'officine en panne pour une semaine"))
        self.assertShows(response, "Faux changement de RIB")
        self.assertNotContains(response, "Le serveur de résultats du laboratoire")
        self.assertContains(response, self.org_url("continuity_exercise_new")
                            + "?scenario=panne-lgo")

    def test_a_laboratory_sees_its_own(self):
        lab = make_organisation("Laboratoire Gamma", "gamma", kind="lbm")
        from pharmagarde.core.models import Membership, Role

        Membership.objects.create(organisation=lab, user=self.alice, role=Role.RESPONSABLE)
        response = self.client.get(self.org_url("continuity_scenarios", org=lab))
        self.assertShows(response, "Le serveur de résultats du laboratoire est tombé")
        self.assertNotContains(response, "panne pour une semaine")

    def test_a_scenario_shows_its_timeline_grid_and_questions(self):
        response = self.client.get(self.org_url("continuity_scenario", "faux-rib"))
        scenario = scenarios.scenario("faux-rib")
        for inject in scenario.injects:
            self.assertShows(response, escape(inject.reaction))
        self.assertShows(response, escape(scenario.grid[0].text))
        self.assertShows(response, escape(scenario.debrief[0].text))
        self.assertShows(response, "Réaction attendue")

    def test_an_unknown_scenario_or_one_of_another_kind_is_404(self):
        for slug in ("inconnu", "serveur-resultats"):
            with self.subTest(slug):
                response = self.client.get(self.org_url("continuity_scenario", slug))
                self.assertEqual(response.status_code, 404)

    def test_every_member_reads_the_library(self):
        self.client.force_login(self.aude)
        self.assertEqual(self.client.get(self.org_url("continuity_scenarios")).status_code,
                         200)
        response = self.client.get(self.org_url("continuity_scenario", "vol-portable"))
        self.assertNotContains(response, "Préparer cet exercice")

    def test_outsiders_and_anonymous_visitors(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.org_url("continuity_scenarios")).status_code,
                         404)
        self.client.logout()
        response = self.client.get(self.org_url("continuity_scenario", "faux-rib"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/comptes/login/"))
