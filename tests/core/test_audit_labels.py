"""Every code written to the audit log has a label a responsable can read.

Two checks: `audit.record` refuses an unlabelled code at run time (so a code built in a
variable is caught by the tests of its path), and every literal code in the source is
labelled (so a path without a test is caught too). Before this, `auth.password_set` and
`account.created_by_command` were shown raw in the log.
"""

import ast
from pathlib import Path

from django.test import TestCase

from pharmagarde.core import audit
from pharmagarde.core.models import AuditEntry

PACKAGE = Path(audit.__file__).resolve().parent.parent


def literal_codes():
    """(file:line, code) for each audit.record("...") / record("...") call in the package."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            if name == "record" and owner in {"audit", ""}:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append((f"{path.relative_to(PACKAGE)}:{node.lineno}", first.value))
    return found


class AuditLabelsTestCase(TestCase):
    def test_every_literal_code_in_the_source_has_a_label(self):
        codes = literal_codes()
        self.assertGreater(len(codes), 25)  # the scan does find the calls
        missing = [f"{where} {code}" for where, code in codes
                   if code not in audit.ACTION_LABELS]
        self.assertEqual(missing, [], "codes d'audit sans libellé")

    def test_the_codes_once_shown_raw_now_have_labels(self):
        for code in ("auth.password_set", "account.created_by_command"):
            self.assertNotEqual(str(audit.action_label(code)), code)

    def test_record_refuses_a_code_without_a_label(self):
        with self.assertRaisesMessage(ValueError, "sans libellé : 'inventaire.oublie'"):
            audit.record("inventaire.oublie")
        self.assertFalse(AuditEntry.objects.exists())
