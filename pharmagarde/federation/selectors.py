"""Reads of the federation app: a snapshot as the tables the dashboard and its spreadsheet
show (the same objects for both: the export is exactly what is shown), a member's place
in its federations, and the published phishing rates the awareness results show.

Nothing here reads a member's values except `place`, which reads the asking
organisation's own values for its own page.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core.models import Organisation, OrganisationKind, Region, SizeBand

from . import aggregates, values
from .models import FederationMember, Snapshot
from .snapshots import latest_snapshots

LEVEL_LABELS = {
    "initial": gettext_lazy("initial (moins de 40)"),
    "progres": gettext_lazy("en progrès (40 à 59)"),
    "etabli": gettext_lazy("établi (60 à 79)"),
    "avance": gettext_lazy("avancé (80 et plus)"),
}
SHORT_LEVEL_LABELS = {
    "initial": gettext_lazy("initial"), "progres": gettext_lazy("en progrès"),
    "etabli": gettext_lazy("établi"), "avance": gettext_lazy("avancé"),
}
REASONS = {
    aggregates.FEW: gettext_lazy("moins de 11 structures"),
    aggregates.GROUP: gettext_lazy("toutes dans le même niveau : masqué pour ne rien dire "
                                   "de chacune"),
    aggregates.DOMINANT: gettext_lazy("une structure représente plus de 85 %"),
    aggregates.SECONDARY: gettext_lazy("masquée pour qu'on ne puisse pas la déduire des "
                                       "totaux"),
    aggregates.HIDDEN: gettext_lazy("moins de 11 structures, ou masquée pour qu'on ne "
                                    "puisse pas la déduire des totaux"),
}
# The footnote mark of each reason.
MARKS = {aggregates.FEW: "a", aggregates.DOMINANT: "b", aggregates.SECONDARY: "c",
         aggregates.GROUP: "d", aggregates.HIDDEN: "e"}
# The score range of each level: (lowest, highest).
_RANGES = {key: (lowest, (aggregates.LEVELS[i + 1][1] - 1) if i + 1 < len(aggregates.LEVELS)
                 else None) for i, (key, lowest) in enumerate(aggregates.LEVELS)}
DIMENSION_LABELS = {"kind": gettext_lazy("Profession"), "region": gettext_lazy("Région"),
                    "size_band": gettext_lazy("Taille")}
_CHOICES = {"kind": OrganisationKind, "region": Region, "size_band": SizeBand}


def level_columns(distribution: dict) -> list[tuple[str, ...]]:
    """The levels of each column of a published distribution (one level each in the
    snapshots made before levels could be merged)."""
    return [tuple(column) for column in distribution.get("columns", ())] or [
        (key,) for key, _lowest in aggregates.LEVELS]


def _range_text(lowest: int, highest: int | None) -> str:
    if lowest == 0 and highest is None:
        return _("de 0 à 100")
    if lowest == 0:
        return _("moins de %(n)d") % {"n": highest + 1}
    if highest is None:
        return _("%(n)d et plus") % {"n": lowest}
    return _("%(low)d à %(high)d") % {"low": lowest, "high": highest}


def column_label(levels: tuple[str, ...], *, short: bool = False) -> str:
    """« établi (60 à 79) », or for merged levels « initial ou en progrès (moins de
    60) », « initial à établi (moins de 80) », « tous les niveaux (de 0 à 100) »."""
    if len(levels) == 1:
        return str((SHORT_LEVEL_LABELS if short else LEVEL_LABELS)[levels[0]])
    first, last = str(SHORT_LEVEL_LABELS[levels[0]]), str(SHORT_LEVEL_LABELS[levels[-1]])
    if len(levels) == len(aggregates.LEVELS):
        name = _("tous les niveaux")
    elif len(levels) == 2:
        name = _("%(first)s ou %(last)s") % {"first": first, "last": last}
    else:
        name = _("%(first)s à %(last)s") % {"first": first, "last": last}
    if short:
        return name
    return f"{name} ({_range_text(_RANGES[levels[0]][0], _RANGES[levels[-1]][1])})"


def category_label(dimension: str, key: str) -> str:
    if not key:
        return _("Non renseignée")
    try:
        return str(_CHOICES[dimension](key).label)
    except ValueError:
        return key


def _row_label(dimension: str, row: dict) -> str:
    """A distribution row's category, or « Autres : … » for categories merged (a row whose
    units all shared one level, aggregates.merge_one_level_rows)."""
    if row.get("merged"):
        return _("Autres : %(categories)s") % {"categories": ", ".join(
            category_label(dimension, key) for key in row["merged"])}
    return category_label(dimension, row["key"])


def shared_metrics() -> list[str]:
    """What a member shares, in words: the metrics of every installed app
    (values.catalogue), the diagnostic's themes in one line."""
    labels, themes = [], False
    for key, metric in values.catalogue().items():
        if key.startswith(aggregates.THEME_PREFIX):
            if not themes:
                labels.append(_("Le score de chaque thème du diagnostic"))
            themes = True
        else:
            labels.append(str(metric.label))
    return labels


