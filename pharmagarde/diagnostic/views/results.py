"""Results of an assessment: scores, radar chart, comparisons, priority measures."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from pharmagarde.actions.selectors import action_ids_by_key
from pharmagarde.core.access import org_view
from pharmagarde.core.models import OrganisationKind

from .. import charts, selectors
from ..access import get_assessment_or_404
from ..plan_source import SOURCE

PRIORITY_COUNT = 6
RADAR_CSP = "default-src 'none'; style-src 'none'; script-src 'none'; sandbox"


def _action_links(request, measure_ids):
    """{measure_id: url of its action in the plan}, for the actions that exist."""
    actions = action_ids_by_key(request.organisation, SOURCE.name, measure_ids)
    links = {}
    for measure_id, action_id in actions.items():
        try:
            links[measure_id] = reverse("action_edit",
                                        args=[request.organisation.slug, action_id])
        except NoReverseMatch:  # the plan's edit page is not there yet
            return {}
    return links


def _assessment_date(assessment):
    return date_format(assessment.completed_at or assessment.started_at, "j F Y")


def _radar(rows, assessment, previous=None, peers=None, *, standalone=False):
    """The radar chart's markup, or "" when the themes do not make a radar (fewer than 3)."""
    if not 3 <= len(rows) <= 20:
        return ""
    series = [charts.Series(_("Ce diagnostic (%(date)s)") % {"date": _assessment_date(assessment)},
                            tuple(row.score for row in rows))]
    if previous is not None:
        series.append(charts.Series(
            _("Diagnostic précédent (%(date)s)") % {"date": _assessment_date(previous)},
            tuple(row.previous for row in rows), "previous"))
    if peers is not None and peers.shown:
        series.append(charts.Series(_("Moyenne des structures du même type"),
                                    tuple(row.peers for row in rows), "peers"))
    return charts.radar_svg([str(row.theme.title) for row in rows], series,
                            title=_("Score par thème, sur 100"), standalone=standalone)


def _comparison_data(request, assessment, answers):
    """Everything the page and the chart compare: result, previous, peers, rows."""
    result = assessment.result(answers)
    previous = selectors.previous_assessment(assessment)
    new_gaps = closed_gaps = ()
    if previous is not None:
        _previous_result, new_gaps, closed_gaps = selectors.compare_with_previous(
            result, assessment.answer_values(answers), previous, list(previous.answers.all()))
    peers = selectors.peer_comparison(assessment, [t.theme.id for t in result.themes])
    rows = selectors.theme_rows(result, previous.theme_scores if previous else None,
                                peers.theme_scores)
    return result, previous, peers, rows, new_gaps, closed_gaps


def _answer_labels(gap, values):
    if gap.dont_know:
        return _("Je ne sais pas")
    value = values.get(gap.question.id)
    labels = [c.label for c in (gap.question.choice(cid) for cid in value.choice_ids) if c]
    return ", ".join(labels)


@org_view
def assessment_results(request, assessment_id):
    assessment = get_assessment_or_404(request, assessment_id)
    answers = list(assessment.answers.all())
    values = assessment.answer_values(answers)
    result, previous, peers, rows, new_gaps, closed_gaps = _comparison_data(
        request, assessment, answers)
    priority, others = result.priority_measures(PRIORITY_COUNT)
    links = _action_links(request, [gap.measure.id for gap in priority + others])
    score_change = (round(result.score - previous.score, 1)
                    if previous and previous.score is not None and result.score is not None
                    else None)
    by_criticality = {"critique": [], "majeure": [], "normale": []}
    for gap in result.gaps:
        by_criticality[gap.question.criticality].append(
            {"gap": gap, "answer": _answer_labels(gap, values)})
    return render(request, "diagnostic/results.html", {
        "assessment": assessment,
        "result": result,
        "level_explanation": selectors.level_explanation(result.level),
        "level_capped": selectors.level_capped(result),
        "rows": rows,
        "radar": mark_safe(_radar(rows, assessment, previous, peers)),  # noqa: S308 - escaped by charts
        "previous": previous,
        "score_change": score_change,
        "score_change_display": selectors.signed_points(score_change),
        "levels": selectors.level_bands(),
        "kind_label": OrganisationKind(assessment.organisation_kind).label
        if assessment.organisation_kind in OrganisationKind.values else "",
        "new_gaps": new_gaps,
        "closed_gaps": closed_gaps,
        "peers": peers,
        "peer_minimum": selectors.PEER_MINIMUM,
        "critical_gaps": by_criticality["critique"],
        "major_gaps": by_criticality["majeure"],
        "normal_gaps": by_criticality["normale"],
        "priority": [(gap, links.get(gap.measure.id)) for gap in priority],
        "others": [(gap, links.get(gap.measure.id)) for gap in others],
        "questions_for_provider": [gap for gap in result.gaps if gap.dont_know],
        "outdated": selectors.is_outdated(assessment),
        "latest_version": selectors.referentials.latest_version(),
    })


@org_view
def assessment_radar(request, assessment_id):
    """The radar chart alone, as an SVG file (to embed elsewhere or download)."""
    assessment = get_assessment_or_404(request, assessment_id)
    _result, previous, peers, rows, _new, _closed = _comparison_data(
        request, assessment, list(assessment.answers.all()))
    markup = _radar(rows, assessment, previous, peers, standalone=True)
    if not markup:
        raise Http404(_("Le graphique demande au moins trois thèmes."))
    response = HttpResponse(markup, content_type="image/svg+xml; charset=utf-8")
    # An SVG opened on its own is a document: nothing in it may run or load anything.
    response["Content-Security-Policy"] = RADAR_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = (
        f'inline; filename="diagnostic-{assessment.pk}-radar.svg"')
    return response


@org_view
def version_changes(request, assessment_id):
    assessment = get_assessment_or_404(request, assessment_id)
    changes = selectors.version_changes(assessment)
    return render(request, "diagnostic/results_version_changes.html", {
        "assessment": assessment,
        "same_version": changes["latest"] == assessment.referential_version,
        **changes,
    })
