"""The diagnostic's part of the audit packs: the latest completed assessment.

Its date (evidence for twelve months), global score and maturity level, the score of each
theme as a table and as the radar of the results page (charts.py, built from numbers and
the referential's titles), and the six priority measures. No completed assessment: a
section that says so, its evidence missing. Two queries (the assessment, its answers),
whatever the size of the questionnaire.
"""

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core.packs import (
    CNIL,
    COFRAC,
    DQO,
    GENERAL,
    NIS2,
    Evidence,
    Facts,
    Figure,
    PackRequest,
    Paragraph,
    Section,
    Table,
)

from . import charts, selectors

KEY = "diagnostic.assessment"
REGIMES = frozenset({GENERAL, CNIL, DQO, COFRAC, NIS2})
PRIORITY_COUNT = 6
CRITICALITY_LABELS = {"critique": gettext_lazy("critique"), "majeure": gettext_lazy("majeure"),
                      "normale": gettext_lazy("normale")}
REFERENCES = ("NIS 2, art. 21(2)(a)", "NIS 2, art. 21(2)(f)", "Guide CNIL–CNOP (2023)",
              "ISO 15189:2022 § 7.6.3")


def _score(value) -> str:
    return _("%(score)s / 100") % {"score": number_format(round(value), 0)} \
        if value is not None else _("non évalué")


def _radar(rows) -> Figure | None:
    if not 3 <= len(rows) <= 20:
        return None
    labels = [str(row.theme.title) for row in rows]
    series = [charts.Series(_("Ce diagnostic"), tuple(row.score for row in rows))]
    description = charts.describe(labels, series)
    return Figure(svg=charts.radar_svg(labels, series, title=_("Score par thème, sur 100"),
                                       description=description, id_prefix="pack-radar"),
                  caption=description)


def assessment(pack: PackRequest) -> Section:
    title = _("Diagnostic de sécurité")
    latest = selectors.latest_completed(pack.organisation)
    if latest is None:
        return Section(
            key=KEY, title=title, order=10, references=REFERENCES,
            blocks=[Paragraph(_("Aucun diagnostic n'a été terminé. Faites le diagnostic "
                                "dans Pharmagarde : il donne le score, le niveau de "
                                "maturité et les mesures prioritaires."))],
            evidence=[Evidence(_("Diagnostic terminé"), None)])
    completed = timezone.localdate(latest.completed_at)
    result = latest.result(list(latest.answers.all()))
    rows = result.themes
    priority, _others = result.priority_measures(PRIORITY_COUNT)
    blocks = [
        Facts(((_("Terminé le"), completed.strftime("%d/%m/%Y")),
               (_("Score global"), _score(result.score)),
               (_("Niveau de maturité"),
                f"{result.level} — {selectors.level_label(result.level)}"),
               (_("Questions répondues"), f"{result.answered} / {result.visible}"),
               (_("Version du questionnaire"), latest.referential_version))),
        Table(columns=(_("Thème"), _("Score sur 100"), _("Écarts")),
              rows=tuple((str(row.theme.title),
                          round(row.score) if row.score is not None else None,
                          len(row.gaps)) for row in rows),
              caption=_("Score par thème"), sheet=_("Diagnostic"),
              empty=_("Aucun thème évalué.")),
    ]
    if figure := _radar(rows):
        blocks.append(figure)
    blocks.append(Table(
        columns=(_("Mesure prioritaire"), _("Criticité"), _("Question")),
        rows=tuple((str(gap.measure.title),
                    str(CRITICALITY_LABELS.get(gap.question.criticality,
                                               gap.question.criticality)),
                    str(gap.question.text)) for gap in priority),
        caption=_("Les %(count)d mesures prioritaires") % {"count": PRIORITY_COUNT},
        sheet=_("Mesures prioritaires"),
        empty=_("Aucun écart : toutes les réponses sont au niveau attendu.")))
    return Section(key=KEY, title=title, order=10, blocks=blocks, references=REFERENCES,
                   evidence=[Evidence(_("Diagnostic terminé"), completed)])


BUILDERS = {KEY: (assessment, REGIMES)}


def sections(pack: PackRequest) -> list[Section]:
    return [build(pack) for build, regimes in BUILDERS.values() if pack.regime in regimes]
