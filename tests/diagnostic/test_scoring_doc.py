"""docs/scoring.md's worked example, run as written: the page and the code must agree."""

import contextlib
import io
import re
from pathlib import Path

from django.test import SimpleTestCase

DOC = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"


class WorkedExampleTestCase(SimpleTestCase):
    def test_the_documented_example_prints_the_documented_numbers(self):
        text = DOC.read_text()
        code = re.search(r"## 6\. Worked example.*?```python\n(.*?)```", text, re.S).group(1)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, str(DOC), "exec"), {})  # noqa: S102 - our own documentation
        lines = printed.getvalue().splitlines()
        self.assertEqual(lines[0], "55.6 2 Bases en place")
        self.assertEqual(lines[1], "[100.0, 50.0, 55.6, 0.0, None]")
        self.assertEqual(lines[2], "[('sauv-test', 'basic'), ('cpt-mfa-comptes', 'advanced'), "
                                   "('cpt-mdp-stockage', 'advanced'), ('poste-usb', 'basic')]")
        # The comments under the code say the same as what it prints.
        self.assertIn("# 55.6 2 Bases en place", code)
        self.assertIn("# [100.0, 50.0, 55.6, 0.0, None]", code)
