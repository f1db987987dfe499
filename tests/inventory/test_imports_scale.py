"""What keeps imports and recomputations fast on a large inventory (bench/inventory.py
measures them at 100,000 accounts and 5,000 devices): the number of SQL queries does not
grow with the number of rows, the fast paths write what bulk_update would, and the people
index proposes the same candidates as reading the whole staff."""

import datetime
import io
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from pharmagarde.actions.models import Action
from pharmagarde.core.models import Person
from pharmagarde.inventory import importers, selectors, services
from pharmagarde.inventory.models import Account, Device, Finding, ItemChange
from pharmagarde.inventory.rules import Snapshot, run_rules
from pharmagarde.lib import bulk
from tests.base import BaseTestCase

# The statements of a batched write (on PostgreSQL, lib.bulk.update_rows also creates and
# drops its temporary table).
WRITES = ("INSERT", "UPDATE", "CREATE", "DROP")


def split(queries) -> tuple[int, int]:
    """(reads and other statements, batched writes): Django splits a bulk INSERT, and the
    recomputation an UPDATE … WHERE id IN (…), into as many statements as the database's
    limit on parameters requires (999 on SQLite), so those grow with the rows, by batches;
    a statement per row would be an N+1."""
    writes = sum(1 for query in queries.captured_queries
                 if query["sql"].split(" ", 1)[0] in WRITES
                 or " times: UPDATE " in query["sql"][:20])
    return len(queries.captured_queries) - writes, writes


HEADER = ["SamAccountName", "Name", "GivenName", "Surname", "EmailAddress", "Enabled",
          "LastLogonDate", "PasswordLastSet", "PasswordNeverExpires", "MemberOf"]


def ad_export(count, *, enabled="True", year=2024):
    lines = ["#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser",
             ";".join(f'"{title}"' for title in HEADER)]
    for n in range(count):
        login = f"user{n:05d}"
        date = f"{n % 28 + 1:02d}/{n % 12 + 1:02d}/{year} 08:15:00"
        groups = "CN=Admins du domaine,CN=Users,DC=pharmacie,DC=local" if n % 7 == 0 else ""
        values = [login, f"Prénom{n} Nom{n}", f"Prénom{n}", f"Nom{n}",
                  f"{login}@pharmacie.fr", enabled, date, date, "True", groups]
        lines.append(";".join(f'"{value}"' for value in values))
    return io.BytesIO(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))


def risky_devices(organisation, count, port=3389):
    Device.objects.bulk_create([
        Device(organisation=organisation, name=f"poste-{n:04d}", kind=Device.Kind.WORKSTATION,
               os_name="Windows 7 Professionnel", ip_address=f"10.0.{n // 256}.{n % 256}",
               open_ports=[{"port": port, "protocol": "tcp", "service": "",
                            "product": "", "version": ""}])
        for n in range(count)])


