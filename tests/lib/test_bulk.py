"""lib.bulk writes what Django's bulk_create and bulk_update would, faster."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from pharmagarde.inventory.models import Account, Device, ItemChange
from pharmagarde.lib.bulk import insert_rows, update_rows
from tests.base import BaseTestCase


class InsertRowsTestCase(BaseTestCase):
    def test_mappings_take_the_defaults_of_the_fields_they_leave_out(self):
        insert_rows(Account, [{"organisation_id": self.org.pk, "login": "jdupont"}])
        account = Account.objects.get(organisation=self.org)
        self.assertEqual((account.system, account.holder_kind, account.enabled, account.mfa,
                          account.notes, account.revision),
                         ("windows", "personne", True, None, "", 0))
        self.assertIsNotNone(account.created_at)
        self.assertEqual(account.created_at, account.updated_at)

    def test_instances_and_mappings_give_the_same_rows(self):
        day = datetime.date(2024, 3, 9)
        insert_rows(Account, [Account(organisation=self.org, login="a", last_used=day,
                                      is_admin=True, mfa=False)])
        insert_rows(Account, [{"organisation_id": self.org.pk, "login": "b", "last_used": day,
                               "is_admin": True, "mfa": False}])
        a, b = Account.objects.filter(organisation=self.org).order_by("login")
        for name in ("system", "last_used", "is_admin", "mfa", "enabled", "revision"):
            self.assertEqual(getattr(a, name), getattr(b, name), name)

    def test_instances_get_the_time_written_in_their_auto_now_fields(self):
        account = Account(organisation=self.org, login="a")
        insert_rows(Account, [account])
        self.assertEqual(account.created_at, Account.objects.get().created_at)

    def test_repeated_and_distinct_values_are_each_written_as_they_are(self):
        """The conversion of a value is remembered for the batch: distinct dates and JSON
        values must not be mixed up, whether the objects are shared or not."""
        shared = {"source": ["", "fichier.csv"]}
        rows = [{"organisation_id": self.org.pk, "item_type": "account", "item_id": n,
                 "item_label": f"compte {n}", "action": "imported",
                 "changes": shared if n % 2 else {"n": [n, n + 1]}} for n in range(10)]
        insert_rows(ItemChange, rows, batch_size=3)
        changes = {c.item_id: c.changes for c in ItemChange.objects.filter(
            organisation=self.org)}
        self.assertEqual(changes, {n: shared if n % 2 else {"n": [n, n + 1]}
                                   for n in range(10)})
        days = [datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 4) for n in range(9)]
        insert_rows(Account, [{"organisation_id": self.org.pk, "login": f"u{n}",
                               "last_used": day} for n, day in enumerate(days)], batch_size=4)
        self.assertEqual([a.last_used for a in Account.objects.filter(
            organisation=self.org).order_by("id")], days)

    def test_one_statement_per_batch(self):
        with CaptureQueriesContext(connection) as queries:
            count = insert_rows(Account, ({"organisation_id": self.org.pk, "login": f"u{n}"}
                                          for n in range(25)), batch_size=10)
        self.assertEqual(count, 25)
        self.assertEqual(Account.objects.count(), 25)
        inserts = [q for q in queries.captured_queries if "INSERT" in q["sql"]]
        # PostgreSQL: COPY through the driver's cursor, which Django's log does not see.
        self.assertEqual(len(inserts), 0 if connection.vendor == "postgresql" else 3)


class UpdateRowsTestCase(BaseTestCase):
    def test_the_named_fields_are_written_and_the_others_left(self):
        device = Device.objects.create(organisation=self.org, name="nas", notes="garder")
        stamp = Device.objects.get().updated_at
        device.ip_address, device.open_ports = "", [{"port": 445}]
        device.notes = "pas écrit"
        update_rows(Device, [device], ["ip_address", "open_ports"])
        device = Device.objects.get()
        self.assertEqual((device.ip_address, device.open_ports, device.notes),
                         (None, [{"port": 445}], "garder"))
        self.assertEqual(device.updated_at, stamp)

    def test_mappings_name_their_row_by_pk(self):
        first, second = (Device.objects.create(organisation=self.org, name=name)
                         for name in ("a", "b"))
        update_rows(Device, [{"pk": first.pk, "name": "poste-a", "revision": 3},
                             {"pk": second.pk, "name": "poste-b", "revision": 4}],
                    ["name", "revision"])
        self.assertEqual(list(Device.objects.order_by("pk").values_list("name", "revision")),
                         [("poste-a", 3), ("poste-b", 4)])
        update_rows(Device, [("nas", 5, first.pk), ["imprimante", 6, second.pk]],
                    ["name", "revision"])
        self.assertEqual(list(Device.objects.order_by("pk").values_list("name", "revision")),
                         [("nas", 5), ("imprimante", 6)])
