"""What the tests of every app's pack sections share (tests/<app>/test_pack_sections.py):
the sections of one app by key, their first Facts and Table, and a query count."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from pharmagarde.core.packs import Facts, PackRequest, Table


def sections_by_key(sections_of, organisation, regime, today) -> dict:
    """{section key: section} that `sections_of` (an app's pack_sections.sections) returns."""
    found = sections_of(PackRequest(organisation=organisation, regime=regime, today=today))
    return {section.key: section for section in found}


def facts_of(section) -> dict:
    return dict(next(block for block in section.blocks if isinstance(block, Facts)).items)


def table_of(section) -> Table:
    return next(block for block in section.blocks if isinstance(block, Table))


def query_count(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)
