"""What an app hands to the audit packs (the reports app builds them): sections made of
plain blocks, and the evidence each rests on, with its date and how long it stays fresh.

An app declares `pack_sections` (core/registry.py): a function `sections(pack) -> list of
Section`, given a PackRequest. It returns the sections it has for that regime (none when
it has nothing to say, or nothing recorded: then one Section whose blocks say so, so that
the auditor sees the gap). The reports app orders the sections of every app, renders the
same blocks as a page, a PDF (WeasyPrint) and a DOCX, and the tables as XLSX sheets.

Blocks are data, never HTML, except Figure's SVG, which the app builds itself from numbers
(no user text inside unescaped): whatever a user typed is escaped by every renderer.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from pharmagarde.lib.dates import add_months


@dataclass(frozen=True)
class Regime:
    key: str
    label: str
    # The kinds of organisation it applies to (None: every kind but federations).
    kinds: frozenset[str] | None = None
    description: str = ""


GENERAL = "general"
CNIL = "cnil"
DQO = "dqo"
COFRAC = "cofrac"
CARE = "care"
NIS2 = "nis2"

REGIMES = (
    Regime(GENERAL, _("État de la sécurité"), None,
           _("Diagnostic, plan d'action, constats, formation, incidents et continuité.")),
    Regime(CNIL, _("Contrôle de la CNIL"), None,
           _("Registre des violations, sous-traitants, information du personnel, "
             "liste de vérification CNIL–CNOP.")),
    Regime(DQO, _("Démarche qualité à l'officine (DQO)"), frozenset({"officine"}),
           _("Les preuves de sécurité du système d'information attendues par la DQO.")),
    Regime(COFRAC, _("ISO 15189 § 7.6 / Cofrac"), frozenset({"lbm"}),
           _("Maîtrise des données et gestion de l'information du laboratoire.")),
    Regime(CARE, _("Programme CaRE, domaine 2"), frozenset({"pui"}),
           _("Sauvegardes, continuité et reprise d'activité des établissements.")),
    Regime(NIS2, _("NIS 2 : articles 20, 21 et 23"), frozenset({"industrie", "distribution",
                                                                 "pui", "lbm"}),
           _("Mesures de gestion des risques, notification des incidents, "
             "approbation par la direction.")),
)


def regime(key: str) -> Regime | None:
    return next((r for r in REGIMES if r.key == key), None)


def regimes_for(organisation) -> list[Regime]:
    """The regimes an organisation can ask a pack for."""
    if organisation.kind == "federation":
        return []
    return [r for r in REGIMES if r.kinds is None or organisation.kind in r.kinds]


@dataclass(frozen=True)
class PackRequest:
    """What a section provider is given: whose pack, which regime, as of which day."""

    organisation: object
    regime: str
    today: datetime.date


# Freshness of one piece of evidence. FAILED: whatever its date, the section's own
# figures say the requirement was not met (a notification after 72 hours, a plan changed
# since its approval): the checklist says « non satisfaite », not « ancienne ».
FRESH = "fresh"
STALE = "stale"
MISSING = "missing"
FAILED = "failed"

FRESHNESS_LABELS = {FRESH: _("à jour"), STALE: _("ancienne"), MISSING: _("absente"),
                    FAILED: _("non conforme")}


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: what it is, when it dates from, and for how many months it
    counts as fresh (None: it does not age). No date: it is missing. `failed` says why the
    section's own verdict is negative (« 1 notification faite après 72 heures sans raison
    donnée »): then the evidence is not met, however recent."""

    label: str
    date: datetime.date | None
    max_age_months: int | None = 12
    detail: str = ""
    # Stable within its section, for a regime's requirement that rests on this piece of
    # evidence only (« continuity.backups#hors-ligne », reports/checklists.py).
    key: str = ""
    failed: str = ""

    def freshness(self, today: datetime.date) -> str:
        if self.failed:
            return FAILED
        if self.date is None:
            return MISSING
        if self.max_age_months is None:
            return FRESH
        return FRESH if add_months(local_day(self.date), self.max_age_months) >= today \
            else STALE


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Facts:
    """Label–value pairs (« Score global : 62 / 100 »)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]  # str, int, float, date or None: escaped by every renderer
    caption: str = ""
    # The sheet's name in the XLSX (the section title when empty).
    sheet: str = ""
    empty: str = ""  # what to say when there are no rows


@dataclass(frozen=True)
class Figure:
    svg: str  # built by the app from numbers only
    caption: str  # also the text alternative


@dataclass(frozen=True)
class Checklist:
    """Requirements of a regime and whether the organisation meets them: (text,
    reference, state, where the proof is), state being "met", "partial", "unmet" or
    "unknown"."""

    items: tuple[tuple[str, str, str, str], ...]


@dataclass
class Section:
    key: str  # unique within a pack, « diagnostic.scores »
    title: str
    order: int  # position in the pack, across apps
    blocks: list = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    # Regime-specific references this section answers (« ISO 15189 § 7.6.2 »).
    references: tuple[str, ...] = ()


def local_day(value) -> datetime.date | None:
    """The local day of a date or of an aware datetime (None stays None): what the
    sections give as an evidence's date and in their tables."""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return timezone.localdate(value)
    return value


def day_text(value, never: str = "") -> str:
    """« 03/02/2025 » for a date or an aware datetime; `never` (« jamais ») for None."""
    day = local_day(value)
    return day.strftime("%d/%m/%Y") if day else str(never or _("jamais"))
