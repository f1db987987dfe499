"""The privacy app's objects, fetched through the current organisation (core.access).

Who may open which page is said by the views' decorators (roles.py): the register, the
processors, the requests and the impact assessments are for READ_ROLES, written by
WRITE_ROLES; the notices are for everyone."""

from django.http import HttpRequest

from pharmagarde.core.access import get_owned_or_404

from .models import (
    Dpia,
    DpiaMeasure,
    PersonRequest,
    PrivacyProfile,
    PrivacyVersion,
    Processing,
    Processor,
    Retention,
)


def get_processing_or_404(request: HttpRequest, pk) -> Processing:
    return get_owned_or_404(request, Processing.objects.all(), pk)


def get_retention_or_404(request: HttpRequest, pk) -> Retention:
    return get_owned_or_404(request, Retention.objects.select_related("processing"), pk)


def get_processor_or_404(request: HttpRequest, pk) -> Processor:
    return get_owned_or_404(request, Processor.objects.all(), pk)


def get_request_or_404(request: HttpRequest, pk) -> PersonRequest:
    return get_owned_or_404(request, PersonRequest.objects.select_related(
        "processing", "handled_by"), pk)


def get_dpia_or_404(request: HttpRequest, pk) -> Dpia:
    return get_owned_or_404(request, Dpia.objects.select_related("processing"), pk)


def get_dpiameasure_or_404(request: HttpRequest, pk) -> DpiaMeasure:
    return get_owned_or_404(request, DpiaMeasure.objects.select_related("dpia"), pk)


def make_walk_objects(organisation) -> None:
    """One object of each of the privacy app's tenant models in `organisation`, for the
    access walk (tests/test_access_walk.py)."""
    import datetime

    PrivacyProfile.objects.create(organisation=organisation)
    processing = Processing.objects.create(organisation=organisation, number=1,
                                           name="Traitement du parcours")
    Retention.objects.create(organisation=organisation, processing=processing,
                             data="Tout", duration="1 an")
    processor = Processor.objects.create(organisation=organisation, name="Prestataire")
    processing.processors.add(processor)
    PersonRequest.objects.create(organisation=organisation, number=1,
                                 requester_name="Personne du parcours",
                                 right=PersonRequest.Right.ACCESS,
                                 received_on=datetime.date(2026, 1, 5))
    dpia = Dpia.objects.create(organisation=organisation, processing=processing,
                               title="Analyse du parcours")
    DpiaMeasure.objects.create(organisation=organisation, dpia=dpia, text="Mesure")
    PrivacyVersion.objects.create(organisation=organisation, record_type="processing",
                                  record_id=processing.pk, revision=1)