@dataclass(frozen=True)
class Figure:
    value: int | None
    reason: str | None = None
    suffix: str = ""

    @classmethod
    def of(cls, figure: dict | None, suffix: str = "") -> "Figure":
        figure = figure or {}
        return cls(figure.get("value"), figure.get("reason") or (
            None if figure.get("value") is not None else aggregates.FEW), suffix)

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def text(self) -> str:
        return "—" if self.hidden else f"{self.value}{self.suffix}"

    @property
    def mark(self) -> str:
        return MARKS.get(self.reason, "") if self.hidden else ""

    @property
    def why(self) -> str:
        return str(REASONS.get(self.reason, "")) if self.hidden else ""


@dataclass
class Table:
    key: str
    caption: str
    corner: str  # the heading of the first column
    columns: list[str]
    rows: list[tuple[str, list[Figure]]]
    footer: tuple[str, list[Figure]] | None = None


@dataclass
class Bar:
    label: str
    figure: Figure
    x: int = 0
    height: int = 0
    y: int = 0


@dataclass
class Dashboard:
    snapshot: Snapshot
    units: int
    minimum: int
    tables: list[Table] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    trend: list[dict] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.units >= self.minimum

    @property
    def reasons(self) -> list[tuple[str, str]]:
        """The footnotes the tables need: (mark, why)."""
        used = {figure.reason for table in self.tables
                for _label, figures in table.rows + ([table.footer] if table.footer else [])
                for figure in figures if figure.hidden}
        return [(MARKS[reason], str(REASONS[reason])) for reason in MARKS if reason in used]


CHART_HEIGHT = 160
BAR_WIDTH = 70
BAR_GAP = 30


def _bars(distribution: dict) -> list[Bar]:
    """The overall distribution by level as bars, scaled on the largest shown count."""
    figures = [Figure.of(cell) for cell in distribution.get("totals", [])]
    bars = [Bar(column_label(levels, short=True), figure)
            for levels, figure in zip(level_columns(distribution), figures, strict=False)]
    top = max((bar.figure.value for bar in bars if not bar.figure.hidden), default=0)
    for index, bar in enumerate(bars):
        bar.x = BAR_GAP + index * (BAR_WIDTH + BAR_GAP)
        bar.height = round(CHART_HEIGHT * bar.figure.value / top) if top and \
            not bar.figure.hidden else 0
        bar.y = 20 + CHART_HEIGHT - bar.height
    return bars


def _distribution_table(dimension: str, data: dict) -> Table:
    return Table(
        key=f"distribution-{dimension}",
        caption=_("Structures par niveau de maturité et par %(what)s")
        % {"what": str(DIMENSION_LABELS[dimension]).lower()},
        corner=str(DIMENSION_LABELS[dimension]),
        columns=[column_label(levels) for levels in level_columns(data)] + [_("Total")],
        rows=[(_row_label(dimension, row),
               [Figure.of(cell) for cell in row["cells"]] + [Figure.of(row["total"])])
              for row in data.get("rows", [])],
        footer=(_("Toutes"), [Figure.of(cell) for cell in data.get("totals", [])]
                + [Figure.of(data.get("grand"))]))


