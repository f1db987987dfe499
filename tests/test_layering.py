"""The shape of the code: core and lib import no app, no two apps import each other, and
every app reaches core only through what core offers (docs/architecture.md).

The imports are read from the source (ast), so an import inside a function counts too.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.test import SimpleTestCase

PACKAGE = Path(__file__).resolve().parent.parent / "pharmagarde"
# The two layers below every app; everything else under pharmagarde/ with an AppConfig is
# an app.
FOUNDATIONS = {"core", "lib"}


def app_names():
    return {config.name.split(".")[1] for config in apps.get_app_configs()
            if config.name.startswith("pharmagarde.")} - FOUNDATIONS


def imported_packages(folder):
    """{(file, line, first-level package under pharmagarde)} imported by the files of folder."""
    found = set()
    for path in (PACKAGE / folder).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        relative = path.relative_to(PACKAGE)
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: resolve against the file's own package
                    parts = relative.parent.parts
                    base = list(parts)[: len(parts) - node.level + 1]
                    names = [".".join(["pharmagarde", *base, node.module or ""]).rstrip(".")]
                else:
                    names = [node.module or ""]
            for name in names:
                parts = name.split(".")
                if len(parts) > 1 and parts[0] == "pharmagarde":
                    found.add((str(relative), node.lineno, parts[1]))
    return found


class LayeringTestCase(SimpleTestCase):
    def test_core_and_lib_import_no_app(self):
        for foundation in FOUNDATIONS:
            wrong = sorted(f"{file}:{line} imports pharmagarde.{package}"
                           for file, line, package in imported_packages(foundation)
                           if package in app_names())
            self.assertEqual(wrong, [], f"{foundation} must not import an app")

    def test_lib_imports_nothing_of_the_project_but_itself(self):
        wrong = sorted(f"{file}:{line} imports pharmagarde.{package}"
                       for file, line, package in imported_packages("lib") if package != "lib")
        self.assertEqual(wrong, [])

    def test_no_two_apps_import_each_other(self):
        names = app_names()
        imports = {name: {package for _f, _l, package in imported_packages(name)
                          if package in names and package != name} for name in names}
        cycles = sorted(f"{a} <-> {b}" for a in names for b in imports[a]
                        if a < b and a in imports[b])
        self.assertEqual(cycles, [], "an app may use another; never both ways")

    def test_it_sees_the_apps(self):
        self.assertTrue({"accounts", "diagnostic", "actions"} <= app_names())
