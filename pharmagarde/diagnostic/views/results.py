"""Results of an assessment: scores, radar chart, comparisons, priority measures."""

from django.http import Http404

from pharmagarde.core.access import org_view


@org_view
def assessment_results(request, assessment_id):
    raise Http404


@org_view
def assessment_radar(request, assessment_id):
    raise Http404


@org_view
def version_changes(request, assessment_id):
    raise Http404
