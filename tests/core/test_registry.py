"""Core reads every app from its declaration (core/registry.py): navigation, dashboard,
to-do, URLs, audit labels. Nothing about an app is written in core."""

from unittest import mock

from django.test import SimpleTestCase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pharmagarde.core import audit, registry
from pharmagarde.core.registry import AppDeclaration, DashboardCard, NavEntry
from tests.base import BaseTestCase

NAV_LABELS = ["Tableau de bord", "Signaler un incident", "Diagnostic", "Plan d'action",
              "Inventaire", "Incidents", "Registre des violations", "Données personnelles",
              "Continuité d'activité", "Sensibilisation", "Dossiers de preuves",
              "Mes fédérations", "Personnel", "Membres et accès",
              "Fiche de la structure", "Journal d'audit"]
# A collaborateur: neither the breach register nor the responsables' pages (« Données
# personnelles » shows them the notices only, « Sensibilisation » their own training).
COLLABORATEUR_LABELS = [label for label in NAV_LABELS[:14]
                        if label not in {"Registre des violations", "Dossiers de preuves",
                                         "Mes fédérations"}]


def nav_labels(response):
    return [link.label for link in response.context["org_nav"]]


class DeclarationsTestCase(SimpleTestCase):
    def test_they_follow_installed_apps(self):
        labels = [label for label, _declaration in registry.declarations()]
        self.assertEqual(labels[:2], ["core", "accounts"])
        self.assertLess(labels.index("diagnostic"), labels.index("actions"))

    def test_every_app_url_prefix_is_under_the_organisation(self):
        for _label, declaration in registry.declarations():
            if declaration.urls:
                self.assertTrue(declaration.url_prefix.endswith("/"), declaration)

    def test_the_apps_audit_labels_are_registered(self):
        self.assertEqual(str(audit.action_label("assessment.completed")), "Diagnostic terminé")
        self.assertNotEqual(str(audit.action_label("action.created")), "action.created")


class NavigationTestCase(BaseTestCase):
    def get(self, user):
        self.client.force_login(user)
        return self.client.get(self.org_url("dashboard"))

    def test_the_responsable_sees_every_entry_in_order(self):
        self.assertEqual([str(label) for label in nav_labels(self.get(self.owner))],
                         NAV_LABELS)

    def test_other_roles_do_not_see_the_responsables_pages(self):
        labels = [str(label) for label in nav_labels(self.get(self.colin))]
        self.assertEqual(labels, COLLABORATEUR_LABELS)

    def test_the_current_page_is_marked(self):
        self.client.force_login(self.owner)
        response = self.client.get(self.org_url("action_list"))
        self.assertContains(response, f'href="{self.org_url("action_list")}" aria-current="page"')
        self.assertNotContains(response, "Bientôt")

    def test_an_installed_app_is_in_the_navigation_and_on_the_dashboard(self):
        extra = ("inventory", AppDeclaration(
            nav=(NavEntry(_("Inventaire"), "person_list", order=30),),
            dashboard=(DashboardCard("core/_dashboard_people.html",
                                     "tests.core.test_registry.inventory_card", order=30),),
            todo="tests.core.test_registry.inventory_todo"))
        installed = registry.declarations()
        with mock.patch.object(registry, "declarations", lambda: [*installed, extra]):
            response = self.get(self.owner)
        labels = [str(label) for label in nav_labels(response)]
        self.assertEqual(labels.index("Inventaire"), labels.index("Plan d'action") + 1)
        self.assertContains(response, "Recensez vos postes de travail.")
        self.assertContains(response, "42 personnes enregistrées.")


def inventory_card(request):
    return {"count": 42}


def inventory_todo(request):
    return [("Recensez vos postes de travail.", reverse("person_list",
                                                        args=[request.organisation.slug]))]
