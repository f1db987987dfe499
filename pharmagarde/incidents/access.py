"""The incidents' objects, fetched through the current organisation (core.access).

A collaborateur sees only the incidents they declared; the others (roles.REGISTER_ROLES)
see every incident of the organisation and the breach register."""

from django.http import Http404, HttpRequest

from pharmagarde.core.access import get_owned_or_404

from .models import (
    Breach,
    EmergencyContact,
    Incident,
    Obligation,
    RecordVersion,
    ReflexStep,
    ResponseProfile,
    TimelineEntry,
    TimelineFile,
)
from .roles import REGISTER_ROLES


def sees_all(request: HttpRequest) -> bool:
    return request.membership.role in REGISTER_ROLES


def visible_incidents(request: HttpRequest):
    incidents = Incident.objects.filter(organisation=request.organisation)
    if not sees_all(request):
        incidents = incidents.filter(declared_by=request.user)
    return incidents


def get_incident_or_404(request: HttpRequest, pk) -> Incident:
    incident = get_owned_or_404(request, Incident.objects.select_related("declared_by"), pk)
    if not sees_all(request) and incident.declared_by_id != request.user.pk:
        raise Http404
    return incident


def get_reflexstep_or_404(request: HttpRequest, pk) -> ReflexStep:
    step = get_owned_or_404(request, ReflexStep.objects.select_related("incident"), pk)
    get_incident_or_404(request, step.incident_id)
    return step


def get_breach_or_404(request: HttpRequest, pk) -> Breach:
    # The views of the register are kept to REGISTER_ROLES by their decorator.
    return get_owned_or_404(request, Breach.objects.select_related("incident"), pk)


def get_emergencycontact_or_404(request: HttpRequest, pk) -> EmergencyContact:
    return get_owned_or_404(request, EmergencyContact.objects.all(), pk)


def get_timelinefile_or_404(request: HttpRequest, pk) -> TimelineFile:
    attached = get_owned_or_404(request, TimelineFile.objects.select_related("entry"), pk)
    get_incident_or_404(request, attached.entry.incident_id)
    return attached


def make_walk_objects(organisation) -> None:
    """One object of each of the incidents' tenant models in `organisation`, for the
    access walk (tests/test_access_walk.py)."""
    from django.utils import timezone

    now = timezone.now()
    ResponseProfile.objects.create(organisation=organisation)
    EmergencyContact.objects.create(organisation=organisation, kind="prestataire",
                                    name="Prestataire du parcours")
    incident = Incident.objects.create(organisation=organisation, number=1,
                                       kind=Incident.Kind.OTHER, description="Parcours",
                                       noticed_at=now)
    ReflexStep.objects.create(organisation=organisation, incident=incident, position=1,
                              key="noter", text="Noter")
    entry = TimelineEntry.objects.create(organisation=organisation, incident=incident,
                                         at=now, text="Parcours")
    TimelineFile.objects.create(organisation=organisation, entry=entry, file="walk.txt",
                                original_name="walk.txt", size=1, content_type="text/plain")
    Breach.objects.create(organisation=organisation, number=1, incident=incident,
                          aware_at=now)
    Obligation.objects.create(organisation=organisation, incident=incident, code="cnil_initial")
    RecordVersion.objects.create(organisation=organisation, record_type="incident",
                                 record_id=incident.pk, revision=1)
