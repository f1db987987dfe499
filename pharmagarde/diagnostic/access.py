"""The diagnostic's objects, fetched through the current organisation (core.access)."""

from django.http import HttpRequest

from pharmagarde.core.access import get_owned_or_404

from .models import Assessment, Evidence


def get_assessment_or_404(request: HttpRequest, pk) -> Assessment:
    return get_owned_or_404(request, Assessment.objects.all(), pk)


def get_evidence_or_404(request: HttpRequest, pk) -> Evidence:
    return get_owned_or_404(request, Evidence.objects.select_related("answer"), pk)


def make_walk_objects(organisation) -> None:
    """One object of each of the diagnostic's tenant models in `organisation`, for the
    access walk (tests/test_access_walk.py)."""
    from django.core.files.base import ContentFile

    from .models import Answer

    assessment = Assessment.objects.create(
        organisation=organisation, referential_version="2026.1",
        organisation_kind=organisation.kind, size_band=organisation.size_band)
    answer = Answer.objects.create(organisation=organisation, assessment=assessment,
                                   question_id="gouv-referent", choice_ids=["oui"])
    Evidence.objects.create(organisation=organisation, answer=answer,
                            file=ContentFile(b"%PDF-1.4", name="preuve.pdf"),
                            original_name="preuve.pdf", size=8,
                            content_type="application/pdf")