def _means_table(means: dict) -> Table:
    rows = []
    for dimension in aggregates.DIMENSIONS:
        for key, figure in means.get(dimension, {}).items():
            rows.append((f"{DIMENSION_LABELS[dimension]} : {category_label(dimension, key)}",
                         [Figure.of(figure, " / 100")]))
    return Table(key="means", caption=_("Score moyen du diagnostic (sur 100)"),
                 corner=_("Structures"), columns=[_("Score moyen")], rows=rows,
                 footer=(_("Toutes les structures"), [Figure.of(means.get("overall"),
                                                                " / 100")]))


def _rates_table(rates: dict, catalogue: dict) -> Table:
    kinds = sorted({kind for rate in rates.values() for kind in rate.get("kind", {})})
    rows = [(str(catalogue[key].label) if key in catalogue else key,
             [Figure.of(rate.get("overall"), " %")]
             + [Figure.of(rate.get("kind", {}).get(kind), " %") for kind in kinds])
            for key, rate in rates.items()]
    return Table(key="rates", caption=_("Formation et exercices d'hameçonnage"),
                 corner=_("Taux"), rows=rows,
                 columns=[_("Toutes les structures")]
                 + [category_label("kind", kind) for kind in kinds])


def _scores_table(scores: dict, catalogue: dict) -> Table:
    """The other scores (aggregates.compute's `scores`): overall and by profession."""
    kinds = sorted({kind for score in scores.values() for kind in score.get("kind", {})})
    rows = [(str(catalogue[key].label) if key in catalogue else key,
             [Figure.of(score.get("overall"))]
             + [Figure.of(score.get("kind", {}).get(kind)) for kind in kinds])
            for key, score in scores.items()]
    return Table(key="scores", caption=_("Plan d'action"), corner=_("Moyenne"), rows=rows,
                 columns=[_("Toutes les structures")]
                 + [category_label("kind", kind) for kind in kinds])


def _shares_table(shares: dict, catalogue: dict) -> Table:
    return Table(key="shares", caption=_("Sauvegardes et continuité"),
                 corner=_("Part des structures"), columns=[_("Toutes les structures")],
                 rows=[(str(catalogue[key].label) if key in catalogue else key,
                        [Figure.of(figure, " %")]) for key, figure in shares.items()])


def _gaps_table(gaps: list, catalogue: dict) -> Table:
    return Table(key="gaps", caption=_("Les manques les plus fréquents"),
                 corner=_("Thème du diagnostic"),
                 columns=[_("Part des structures sous 50 / 100")],
                 rows=[(str(catalogue[gap["key"]].label) if gap["key"] in catalogue
                        else gap["key"], [Figure.of(gap, " %")]) for gap in gaps])


def _trend(points: list[dict]) -> list[dict]:
    """The trend's points with their period as a datetime (stored as ISO text), for the
    date filter and the spreadsheet."""
    return [{**point, "period": datetime.fromisoformat(point["period"])} for point in points
            if point.get("period")]


def dashboard(snapshot: Snapshot) -> Dashboard:
    """The snapshot as tables; no query (the catalogue is the apps' declarations)."""
    data = snapshot.data or {}
    catalogue = values.catalogue()
    found = Dashboard(snapshot=snapshot, units=data.get("units", snapshot.units),
                      minimum=data.get("minimum", 11), trend=_trend(data.get("trend", [])))
    distributions = data.get("distributions", {})
    found.tables = [_distribution_table(d, distributions.get(d, {}))
                    for d in aggregates.DIMENSIONS]
    found.tables += [_means_table(data.get("means", {})),
                     _gaps_table(data.get("gaps", []), catalogue),
                     _rates_table(data.get("rates", {}), catalogue),
                     _shares_table(data.get("shares", {}), catalogue)]
    if data.get("scores"):  # snapshots made before they were published have none
        found.tables.append(_scores_table(data["scores"], catalogue))
    found.bars = _bars(distributions.get("kind", {}))
    return found


# ------------------------------------------------------------- a member's place

@dataclass
class Place:
    membership: FederationMember
    snapshot: Snapshot | None
    own: dict  # the organisation's own values now
    rows: list[tuple[str, str, Figure, Figure]] = field(default_factory=list)
    level: str = ""
    level_row: list[tuple[str, Figure, bool]] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return str(SHORT_LEVEL_LABELS[self.level]) if self.level else ""