class ImportQueriesTestCase(BaseTestCase):
    def import_ad(self, file):
        prepared = importers.prepare_ad(acting_user=self.owner, organisation=self.org,
                                        file=file, filename="comptes.csv")
        self.assertIsNotNone(prepared.batch, prepared.errors)
        with CaptureQueriesContext(connection) as queries:
            summary = importers.batch_apply(acting_user=self.owner, batch=prepared.batch)
        return summary, split(queries)

    def counts(self, rows):
        for model in (Account, Finding, Action, ItemChange):
            model.objects.filter(organisation=self.org).delete()
        first = self.import_ad(ad_export(rows))
        second = self.import_ad(ad_export(rows, enabled="False", year=2025))
        return first, second

    def test_an_import_costs_the_same_reads_for_20_or_400_accounts(self):
        (small_first, small_first_q), (small_second, small_second_q) = self.counts(20)
        (big_first, big_first_q), (big_second, big_second_q) = self.counts(400)
        self.assertEqual((small_first["created"], big_first["created"]), (20, 400))
        self.assertEqual((small_second["changed"], big_second["changed"]), (20, 400))
        self.assertEqual(small_first_q[0], big_first_q[0])
        self.assertEqual(small_second_q[0], big_second_q[0])
        # 400 accounts and their findings: a write statement per batch, not per row.
        self.assertLess(big_first_q[1], 400 / 10)
        self.assertLess(big_second_q[1], 400 / 10)

    def test_each_new_account_gets_its_history_row_written_by_the_database(self):
        """importers._insert_recorded writes the creations' history with INSERT … SELECT:
        each account named as str() names it, with the file, the person and the time."""
        self.import_ad(ad_export(3))
        accounts = list(Account.objects.filter(organisation=self.org))
        self.assertEqual(len(accounts), 3)
        for account in accounts:
            change = ItemChange.objects.get(organisation=self.org, item_type="account",
                                            item_id=account.pk)
            self.assertEqual((change.item_label, change.action, change.actor, change.changes),
                             (str(account), "imported", self.owner,
                              {"source": ["", "comptes.csv"]}))
            self.assertLess(abs((change.at - account.created_at).total_seconds()), 5)

    def test_an_export_written_by_chunks_loses_and_repeats_nothing(self):
        with mock.patch.object(importers, "AD_CHUNK", 5):
            first, _queries = self.import_ad(ad_export(12))
            second, _queries = self.import_ad(ad_export(12, enabled="False", year=2025))
        self.assertEqual((first["created"], second["changed"]), (12, 12))
        accounts = Account.objects.filter(organisation=self.org)
        self.assertEqual(accounts.count(), 12)
        self.assertFalse(accounts.filter(enabled=True).exists())
        self.assertEqual(set(accounts.values_list("revision", flat=True)), {1})
        for account in accounts:
            self.assertEqual(ItemChange.objects.filter(item_type="account",
                                                       item_id=account.pk).count(), 2)

    def test_a_changed_export_updates_every_field_and_keeps_the_history(self):
        self.import_ad(ad_export(3))
        before = {a.login: a for a in Account.objects.filter(organisation=self.org)}
        summary, _queries = self.import_ad(ad_export(3, enabled="False", year=2025))
        self.assertEqual(summary["changed"], 3)
        for account in Account.objects.filter(organisation=self.org):
            self.assertFalse(account.enabled)
            self.assertEqual(account.last_used.year, 2025)
            self.assertEqual(account.revision, before[account.login].revision + 1)
            self.assertEqual(account.updated_at, before[account.login].updated_at)
        change = ItemChange.objects.filter(item_id=before["user00001"].pk).first()
        self.assertEqual(change.changes["enabled"], ["Oui", "Non"])
        self.assertEqual(change.changes["last_used"], ["02/02/2024", "02/02/2025"])

    def test_a_rescan_writes_the_ports_and_the_address(self):
        device = Device.objects.create(organisation=self.org, name="nas",
                                       mac_address="00:11:32:AA:BB:CC", revision=4)
        device.ip_address, device.open_ports = "10.0.0.9", [{"port": 445, "protocol": "tcp"}]
        device.revision += 1
        bulk.update_rows(Device, [device], ["ip_address", "open_ports", "revision"])
        device.refresh_from_db()
        self.assertEqual(device.ip_address, "10.0.0.9")
        self.assertEqual(device.open_ports, [{"port": 445, "protocol": "tcp"}])
        self.assertEqual(device.revision, 5)


