"""The processors' services: findings one by one, the plan's actions that appear and resolve
when the record is fixed, versioning with history and conflicts, the review, the inventory
links kept to the organisation's own items, deletion."""

import datetime

from django.core.exceptions import ValidationError

from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry
from pharmagarde.inventory.models import Account, Software
from pharmagarde.privacy import processor_services as services
from pharmagarde.privacy.models import PrivacyVersion, Processor
from tests.base import BaseTestCase
from tests.privacy.test_processor_helpers import (
    ALL_CLAUSES,
    ALL_CONDITIONS,
    days_ago,
    make_processor,
    today,
    values,
)


def keys(processor):
    return [finding.key for finding in services.findings(processor, today())]


def update(user, processor, *, revision=None, clauses=None, remote_conditions=None,
           software=(), accounts=(), **fields):
    current = Processor.objects.get(pk=processor.pk)
    base = {name: getattr(current, name) for name in services.FIELDS}
    base.update(fields)
    return services.processor_update(
        acting_user=user, processor=current, values=base,
        clauses=current.clauses if clauses is None else clauses,
        remote_conditions=(current.remote_conditions if remote_conditions is None
                           else remote_conditions),
        software=software, accounts=accounts,
        revision=current.revision if revision is None else revision)


def plan_actions(organisation):
    return Action.objects.filter(organisation=organisation, source="rgpd")


def open_keys(organisation) -> set[str]:
    """The plan's actions from processors still to do (a settled one is removed, or kept
    as « réglée à la source » once someone worked on it)."""
    return set(plan_actions(organisation).filter(status__in=Action.OPEN_STATUSES,
                                                 resolved_at_source=False)
               .values_list("source_key", flat=True))


class FindingsTestCase(BaseTestCase):
    def test_a_complete_processor_has_none(self):
        processor = make_processor(self.alice, self.org)
        self.assertEqual(keys(processor), [])

    def test_missing_and_unchecked_clauses_make_one_finding_that_lists_them(self):
        clauses = {**ALL_CLAUSES, "fin": False, "audits": None}
        del clauses["violations"]
        processor = make_processor(self.alice, self.org, clauses=clauses)
        [finding] = services.findings(processor, today())
        self.assertEqual(finding.key, "clauses")
        self.assertEqual(finding.text,
                         "3 clauses manquantes ou non vérifiées dans le contrat")
        self.assertIn("Supprimer ou rendre les données à la fin du contrat", finding.detail)
        self.assertIn("Fournir les preuves de conformité", finding.detail)
        self.assertIn("violation de données", finding.detail)

    def test_the_hds_clause_counts_only_with_health_data(self):
        clauses = {**ALL_CLAUSES, "hds": False}
        self.assertEqual(keys(make_processor(self.alice, self.org, clauses=clauses)), [])
        processor = make_processor(self.alice, self.org, clauses=clauses, health_data=True,
                                   hds_certified=True)
        [finding] = services.findings(processor, today())
        self.assertEqual(finding.text, "1 clause manquante ou non vérifiée dans le contrat")
        self.assertIn("HDS", finding.detail)

    def test_health_data_without_hds_false_or_not_checked(self):
        for hds, detail in ((False, "n'est pas certifié"), (None, "n'a pas été vérifiée")):
            processor = make_processor(self.alice, self.org, health_data=True,
                                       hds_certified=hds)
            [finding] = services.findings(processor, today())
            self.assertEqual((finding.key, finding.text),
                             ("hds", "Données de santé sans certification HDS"))
            self.assertIn(detail, finding.detail)

    def test_no_contract_date(self):
        processor = make_processor(self.alice, self.org, contract_signed_on=None)
        self.assertEqual(keys(processor), ["contrat"])

    def test_review_overdue_from_the_contract_then_from_the_last_review(self):
        processor = make_processor(self.alice, self.org,
                                   contract_signed_on=today().replace(year=today().year - 2))
        [finding] = services.findings(processor, today())
        self.assertEqual((finding.key, finding.text), ("revue", "Revue du contrat en retard"))
        processor.reviewed_on = days_ago(10)
        self.assertEqual(keys(processor), [])
        # Due on the day itself is not overdue yet.
        processor.reviewed_on, processor.review_every_months = days_ago(0), 1
        self.assertEqual(services.findings(processor, processor.review_due_on), [])
        self.assertEqual(keys(processor), [])
        after = processor.review_due_on + datetime.timedelta(days=1)
        self.assertEqual([f.key for f in services.findings(processor, after)], ["revue"])

    def test_remote_access_with_a_condition_not_met_or_not_checked(self):
        conditions = {**ALL_CONDITIONS, "sessions-tracees": False,
                      "double-authentification": None}
        processor = make_processor(self.alice, self.org, remote_access=True,
                                   remote_conditions=conditions)
        [finding] = services.findings(processor, today())
        self.assertEqual(finding.key, "acces-distance")
        self.assertEqual(finding.detail, "Double authentification à chaque connexion ; "
                                         "Connexions enregistrées dans un journal")
        # Without remote access, the conditions do not count.
        processor.remote_access = False
        self.assertEqual(keys(processor), [])

    def test_accounts_without_mfa(self):
        remote = Account.objects.create(organisation=self.org, login="tech-dupont",
                                        system=Account.System.ACCES_DISTANCE, mfa=None)
        metier = Account.objects.create(organisation=self.org, login="dupont",
                                        system=Account.System.METIER, mfa=False)
        unknown = Account.objects.create(organisation=self.org, login="lgo",
                                         system=Account.System.METIER, mfa=None)
        safe = Account.objects.create(organisation=self.org, login="vpn",
                                      system=Account.System.ACCES_DISTANCE, mfa=True)
        processor = make_processor(self.alice, self.org,
                                   accounts=[remote, metier, unknown, safe])
        [finding] = services.findings(processor, today())
        self.assertEqual((finding.key, finding.text),
                         ("mfa", "Compte sans double authentification"))
        self.assertIn("tech-dupont", finding.detail)
        self.assertIn("dupont (Logiciel métier", finding.detail)
        self.assertNotIn("lgo", finding.detail)
        self.assertNotIn("vpn", finding.detail)


