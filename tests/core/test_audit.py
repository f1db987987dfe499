import json
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase

from pharmagarde.core import audit
from pharmagarde.core.models import AuditEntry
from tests.base import make_organisation, make_user


class AuditChainTestCase(TestCase):
    def setUp(self):
        self.org = make_organisation("Pharmacie Alpha", "alpha")
        self.user = make_user("alice@alpha.example")
        for i in range(5):
            audit.record("person.updated", actor=self.user, organisation=self.org,
                         details={"n": i, "texte": "é"})

    def verify(self):
        out = StringIO()
        call_command("audit", "verify", stdout=out)
        return out.getvalue()

    def raw_sql(self, sql, params=()):
        # Tampering happens behind the ORM's back, as an attacker with DB access would do.
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def test_it_verifies_an_intact_chain(self):
        output = self.verify()
        self.assertIn("5 entrée(s) vérifiée(s)", output)

    def test_it_links_each_entry_to_the_previous_one(self):
        first, second = AuditEntry.objects.order_by("id")[:2]
        self.assertEqual(first.previous_hash, audit.GENESIS_HASH)
        self.assertEqual(second.previous_hash, first.entry_hash)

    def test_it_detects_an_edited_entry(self):
        target = AuditEntry.objects.order_by("id")[2]
        self.raw_sql("UPDATE core_auditentry SET action = %s WHERE id = %s",
                     ["test.other", target.id])
        with self.assertRaisesMessage(CommandError, "Journal d'audit altéré"):
            self.verify()

    def test_it_detects_edited_details(self):
        target = AuditEntry.objects.order_by("id")[1]
        self.raw_sql("UPDATE core_auditentry SET details = %s WHERE id = %s",
                     ['{"n": 99, "texte": "é"}', target.id])
        self.assertFalse(audit.verify().ok)

    def test_it_detects_a_removed_entry(self):
        target = AuditEntry.objects.order_by("id")[2]
        self.raw_sql("DELETE FROM core_auditentry WHERE id = %s", [target.id])
        result = audit.verify()
        self.assertFalse(result.ok)
        self.assertIn("ne suit pas", result.problems[0])

    def test_it_detects_reordered_entries(self):
        a, b = AuditEntry.objects.order_by("id")[1:3]
        columns = "created_at = %s, previous_hash = %s, entry_hash = %s, details = %s"

        def write(target_id, source, entry_hash):
            self.raw_sql(f"UPDATE core_auditentry SET {columns} WHERE id = %s", [
                source.created_at, source.previous_hash, entry_hash,
                json.dumps({"n": source.details["n"], "texte": "é"}), target_id,
            ])

        # Swap the two rows, each keeping its own valid hash: only the order changes.
        write(a.id, a, "tmp")
        write(b.id, a, a.entry_hash)
        write(a.id, b, b.entry_hash)
        result = audit.verify()
        self.assertFalse(result.ok)
        self.assertIn("ne suit pas", result.problems[0])

    def test_it_refuses_updates_and_deletes_through_the_orm(self):
        entry = AuditEntry.objects.first()
        with self.assertRaises(TypeError):
            entry.save()
        with self.assertRaises(TypeError):
            entry.delete()
        with self.assertRaises(TypeError):
            AuditEntry.objects.all().delete()
        with self.assertRaises(TypeError):
            AuditEntry.objects.filter(id=entry.id).update(action="x")

    def test_it_keeps_the_chain_valid_when_the_actor_is_deleted(self):
        self.user.delete()
        self.assertTrue(audit.verify().ok)
        self.assertEqual(AuditEntry.objects.first().actor_label, "alice@alpha.example")

    def anchor(self):
        last = AuditEntry.objects.order_by("-id").first()
        return f"{AuditEntry.objects.count()}:{last.entry_hash}"

    def test_it_prints_an_anchor_to_keep(self):
        self.assertIn(f"Ancre à noter ailleurs : {self.anchor()}", self.verify())

    def test_it_accepts_an_anchor_the_log_still_reaches(self):
        anchor = self.anchor()
        audit.record("person.updated", actor=self.user, organisation=self.org)
        out = StringIO()
        call_command("audit", "verify", "--anchor", anchor, stdout=out)
        self.assertIn("6 entrée(s) vérifiée(s)", out.getvalue())

    def test_it_detects_a_tail_cut_off_after_an_anchor(self):
        anchor = self.anchor()
        last = AuditEntry.objects.order_by("-id").first()
        # Without the anchor, removing the last entry leaves a valid (shorter) chain.
        self.raw_sql("DELETE FROM core_auditentry WHERE id = %s", [last.id])
        self.assertTrue(audit.verify().ok)
        with self.assertRaisesMessage(CommandError, "Journal d'audit altéré"):
            call_command("audit", "verify", "--anchor", anchor, stdout=StringIO(),
                         stderr=StringIO())

    def test_it_refuses_a_malformed_anchor(self):
        with self.assertRaisesMessage(CommandError, "N:EMPREINTE"):
            call_command("audit", "verify", "--anchor", "douze", stdout=StringIO())

    def test_it_verifies_in_batches(self):
        result = audit.verify(batch_size=2)
        self.assertTrue(result.ok)
        self.assertEqual(result.checked, 5)
