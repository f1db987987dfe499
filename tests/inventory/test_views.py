"""The inventory's pages through real requests: lists, forms, history, bulk removal, the
findings and the risks accepted, for each role, with bad input and bounded queries."""

import datetime

from django.utils import timezone
from django.utils.html import escape

from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry, Person
from pharmagarde.inventory.kinds import KINDS
from pharmagarde.inventory.models import Account, Backup, Device, Finding, ItemChange
from pharmagarde.inventory.services import findings_recompute
from tests.base import BaseTestCase


class InventoryTestCase(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.owner)

    def list_url(self, slug="appareils"):
        return self.org_url("inventory_list", slug)

    def device_url(self, device, suffix=""):
        return self.org_url(f"inventory_device{suffix}", device.pk)


class ListTestCase(InventoryTestCase):
    def test_every_kind_has_an_empty_state_that_says_what_to_do(self):
        for kind in KINDS:
            response = self.client.get(self.list_url(kind.slug))
            self.assertContains(response, escape(str(kind.empty)[:40]))
            self.assertContains(response, str(kind.add_label))

    def test_it_searches_filters_sorts_and_pages(self):
        for number in range(55):
            Device.objects.create(organisation=self.org, name=f"Poste {number:02d}",
                                  kind=Device.Kind.WORKSTATION)
        Device.objects.create(organisation=self.org, name="Portable de Claire",
                              kind=Device.Kind.LAPTOP)
        Device.objects.create(organisation=self.other_org, name="Poste de Bravo")
        page = self.client.get(self.list_url())
        self.assertContains(page, "56 éléments")
        self.assertContains(page, "Page 1 sur 2")
        self.assertNotContains(page, "Poste de Bravo")
        found = self.client.get(self.list_url(), {"q": "claire"})
        self.assertContains(found, "1 élément")
        self.assertContains(found, "Portable de Claire")
        laptops = self.client.get(self.list_url(), {"kind": "portable"})
        self.assertContains(laptops, "1 élément")
        descending = self.client.get(self.list_url(), {"tri": "-name"})
        text = descending.content.decode()
        self.assertLess(text.index("Poste 54"), text.index("Poste 00") if "Poste 00" in text
                        else len(text))
        # Unknown filters, sorts and pages are ignored, never an error.
        for params in ({"kind": "fusee"}, {"tri": "organisation__name"}, {"page": "x"},
                       {"disk_encrypted": "peut-etre"}, {"q": "x" * 500}):
            self.assertEqual(self.client.get(self.list_url(), params).status_code, 200)

    def test_it_costs_the_same_queries_for_5_or_60_items(self):
        def make_row(number):
            holder = self.person if number % 2 else None
            Account.objects.create(organisation=self.org, login=f"compte{number}",
                                   holder=holder)
        self.assertQueriesConstant(self.list_url("comptes"), make_row)

    def test_it_refuses_outsiders_and_sends_anonymous_to_sign_in(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.list_url()).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.list_url()).status_code, 302)

    def test_an_unknown_kind_is_not_found(self):
        self.assertEqual(self.client.get(self.org_url("inventory_list", "fusees")).status_code,
                         404)