class PlanTestCase(BaseTestCase):
    def test_actions_appear_and_resolve_when_fixed(self):
        processor = make_processor(self.alice, self.org, clauses={"objet": True},
                                   health_data=True, hds_certified=None)
        found = {action.source_key: action for action in plan_actions(self.org)}
        self.assertEqual(set(found), {f"sous-traitant:{processor.pk}:clauses",
                                      f"sous-traitant:{processor.pk}:hds"})
        hds = found[f"sous-traitant:{processor.pk}:hds"]
        self.assertEqual(hds.title, "Vérifier que « Dupont Informatique » est certifié "
                                    "hébergeur de données de santé (HDS)")
        self.assertEqual(hds.source_data["origine"], "Sous-traitant Dupont Informatique")
        self.assertTrue(hds.how)
        update(self.dora, processor, clauses=dict(ALL_CLAUSES), hds_certified=True)
        self.assertEqual(open_keys(self.org), set())
        self.assertFalse(plan_actions(self.other_org).exists())

    def test_the_actions_are_in_french_whatever_the_language(self):
        from django.utils import translation

        with translation.override("en"):
            make_processor(self.alice, self.org, contract_signed_on=None)
        [action] = plan_actions(self.org)
        self.assertEqual(action.title, "Retrouver ou signer le contrat de « Dupont "
                                       "Informatique »")
        self.assertIn("Pas de date de contrat", action.description)

    def test_items_cost_two_queries(self):
        for i in range(5):
            make_processor(self.alice, self.org, name=f"P{i}", contract_signed_on=None)
        with self.assertNumQueries(2):
            self.assertEqual(len(services.items(self.org)), 5)


