"""Answering an assessment: list, start, theme pages with autosave, evidence, completion."""

from django.http import Http404
from django.shortcuts import render

from pharmagarde.core.access import org_view


@org_view
def assessment_list(request):
    assessments = request.organisation.assessments.all()
    return render(request, "diagnostic/assessment_list.html", {"assessments": assessments})


@org_view
def assessment_start(request):
    raise Http404


@org_view
def assessment_detail(request, assessment_id):
    raise Http404


@org_view
def assessment_theme(request, assessment_id, theme_id):
    raise Http404


@org_view
def answer_save(request, assessment_id, question_id):
    raise Http404


@org_view
def evidence_upload(request, assessment_id, question_id):
    raise Http404


@org_view
def evidence_download(request, evidence_id):
    raise Http404


@org_view
def evidence_delete(request, evidence_id):
    raise Http404


@org_view
def assessment_complete(request, assessment_id):
    raise Http404
