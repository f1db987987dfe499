"""What each app says about one organisation on the page across one's organisations
(/mes-structures/): a few facts, each with its level and a link into that organisation.

An app declares `portfolio` (core/registry.py): `summaries(memberships) -> {organisation
id: [Fact]}` for the user's memberships (core.access.account_view), in a bounded number of
queries whatever their number, and only what the member's role there may see (the
membership's role is on each one).
"""

from dataclasses import dataclass

OK = "ok"
WARNING = "warning"
ALERT = "alert"
INFO = "info"


@dataclass(frozen=True)
class Fact:
    key: str  # « diagnostic.score »: the column it fills
    label: str  # the column's heading
    text: str  # « 62 / 100 », « 3 en retard »
    level: str = INFO
    url: str = ""  # into the organisation (/o/<slug>/…)
    order: int = 50
    value: float | None = None  # for sorting and filtering