class UpdateTestCase(BaseTestCase):
    def setUp(self):
        self.processor = make_processor(self.alice, self.org)
        self.software = Software.objects.create(organisation=self.org, name="LGO",
                                                version="5")
        self.account = Account.objects.create(organisation=self.org, login="tech",
                                              system=Account.System.ACCES_DISTANCE,
                                              mfa=True)

    def test_it_keeps_the_previous_values_clause_by_clause_and_the_links(self):
        diff = update(self.dora, self.processor, name="Dupont SAS",
                      clauses={**ALL_CLAUSES, "fin": False}, software=[self.software],
                      accounts=[self.account])
        self.assertEqual(diff["nom"], ["Dupont Informatique", "Dupont SAS"])
        self.assertEqual(diff["Clause : Supprimer ou rendre les données à la fin du "
                              "contrat"], ["Oui", "Non"])
        self.assertEqual(diff["logiciels fournis"], ["", "LGO 5"])
        self.assertIn("tech", diff["comptes utilisés"][1])
        version = PrivacyVersion.objects.get(record_type="processor",
                                             record_id=self.processor.pk)
        self.assertEqual((version.author, version.revision, version.changes),
                         (self.dora, 1, diff))
        saved = Processor.objects.get(pk=self.processor.pk)
        self.assertEqual((saved.name, saved.clauses["fin"], saved.revision),
                         ("Dupont SAS", False, 1))
        self.assertEqual(list(saved.software.all()), [self.software])
        entry = AuditEntry.objects.get(action="privacy.processor_updated")
        self.assertIn("nom", entry.details["champs"])

    def test_nothing_changed_nothing_written(self):
        self.assertEqual(update(self.dora, self.processor), {})
        self.assertFalse(PrivacyVersion.objects.exists())
        self.assertEqual(Processor.objects.get(pk=self.processor.pk).revision, 0)

    def test_a_concurrent_edit_is_a_conflict_and_overwrites_nothing(self):
        update(self.alice, self.processor, name="Version d'Alice")
        with self.assertRaises(services.ProcessorConflict) as caught:
            update(self.dora, self.processor, name="Version de Dora", revision=0,
                   clauses={}, software=[self.software])
        self.assertEqual(caught.exception.current.name, "Version d'Alice")
        saved = Processor.objects.get(pk=self.processor.pk)
        self.assertEqual((saved.name, saved.clauses, saved.revision),
                         ("Version d'Alice", ALL_CLAUSES, 1))
        self.assertFalse(saved.software.exists())

    def test_another_organisations_items_are_refused(self):
        foreign = Account.objects.create(organisation=self.other_org, login="autre")
        foreign_software = Software.objects.create(organisation=self.other_org, name="X")
        with self.assertRaises(ValidationError):
            update(self.dora, self.processor, name="Changé", accounts=[foreign])
        with self.assertRaises(ValidationError):
            services.processor_create(acting_user=self.alice, organisation=self.org,
                                      values=values(), clauses={}, remote_conditions={},
                                      software=[foreign_software])
        self.assertEqual(Processor.objects.get(pk=self.processor.pk).name,
                         "Dupont Informatique")
        self.assertEqual(Processor.objects.count(), 1)


class ReviewAndDeleteTestCase(BaseTestCase):
    def test_a_review_moves_the_next_one_and_resolves_the_action(self):
        processor = make_processor(self.alice, self.org,
                                   contract_signed_on=datetime.date(2020, 3, 1))
        self.assertEqual([a.source_key for a in plan_actions(self.org)],
                         [f"sous-traitant:{processor.pk}:revue"])
        services.processor_review(acting_user=self.dora, processor=processor,
                                  reviewed_on=days_ago(2))
        saved = Processor.objects.get(pk=processor.pk)
        self.assertEqual(saved.reviewed_on, days_ago(2))
        self.assertEqual(saved.review_due_on.year, days_ago(2).year + 1)
        self.assertEqual(open_keys(self.org), set())
        version = PrivacyVersion.objects.get(record_id=processor.pk)
        self.assertEqual(version.reason, "Revue du contrat")
        self.assertTrue(AuditEntry.objects.filter(action="privacy.processor_reviewed")
                        .exists())

    def test_delete_is_audited_and_its_actions_leave_the_plan(self):
        processor = make_processor(self.alice, self.org, contract_signed_on=None)
        self.assertEqual(open_keys(self.org), {f"sous-traitant:{processor.pk}:contrat"})
        services.processor_delete(acting_user=self.alice, processor=processor)
        self.assertFalse(Processor.objects.exists())
        self.assertTrue(AuditEntry.objects.filter(action="privacy.processor_deleted",
                                                  details__nom="Dupont Informatique")
                        .exists())
        self.assertEqual(open_keys(self.org), set())