def _own_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return f"{round(100 * value[0] / value[1])} %" if value[1] else "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    return f"{round(value)} / 100"


def memberships_of(organisation: Organisation):
    return (FederationMember.objects.filter(member=organisation,
                                            status=FederationMember.Status.MEMBER)
            .select_related("organisation").order_by("organisation__name", "pk"))


def places(organisation: Organisation, now) -> list[Place]:
    """For each federation the organisation belongs to: its own current values next to the
    federation's published figures (overall and its profession), its maturity level and
    that level's row of the published distribution. Four queries and each app's values,
    whatever the number of federations."""
    memberships = list(memberships_of(organisation))
    if not memberships:
        return []
    snapshots = latest_snapshots({m.organisation_id for m in memberships})
    own = values.collect({organisation.pk}, now).get(organisation.pk, {})
    catalogue = values.catalogue()
    found = []
    for membership in memberships:
        snapshot = snapshots.get(membership.organisation_id)
        place = Place(membership, snapshot, own)
        data = snapshot.data if snapshot else {}
        kind = organisation.kind
        score = own.get(aggregates.SCORE_KEY)
        means = data.get("means", {})
        place.rows.append((str(catalogue[aggregates.SCORE_KEY].label)
                           if aggregates.SCORE_KEY in catalogue else _("Score du diagnostic"),
                           _own_text(score), Figure.of(means.get("overall"), " / 100"),
                           Figure.of(means.get("kind", {}).get(kind), " / 100")))
        for key, rate in data.get("rates", {}).items():
            place.rows.append((str(catalogue[key].label) if key in catalogue else key,
                               _own_text(own.get(key)),
                               Figure.of(rate.get("overall"), " %"),
                               Figure.of(rate.get("kind", {}).get(kind), " %")))
        for key, share in data.get("shares", {}).items():
            place.rows.append((str(catalogue[key].label) if key in catalogue else key,
                               _own_text(own.get(key)), Figure.of(share, " %"),
                               Figure(None, None)))
        if score is not None:
            place.level = aggregates.level_of(score)
        distribution = data.get("distributions", {}).get("kind", {})
        place.level_row = [(column_label(levels, short=True), Figure.of(cell),
                            place.level in levels)
                           for levels, cell in zip(level_columns(distribution),
                                                   distribution.get("totals", []),
                                                   strict=False)]
        found.append(place)
    return found


def pending_invitations(organisation: Organisation, *, expired: bool = False):
    """The invitations waiting for an answer from one of the organisation's responsables,
    addresses compared without case (« Alice@… » is alice@…). Those whose link has
    expired are left out unless `expired` (answering one says why it cannot be)."""
    emails = (organisation.memberships.filter(role="responsable")
              .annotate(address=Lower("user__email")).values("address"))
    found = (FederationMember.objects.annotate(address=Lower("invited_email"))
             .filter(status=FederationMember.Status.INVITED, address__in=emails))
    if not expired:
        found = found.filter(expires_at__gt=timezone.now())
    return found.select_related("organisation").order_by("organisation__name", "pk")


# ------------------------------------------------------ for the awareness results

@dataclass(frozen=True)
class PublishedRates:
    federation: str
    period_start: str
    click: Figure
    report: Figure


def phishing_rates(organisation: Organisation) -> list[PublishedRates]:
    """The published phishing click and report rates of each federation the organisation
    belongs to that has a snapshot. Two queries."""
    memberships = list(memberships_of(organisation))
    snapshots = latest_snapshots({m.organisation_id for m in memberships}) \
        if memberships else {}
    found = []
    for membership in memberships:
        snapshot = snapshots.get(membership.organisation_id)
        if snapshot is None:
            continue
        rates = snapshot.data.get("rates", {})
        found.append(PublishedRates(
            membership.organisation.name, snapshot.period_start,
            Figure.of(rates.get("awareness.phishing_click", {}).get("overall"), " %"),
            Figure.of(rates.get("awareness.phishing_report", {}).get("overall"), " %")))
    return found
