"""plan_reconcile: one set of rules for every source of the plan, shown with a source that
exists only here ("inventaire"), unknown to `actions` and declared through the registry."""

import datetime
import re
from pathlib import Path
from unittest import mock

from django.db import IntegrityError, connection, transaction
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pharmagarde.actions import services, sources
from pharmagarde.actions.models import Action
from pharmagarde.actions.sources import ClosedItem, Closes, PlanItem, Source
from pharmagarde.core.models import AuditEntry
from pharmagarde.diagnostic.plan_source import SOURCE as DIAGNOSTIC
from tests.actions.base import PlanTestCase, days


class InventorySource(Source):
    """A source of findings on devices, as the inventory app will be."""

    name = "inventaire"
    label = "Inventaire"
    resolved_label = "Corrigé dans l'inventaire"
    deleted_message = "« %(title)s » est supprimée ; l'inventaire la recréera s'il le faut."
    picker_label = "Constats de l'inventaire que cette action règle"
    picker_summary = "Choisir les constats"

    def describe(self, actions):
        return {a.pk: Closes(heading="Constats de l'inventaire",
                             summary=f"Règle {len(a.source_data['devices'])} constat(s)",
                             items=tuple(ClosedItem(f"Poste {d}")
                                         for d in a.source_data["devices"]),
                             done_note="L'inventaire vérifiera le poste.")
                for a in actions if a.source == self.name}

    def manual_choices(self, organisation):
        return [("Postes", [("eol-poste-3", "Poste 3 : Windows 7")])]


INVENTORY = InventorySource()


def registered(*extra):
    """The registry with the diagnostic and these test-only sources."""
    found = {DIAGNOSTIC.name: DIAGNOSTIC, **{source.name: source for source in extra}}
    return mock.patch("pharmagarde.core.registry.plan_sources", return_value=found)


def finding(key="eol-poste-3", **fields):
    values = {"title": "Remplacer le poste 3 (Windows 7)", "why": "Plus de correctifs.",
              "how": "Commander un poste.", "effort": "important", "priority": 40,
              "criticality": "critique", "references": ("ANSSI, mesure 34",),
              "data": {"devices": [3]}}
    values.update(fields)
    return PlanItem(key=key, **values)