class FormTestCase(InventoryTestCase):
    def test_it_adds_an_item_records_its_history_and_its_findings(self):
        response = self.client.post(self.org_url("inventory_add", "appareils"), {
            "name": "Portable de la titulaire", "kind": "portable", "disk_encrypted": "false",
            "antivirus": "", "last_update": "2026-11-30"})
        self.assertRedirects(response, self.list_url())
        device = Device.objects.get(organisation=self.org)
        self.assertIs(device.disk_encrypted, False)
        self.assertIsNone(device.antivirus)  # « Je ne sais pas »
        change = ItemChange.objects.get(item_type="device", item_id=device.pk)
        self.assertEqual(change.action, "created")
        self.assertEqual(change.changes["disque chiffré"], ["", "Non"])
        self.assertEqual(change.actor, self.owner)
        finding = Finding.objects.get(organisation=self.org, rule="mobile-non-chiffre")
        self.assertEqual(finding.subject, f"device:{device.pk}")
        self.assertTrue(AuditEntry.objects.filter(action="inventory.item_created").exists())
        # The finding's rule became an action of the plan.
        action = Action.objects.get(organisation=self.org, source="inventaire",
                                    source_key="mobile-non-chiffre")
        self.assertIn("Portable de la titulaire", action.how)

    def test_an_edit_that_fixes_the_item_resolves_the_finding_and_the_action(self):
        device = Device.objects.create(organisation=self.org, name="Portable",
                                       kind=Device.Kind.LAPTOP, disk_encrypted=False)
        findings_recompute(organisation=self.org)
        self.assertTrue(Action.objects.filter(source="inventaire").exists())
        response = self.client.post(self.device_url(device), {
            "name": "Portable", "kind": "portable", "disk_encrypted": "true",
            "revision": device.revision})
        self.assertRedirects(response, self.list_url())
        finding = Finding.objects.get(rule="mobile-non-chiffre")
        self.assertEqual(finding.status, Finding.Status.RESOLVED)
        # Untouched, the action goes with its finding.
        self.assertFalse(Action.objects.filter(source="inventaire",
                                               source_key="mobile-non-chiffre").exists())
        history = self.client.get(self.device_url(device, "_history"))
        self.assertContains(history, "Modification")
        self.assertContains(history, "Disque chiffré")

    def test_a_stale_form_does_not_overwrite_a_newer_edit(self):
        device = Device.objects.create(organisation=self.org, name="Comptoir")
        stale = device.revision
        self.client.post(self.device_url(device), {"name": "Comptoir 1", "kind": "poste",
                                                   "revision": stale})
        response = self.client.post(self.device_url(device), {"name": "Comptoir 2",
                                                              "kind": "poste",
                                                              "revision": stale})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Quelqu&#x27;un d&#x27;autre vient de modifier")
        device.refresh_from_db()
        self.assertEqual(device.name, "Comptoir 1")

    def test_bad_input_comes_back_next_to_the_field(self):
        response = self.client.post(self.org_url("inventory_add", "appareils"), {
            "name": "", "kind": "fusee", "ip_address": "999.1.1.1",
            "last_update": "31/02/2026"})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Device.objects.exists())
        for field in ("name", "kind", "ip_address", "last_update"):
            self.assertIn(field, response.context["form"].errors)

    def test_a_person_of_another_organisation_cannot_be_chosen(self):
        response = self.client.post(self.org_url("inventory_add", "comptes"), {
            "system": "windows", "login": "bbravo", "holder_kind": "personne",
            "holder": self.other_person.pk, "enabled": "on"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("holder", response.context["form"].errors)
        self.assertFalse(Account.objects.exists())

    def test_the_read_only_role_sees_but_cannot_change(self):
        device = Device.objects.create(organisation=self.org, name="Comptoir")
        self.client.force_login(self.readonly)
        page = self.client.get(self.device_url(device))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "<form method=\"post\" class=\"card\"")
        self.assertEqual(self.client.post(self.device_url(device), {"name": "x"}).status_code,
                         403)
        self.assertEqual(self.client.get(self.org_url("inventory_add", "appareils"))
                         .status_code, 403)
        self.assertEqual(self.client.post(self.device_url(device, "_delete")).status_code, 403)

    def test_another_organisations_item_is_not_found(self):
        foreign = Device.objects.create(organisation=self.other_org, name="Bravo")
        self.assertEqual(self.client.get(self.device_url(foreign)).status_code, 404)
        self.assertEqual(self.client.post(self.device_url(foreign, "_delete")).status_code, 404)
        self.assertTrue(Device.objects.filter(pk=foreign.pk).exists())


class BulkTestCase(InventoryTestCase):
    def test_it_removes_the_selected_items_of_this_organisation_only(self):
        mine = [Device.objects.create(organisation=self.org, name=f"Poste {n}")
                for n in range(3)]
        foreign = Device.objects.create(organisation=self.other_org, name="Bravo")
        response = self.client.post(self.org_url("inventory_bulk", "appareils"), {
            "action": "supprimer", "selection": [mine[0].pk, mine[1].pk, foreign.pk, "x"]})
        self.assertRedirects(response, self.list_url())
        self.assertEqual(list(Device.objects.filter(organisation=self.org)), [mine[2]])
        self.assertTrue(Device.objects.filter(pk=foreign.pk).exists())
        self.assertEqual(ItemChange.objects.filter(action="deleted").count(), 2)

    def test_nothing_selected_says_what_to_do(self):
        response = self.client.post(self.org_url("inventory_bulk", "appareils"),
                                    {"action": "supprimer"}, follow=True)
        self.assertContains(response, "Cochez au moins un élément")


class FindingsTestCase(InventoryTestCase):
    def setUp(self):
        super().setUp()
        Backup.objects.create(organisation=self.org, what="Base du LGO", offline_copy=False,
                              last_restore_test=timezone.localdate())
        findings_recompute(organisation=self.org)
        self.finding = Finding.objects.get(rule="pas-de-sauvegarde-hors-ligne")

    def test_it_lists_open_findings_with_what_to_do(self):
        response = self.client.get(self.org_url("inventory_findings"))
        self.assertContains(response, "Aucune sauvegarde hors ligne")
        self.assertContains(response, "Gardez toujours une copie débranchée")

    def test_accepting_a_risk_needs_a_reason_an_owner_and_a_date_within_a_year(self):
        url = self.org_url("inventory_finding_accept", self.finding.pk)
        today = timezone.localdate()
        bad = self.client.post(url, {"reason": "", "owner": self.other_person.pk,
                                     "until": (today + datetime.timedelta(days=800))
                                     .isoformat()})
        self.assertEqual(bad.status_code, 200)
        self.assertEqual(set(bad.context["form"].errors), {"reason", "owner", "until"})
        until = today + datetime.timedelta(days=90)
        response = self.client.post(url, {"reason": "Disque hors ligne commandé",
                                          "owner": self.person.pk, "until": until.isoformat()})
        self.assertRedirects(response, self.org_url("inventory_findings"))
        self.finding.refresh_from_db()
        self.assertEqual(self.finding.status, Finding.Status.ACCEPTED)
        self.assertFalse(Action.objects.filter(source_key="pas-de-sauvegarde-hors-ligne")
                         .exists())
        # Recomputing keeps it accepted until its date, then it comes back.
        findings_recompute(organisation=self.org)
        self.finding.refresh_from_db()
        self.assertEqual(self.finding.status, Finding.Status.ACCEPTED)
        findings_recompute(organisation=self.org, today=until + datetime.timedelta(days=1))
        self.finding.refresh_from_db()
        self.assertEqual(self.finding.status, Finding.Status.OPEN)

    def test_a_reopened_risk_goes_back_to_the_plan(self):
        self.finding.status = Finding.Status.ACCEPTED
        self.finding.save()
        response = self.client.post(self.org_url("inventory_finding_reopen", self.finding.pk))
        self.assertRedirects(response, self.org_url("inventory_findings"))
        self.finding.refresh_from_db()
        self.assertEqual(self.finding.status, Finding.Status.OPEN)
        self.assertTrue(Action.objects.filter(source_key="pas-de-sauvegarde-hors-ligne")
                        .exists())

    def test_the_read_only_role_cannot_accept_a_risk(self):
        self.client.force_login(self.readonly)
        url = self.org_url("inventory_finding_accept", self.finding.pk)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.get(self.org_url("inventory_findings")).status_code, 200)

    def test_the_dashboard_shows_the_worst_findings(self):
        response = self.client.get(self.org_url("dashboard"))
        self.assertContains(response, "Votre inventaire")
        self.assertContains(response, "Aucune sauvegarde hors ligne")