class RecomputeQueriesTestCase(BaseTestCase):
    def recompute(self, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            counts = services.findings_recompute(organisation=self.org, **kwargs)
        return counts, split(queries)

    def test_recomputing_costs_the_same_reads_for_5_or_300_devices(self):
        measured = []
        for count in (5, 300):
            Device.objects.filter(organisation=self.org).delete()
            Finding.objects.filter(organisation=self.org).delete()
            Action.objects.filter(organisation=self.org).delete()
            risky_devices(self.org, count)
            opened, opened_q = self.recompute()
            still, still_q = self.recompute()
            Device.objects.filter(organisation=self.org).update(open_ports=[])
            resolved, resolved_q = self.recompute()
            self.assertEqual(still["still"], opened["opened"])
            self.assertEqual(resolved["resolved"], count)
            measured.append((opened_q, still_q, resolved_q))
        self.assertEqual([reads for reads, _writes in measured[0]],
                         [reads for reads, _writes in measured[1]])
        self.assertLess(max(writes for _reads, writes in measured[1]), 300 / 10)

    def test_the_account_rules_see_the_same_in_the_snapshot_as_in_the_accounts(self):
        """selectors.snapshot reads the accounts as rows (AccountFacts), not instances: every
        account rule must find the same hits, with the same labels, as on the instances,
        and cost the same reads for 3 or 60 accounts of each kind."""
        departed = Person.objects.create(organisation=self.org, first_name="Ancien",
                                         last_name="Salarié",
                                         departure_date=datetime.date(2025, 1, 1))
        measured = []
        for count in (3, 60):
            Account.objects.filter(organisation=self.org).delete()
            Account.objects.bulk_create([
                Account(organisation=self.org, login=login, holder=holder, is_admin=admin,
                        mfa=False, holder_kind=kind, password_never_expires=True,
                        password_last_set=datetime.date(2020, 1, 1) if admin else None,
                        last_used=datetime.date(2025, 1, 1))
                for n in range(count)
                for login, holder, admin, kind in (
                    (f"admin{n}", None, True, Account.Holder.SHARED),
                    (f"j{n}dupont", departed, False, Account.Holder.PERSON),
                    (f"comptoir{n}", None, False, Account.Holder.PERSON))])
            _counts, (reads, _writes) = self.recompute()
            measured.append(reads)
        today = datetime.date.today()
        instances = Snapshot(accounts=list(Account.objects.filter(organisation=self.org)
                                           .select_related("holder")))
        facts = Snapshot(accounts=selectors.snapshot(self.org).accounts)
        self.assertEqual(run_rules(instances, today), run_rules(facts, today))
        rules = {f.rule for f in Finding.objects.filter(organisation=self.org)}
        self.assertLessEqual({"compte-parti-actif", "admin-partage", "admin-sans-mfa",
                              "mdp-sans-expiration", "mdp-admin-ancien", "compte-inutilise",
                              "compte-generique"}, rules)
        self.assertEqual(measured[0], measured[1])

    def test_each_finding_gets_its_own_detail_status_and_dates(self):
        risky_devices(self.org, 4)
        self.recompute()
        devices = list(Device.objects.filter(organisation=self.org).order_by("name"))
        # One device now answers on another port, one is renamed, one is fixed.
        Device.objects.filter(pk=devices[0].pk).update(
            open_ports=[{"port": 23, "protocol": "tcp"}])
        Device.objects.filter(pk=devices[1].pk).update(name="poste-renomme")
        Device.objects.filter(pk=devices[2].pk).update(open_ports=[])
        accepted = Finding.objects.get(rule="service-a-risque",
                                       subject=f"device:{devices[3].pk}")
        Finding.objects.filter(pk=accepted.pk).update(
            status=Finding.Status.ACCEPTED, accepted_until=datetime.date(2026, 1, 1))
        counts, _queries = self.recompute(today=datetime.date(2026, 12, 1))
        findings = {f.subject: f for f in Finding.objects.filter(rule="service-a-risque")}
        self.assertIn("23 : Telnet", findings[f"device:{devices[0].pk}"].detail)
        self.assertEqual(findings[f"device:{devices[1].pk}"].subject_label, "poste-renomme")
        fixed = findings[f"device:{devices[2].pk}"]
        self.assertEqual(fixed.status, Finding.Status.RESOLVED)
        self.assertIsNotNone(fixed.resolved_at)
        # Seen last at the first recomputation; the others were seen again at the second.
        self.assertLess(fixed.last_seen, findings[f"device:{devices[0].pk}"].last_seen)
        self.assertLess(fixed.last_seen, fixed.resolved_at)
        self.assertEqual(findings[f"device:{devices[3].pk}"].status, Finding.Status.OPEN)
        self.assertEqual((counts["resolved"], counts["opened"]), (1, 1))
        # The finding of the fixed device comes back when its port opens again.
        Device.objects.filter(pk=devices[2].pk).update(
            open_ports=[{"port": 3389, "protocol": "tcp"}])
        self.recompute()
        fixed.refresh_from_db()
        self.assertEqual((fixed.status, fixed.resolved_at), (Finding.Status.OPEN, None))
        self.assertEqual(len({f.last_seen for f in Finding.objects.filter(
            rule="service-a-risque")}), 1)


class PeopleIndexTestCase(BaseTestCase):
    def test_candidates_are_those_a_full_read_of_the_staff_finds(self):
        names = [("Jean", "Dupont"), ("Julie", "Dupont"), ("Marc", "Durand"),
                 ("Jean", "Durand"), ("Élodie", "Lefèvre"), ("", "Martin"), ("Anne", ""),
                 ("Jean-Luc", "De La Tour")] + [("Paul", "Dupont")] * 5
        Person.objects.bulk_create([Person(organisation=self.org, first_name=first,
                                           last_name=last) for first, last in names])
        index = importers.PeopleIndex(self.org)

        def full_read(login, last_name):
            login = importers._fold(login).replace(".", " ").replace(" ", "")
            last = importers._fold(last_name)
            return [person for (first, other), person in index.by_name_all
                    if (last and other == last) or (other and login in {
                        f"{first[:1]}{other}".replace(" ", ""),
                        f"{first}{other}".replace(" ", "")})][:5]

        for login, last_name in [("jdupont", ""), ("jdurand", "Dupont"), ("j.dupont", ""),
                                 ("elefevre", ""), ("x", "Lefèvre"), ("martin", ""),
                                 ("jean-lucdelatour", ""), ("jldelatour", ""),
                                 ("inconnu", ""), ("anne", "")]:
            self.assertEqual(index.candidates(login, "", last_name),
                             full_read(login, last_name), login)
