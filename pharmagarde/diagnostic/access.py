"""The diagnostic's objects, fetched through the current organisation (core.access)."""

from django.http import HttpRequest

from pharmagarde.core.access import get_owned_or_404

from .models import Assessment, Evidence


def get_assessment_or_404(request: HttpRequest, pk) -> Assessment:
    return get_owned_or_404(request, Assessment.objects.all(), pk)


def get_evidence_or_404(request: HttpRequest, pk) -> Evidence:
    return get_owned_or_404(request, Evidence.objects.select_related("answer"), pk)
