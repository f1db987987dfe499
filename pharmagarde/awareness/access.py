"""The awareness app's objects, fetched through the current organisation (core.access)."""

from django.http import HttpRequest

from pharmagarde.core.access import get_owned_or_404

from .models import (
    Assignment,
    Campaign,
    CustomTemplate,
    Event,
    Recipient,
    ReportMailbox,
    SendingProfile,
    StaffGroup,
)


def get_campaign_or_404(request: HttpRequest, pk) -> Campaign:
    return get_owned_or_404(request, Campaign.objects.select_related("profile"), pk)


def get_sendingprofile_or_404(request: HttpRequest, pk) -> SendingProfile:
    return get_owned_or_404(request, SendingProfile.objects.all(), pk)


def get_customtemplate_or_404(request: HttpRequest, pk) -> CustomTemplate:
    return get_owned_or_404(request, CustomTemplate.objects.all(), pk)


def get_staffgroup_or_404(request: HttpRequest, pk) -> StaffGroup:
    return get_owned_or_404(request, StaffGroup.objects.all(), pk)


def get_assignment_or_404(request: HttpRequest, pk) -> Assignment:
    return get_owned_or_404(request, Assignment.objects.select_related("person"), pk)


def make_walk_objects(organisation) -> None:
    """One object of each of the awareness app's tenant models in `organisation`, for the
    access walk (tests/test_access_walk.py)."""
    from django.utils import timezone

    from pharmagarde.core.models import Person

    now = timezone.now()
    person = Person.objects.create(organisation=organisation, first_name="Parcours",
                                   last_name="Sensibilisation", email="parcours@example.org")
    group = StaffGroup.objects.create(organisation=organisation, name="Comptoir")
    group.members.add(person)
    profile = SendingProfile.objects.create(organisation=organisation, name="Relais",
                                            host="127.0.0.1", from_address="envoi@example.org")
    CustomTemplate.objects.create(organisation=organisation, name="Modèle",
                                  sender_name="X", sender_address="x@example.org",
                                  subject="Objet", html="<p>Bonjour</p>")
    campaign = Campaign.objects.create(organisation=organisation, number=1, name="Parcours",
                                       profile=profile)
    recipient = Recipient.objects.create(organisation=organisation, campaign=campaign,
                                         person=person, email=person.email, send_at=now)
    Event.objects.create(organisation=organisation, campaign=campaign, recipient=recipient,
                         kind=Event.Kind.SENT, at=now)
    ReportMailbox.objects.create(organisation=organisation, host="127.0.0.1",
                                 username="signalement")
    Assignment.objects.create(organisation=organisation, person=person,
                              module="hameconnage")