class InlineEditTestCase(InventoryTestCase):
    HTMX = {"HTTP_HX_REQUEST": "true"}

    def row_url(self, device):
        return self.device_url(device, "_row")

    def test_a_row_is_edited_in_place_and_comes_back_saved(self):
        device = Device.objects.create(organisation=self.org, name="Portable",
                                       kind=Device.Kind.LAPTOP, disk_encrypted=False)
        findings_recompute(organisation=self.org)
        form = self.client.get(self.row_url(device), **self.HTMX)
        self.assertContains(form, f'hx-post="{self.row_url(device)}"')
        self.assertNotContains(form, "<html")
        saved = self.client.post(self.row_url(device), {
            "name": "Portable", "kind": "portable", "os_name": "", "last_update": "",
            "disk_encrypted": "true", "ip_address": "", "revision": device.revision},
            **self.HTMX)
        self.assertContains(saved, "Enregistré")
        self.assertContains(saved, f'id="ligne-{device.pk}"')
        device.refresh_from_db()
        self.assertTrue(device.disk_encrypted)
        self.assertEqual(Finding.objects.get(rule="mobile-non-chiffre").status,
                         Finding.Status.RESOLVED)
        self.assertTrue(ItemChange.objects.filter(action="updated", item_id=device.pk)
                        .exists())

    def test_bad_input_comes_back_in_the_row(self):
        device = Device.objects.create(organisation=self.org, name="Comptoir")
        response = self.client.post(self.row_url(device), {"name": "", "kind": "fusee",
                                                           "revision": device.revision},
                                    **self.HTMX)
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, 'class="errorlist', status_code=422)
        device.refresh_from_db()
        self.assertEqual(device.name, "Comptoir")

    def test_without_javascript_the_row_address_opens_the_full_form(self):
        device = Device.objects.create(organisation=self.org, name="Comptoir")
        self.assertRedirects(self.client.get(self.row_url(device)), self.device_url(device))

    def test_the_read_only_role_cannot_edit_a_row(self):
        device = Device.objects.create(organisation=self.org, name="Comptoir")
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.get(self.row_url(device), **self.HTMX).status_code, 403)
        self.assertEqual(self.client.get(self.row_url(device) + "?annuler=1", **self.HTMX)
                         .status_code, 200)
        self.assertEqual(self.client.post(self.row_url(device), {"name": "x"}, **self.HTMX)
                         .status_code, 403)