class PlanReconcileTestCase(PlanTestCase):
    def reconcile(self, *items, as_of=None, source="inventaire", **kwargs):
        return services.plan_reconcile(acting_user=self.alice, organisation=self.org,
                                       source=source, items=items, as_of=as_of, **kwargs)

    def finding_action(self, key="eol-poste-3"):
        return Action.objects.get(organisation=self.org, source="inventaire", source_key=key)

    def test_it_creates_one_action_per_item_and_audits_the_counts(self):
        result = self.reconcile(finding(), finding("wifi-ouvert", title="Fermer le Wi-Fi",
                                                   effort="faible", data={}),
                                obj=self.person)
        self.assertEqual((result.created, result.changes), (2, 2))
        action = self.finding_action()
        self.assertEqual((action.title, action.why, action.how, action.effort,
                          action.priority, action.criticality, action.references,
                          action.source_data, action.created_by),
                         ("Remplacer le poste 3 (Windows 7)", "Plus de correctifs.",
                          "Commander un poste.", "important", 40, "critique",
                          ["ANSSI, mesure 34"], {"devices": [3]}, self.alice))
        entry = AuditEntry.objects.get(action="plan.synced")
        self.assertEqual(entry.organisation, self.org)
        self.assertEqual(entry.object_id, str(self.person.pk))
        self.assertEqual(entry.details, {"origine": "inventaire", "changements": 2,
                                         "ajoutées": 2, "modifiées": 0, "rouvertes": 0,
                                         "résolues": 0, "retirées": 0})

    def test_the_same_items_twice_write_nothing_and_audit_nothing(self):
        self.reconcile(finding(data={"devices": (3,), "seen": {"1": True}}))
        before = self.finding_action().updated_at
        with CaptureQueriesContext(connection) as ctx:
            result = self.reconcile(finding(data={"devices": (3,), "seen": {"1": True}}))
        self.assertFalse(result)
        self.assertEqual(result.changes, 0)
        writes = [q["sql"] for q in ctx.captured_queries
                  if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"])]
        self.assertEqual(writes, [])
        self.assertEqual(self.finding_action().updated_at, before)
        self.assertEqual(AuditEntry.objects.filter(action="plan.synced").count(), 1)

    def test_the_text_follows_the_item_and_what_a_person_set_is_kept(self):
        self.reconcile(finding())
        action = self.finding_action()
        action.owner, action.due_date, action.notes = self.person, days(10), "Devis demandé"
        action.status, action.progress = Action.Status.IN_PROGRESS, 30
        services.action_save(acting_user=self.colin, action=action, revision=1)
        result = self.reconcile(finding(title="Remplacer les postes 3 et 4",
                                        data={"devices": [3, 4]}, priority=20))
        self.assertEqual(result.updated, 1)
        action.refresh_from_db()
        self.assertEqual((action.title, action.priority, action.source_data),
                         ("Remplacer les postes 3 et 4", 20, {"devices": [3, 4]}))
        self.assertEqual((action.owner, action.due_date, action.notes, action.status,
                          action.progress, action.revision),
                         (self.person, days(10), "Devis demandé", Action.Status.IN_PROGRESS,
                          30, 2))

    def test_an_untouched_action_goes_with_its_item(self):
        self.reconcile(finding())
        result = self.reconcile()
        self.assertEqual(result.removed, 1)
        self.assertFalse(Action.objects.filter(source="inventaire").exists())

    def test_a_started_action_is_flagged_resolved_at_the_source_until_the_item_returns(self):
        self.reconcile(finding(), finding("b"), finding("c"))
        Action.objects.filter(source_key="eol-poste-3").update(owner=self.person)
        # Evidence is a person's work too: the action stays.
        self.finding_action("b").evidence.create(
            organisation=self.org, file="x.pdf", original_name="x.pdf", size=1,
            content_type="application/pdf")
        Action.objects.filter(source_key="c").update(status=Action.Status.IN_PROGRESS)
        result = self.reconcile()
        self.assertEqual((result.resolved, result.removed), (3, 0))
        self.assertEqual(Action.objects.filter(source="inventaire", resolved_at_source=True)
                         .count(), 3)
        self.assertFalse(self.reconcile())  # flagged once
        result = self.reconcile(finding())
        self.assertEqual(result.updated, 1)
        self.assertFalse(self.finding_action().resolved_at_source)
        self.assertEqual(self.finding_action().status, Action.Status.TODO)

    def test_finished_and_dropped_actions_stay_when_the_item_goes(self):
        self.reconcile(finding(), finding("b"))
        Action.objects.filter(source_key="eol-poste-3").update(status=Action.Status.DONE,
                                                               closed_at=timezone.now())
        Action.objects.filter(source_key="b").update(status=Action.Status.DROPPED)
        self.assertFalse(self.reconcile())
        self.assertEqual(Action.objects.filter(source="inventaire",
                                               resolved_at_source=False).count(), 2)

    def test_a_finished_action_reopens_when_a_later_observation_still_shows_the_item(self):
        self.reconcile(finding())
        action = self.finding_action()
        action.status = Action.Status.DONE
        services.action_save(acting_user=self.colin, action=action, revision=1)
        closed_at = timezone.now() - datetime.timedelta(days=30)
        Action.objects.filter(pk=action.pk).update(closed_at=closed_at)
        # An observation begun before it was finished does not reopen it…
        self.assertFalse(self.reconcile(finding(), as_of=closed_at - datetime.timedelta(days=1)))
        # …one begun after does, with the source's words.
        result = self.reconcile(finding(), as_of=timezone.now(),
                                reopen_note="Rouverte : le poste 3 est toujours là.")
        self.assertEqual(result.reopened, 1)
        action.refresh_from_db()
        self.assertEqual((action.status, action.closed_at, action.revision),
                         (Action.Status.TODO, None, 3))
        self.assertTrue(action.notes.endswith("Rouverte : le poste 3 est toujours là."))
        self.assertFalse(self.reconcile(finding(), as_of=timezone.now()))

    def test_a_reopening_without_words_says_it_generically(self):
        self.reconcile(finding())
        Action.objects.filter(source_key="eol-poste-3").update(
            status=Action.Status.DONE, closed_at=timezone.now() - datetime.timedelta(days=3))
        self.reconcile(finding(), as_of=timezone.now())
        self.assertIn("Rouverte", self.finding_action().notes)

    def test_sources_organisations_and_hand_made_actions_are_kept_apart(self):
        # The same key in the diagnostic, in another organisation, and a hand-made action.
        diagnostic = self.make_diagnostic_action("Du diagnostic", measure="eol-poste-3")
        other = Action.objects.create(organisation=self.other_org, source="inventaire",
                                      source_key="eol-poste-3", title="Bravo")
        self.reconcile(finding())
        self.reconcile()
        self.assertTrue(Action.objects.filter(pk=diagnostic.pk).exists())
        self.assertTrue(Action.objects.filter(pk=other.pk).exists())
        self.assertTrue(Action.objects.filter(pk=self.action.pk).exists())
        self.assertEqual(Action.objects.filter(organisation=self.org, source="inventaire")
                         .count(), 0)

    def test_it_refuses_a_source_s_mistakes_and_writes_nothing(self):
        for items, source in [((finding(), finding()), "inventaire"),
                              ((finding(key=""),), "inventaire"),
                              ((finding(effort="énorme"),), "inventaire"),
                              ((finding(),), "manual"), ((finding(),), "")]:
            with self.subTest(source=source, items=items), self.assertRaises(ValueError):
                self.reconcile(*items, source=source)
        self.assertFalse(Action.objects.filter(source_key="eol-poste-3").exists())

    def test_it_is_one_transaction(self):
        with mock.patch.object(services.audit, "record", side_effect=RuntimeError), \
                self.assertRaises(RuntimeError):
            self.reconcile(finding())
        self.assertFalse(Action.objects.filter(source="inventaire").exists())

    def test_the_database_holds_one_action_per_source_key(self):
        self.reconcile(finding())
        with self.assertRaises(IntegrityError), transaction.atomic():
            Action.objects.create(organisation=self.org, source="inventaire",
                                  source_key="eol-poste-3", title="Doublon")
        self.make_action("Manuelle")
        self.make_action("Manuelle encore")  # hand-made actions have no key


class SourceOnThePlanTestCase(PlanTestCase):
    """What the plan's pages show of a source comes from the source, read in the registry."""

    def setUp(self):
        patcher = registered(INVENTORY)
        patcher.start()
        self.addCleanup(patcher.stop)
        services.plan_reconcile(acting_user=self.alice, organisation=self.org,
                                source="inventaire", items=[finding()])
        self.finding = Action.objects.get(source="inventaire")
        self.client.force_login(self.colin)

    def test_the_list_shows_its_label_and_what_the_action_settles(self):
        Action.objects.filter(pk=self.finding.pk).update(resolved_at_source=True)
        response = self.client.get(self.org_url("action_list"))
        self.assertContains(response, '<span class="badge">Inventaire</span>')
        self.assertContains(response, "Corrigé dans l&#x27;inventaire")
        self.assertContains(response, "Règle 1 constat(s)")
        self.assertContains(response, "Poste 3")
        self.assertContains(response, '<option value="inventaire">Inventaire</option>')
        only = self.client.get(self.org_url("action_list"), {"source": "inventaire"})
        self.assertEqual([a.title for a in only.context["page"].object_list],
                         ["Remplacer le poste 3 (Windows 7)"])

    def test_its_action_page_uses_the_generic_card_and_locks_the_source_s_text(self):
        response = self.client.get(self.org_url("action_edit", self.finding.pk))
        self.assertContains(response, "Ce que recommande l'origine de l'action (Inventaire)")
        self.assertContains(response, "Commander un poste.")
        self.assertContains(response, "ANSSI, mesure 34")
        self.assertContains(response, "Constats de l&#x27;inventaire")
        self.assertNotContains(response, 'name="title"')
        self.assertNotContains(response, 'name="closes_inventaire"')

    def test_a_hand_made_action_may_settle_its_findings(self):
        response = self.client.get(self.org_url("action_new"))
        self.assertContains(response, "Constats de l&#x27;inventaire que cette action règle")
        self.assertContains(response, "Choisir les constats")
        self.assertContains(response, 'name="closes_inventaire" value="eol-poste-3"')
        self.assertContains(response, 'name="closes_diagnostic" value="gouv-referent"')
        self.client.post(self.org_url("action_new"), {
            "title": "Changer le poste", "status": "todo", "effort": "faible",
            "progress": "0", "closes_inventaire": ["eol-poste-3"],
            "closes_diagnostic": ["gouv-referent"]})
        action = Action.objects.get(title="Changer le poste")
        self.assertEqual(action.source_data, {"closes": {"inventaire": ["eol-poste-3"],
                                                         "diagnostic": ["gouv-referent"]}})

    def test_finishing_says_what_its_source_will_do(self):
        response = self.client.post(self.org_url("action_status", self.finding.pk),
                                    {"status": "done", "revision": 1}, follow=True)
        self.assertContains(response, "L&#x27;inventaire vérifiera le poste.")

    def test_deleting_says_what_its_source_will_do(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("action_delete", self.finding.pk), follow=True)
        self.assertContains(response, "l&#x27;inventaire la recréera s&#x27;il le faut")

    def test_the_exports_name_it_and_what_it_settles(self):
        response = self.client.get(self.org_url("action_export_csv"))
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        row = next(line for line in text.splitlines() if "Windows 7" in line)
        self.assertIn(";Inventaire;Poste 3;", row)

    def test_an_action_of_a_source_no_longer_installed_is_still_shown(self):
        Action.objects.create(organisation=self.org, source="exercices", source_key="x",
                              title="Refaire l'exercice")
        response = self.client.get(self.org_url("action_list"))
        self.assertContains(response, '<span class="badge">exercices</span>')
        self.assertEqual(sources.source_for("exercices").label, "exercices")


class ActionsImportNoSourceTestCase(SimpleTestCase):
    def test_the_actions_package_imports_only_core_and_lib(self):
        package = Path(sources.__file__).parent
        imported = {(path.name, name) for path in package.rglob("*.py")
                    for name in re.findall(r"^\s*(?:from|import)\s+pharmagarde\.(\w+)",
                                           path.read_text(encoding="utf-8"), re.MULTILINE)}
        self.assertEqual({name for _file, name in imported} - {"core", "lib", "actions"}, set(),
                         sorted(imported))
