"""docs/inventory.md lists every rule of the inventory: the page and the code agree."""

from pathlib import Path

from django.test import SimpleTestCase

from pharmagarde.inventory.rules import RULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "inventory.md"


class DocsTestCase(SimpleTestCase):
    def test_every_rule_is_in_the_table(self):
        text = DOC.read_text()
        for rule in RULES:
            self.assertIn(f"| `{rule.id}` |", text, rule.id)
            self.assertIn(rule.title, text, rule.id)