class FindingLinksTestCase(InventoryTestCase):
    def test_an_open_finding_links_to_its_action_and_departed_people_cannot_own_a_risk(self):
        gone = Person.objects.create(organisation=self.org, first_name="Nicolas",
                                     last_name="Petit", departure_date=timezone.localdate())
        Backup.objects.create(organisation=self.org, what="LGO", offline_copy=False,
                              last_restore_test=timezone.localdate())
        findings_recompute(organisation=self.org)
        action = Action.objects.get(source="inventaire",
                                    source_key="pas-de-sauvegarde-hors-ligne")
        page = self.client.get(self.org_url("inventory_findings"))
        self.assertContains(page, self.org_url("action_edit", action.pk))
        finding = Finding.objects.get(rule="pas-de-sauvegarde-hors-ligne")
        form = self.client.get(self.org_url("inventory_finding_accept", finding.pk))
        owners = list(form.context["form"].fields["owner"].queryset)
        self.assertIn(self.person, owners)
        self.assertNotIn(gone, owners)


class ExportTestCase(InventoryTestCase):
    def test_it_exports_the_filtered_list_with_every_field_for_excel(self):
        laptop = Device.objects.create(organisation=self.org, name="=Portable",
                                       kind=Device.Kind.LAPTOP, disk_encrypted=False)
        Device.objects.create(organisation=self.org, name="Comptoir")
        Device.objects.create(organisation=self.other_org, name="Bravo")
        response = self.client.get(self.org_url("inventory_export", "appareils"),
                                   {"kind": "portable"})
        content = b"".join(response.streaming_content).decode()
        lines = content.lstrip("\ufeff").splitlines()
        self.assertTrue(lines[0].startswith("Nom;Type;Système;"))
        self.assertEqual(len(lines), 2)
        self.assertIn("'=Portable;Ordinateur portable;", lines[1])  # formula escaped
        self.assertNotIn("Bravo", content)
        self.assertTrue(AuditEntry.objects.filter(action="inventory.exported").exists())
        self.assertIsNotNone(laptop.pk)

    def test_the_software_export_lists_its_devices_without_a_query_per_row(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from pharmagarde.inventory.models import Software

        device = Device.objects.create(organisation=self.org, name="Comptoir")
        for number in range(30):
            Software.objects.create(organisation=self.org, name=f"L{number}").devices.add(device)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.org_url("inventory_export", "logiciels"))
            content = b"".join(response.streaming_content).decode()
        self.assertIn("L29;", content)
        self.assertIn(";Comptoir;", content)
        self.assertLess(len(queries), 20)


class LargeInventoryPlanTestCase(InventoryTestCase):
    def test_an_action_keeps_the_first_items_and_counts_them_all(self):
        from pharmagarde.inventory.plan_source import KEPT_SUBJECTS, SOURCE

        Device.objects.bulk_create([
            Device(organisation=self.org, name=f"Portable {n:03d}", kind=Device.Kind.LAPTOP,
                   disk_encrypted=False) for n in range(KEPT_SUBJECTS + 50)])
        findings_recompute(organisation=self.org)
        action = Action.objects.get(source="inventaire", source_key="mobile-non-chiffre")
        self.assertEqual(len(action.source_data["subjects"]), KEPT_SUBJECTS)
        self.assertEqual(action.source_data["count"], KEPT_SUBJECTS + 50)
        self.assertIn("et 230 autre(s)", action.how)
        closes = SOURCE.describe([action])[action.pk]
        self.assertEqual(closes.summary, f"Concerne {KEPT_SUBJECTS + 50} éléments de "
                                         "l'inventaire")
