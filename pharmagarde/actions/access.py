"""The action plan's objects, fetched through the current organisation (core.access)."""

from django.http import HttpRequest

from pharmagarde.core.access import get_owned_or_404

from .models import Action, ActionEvidence


def get_action_or_404(request: HttpRequest, pk) -> Action:
    return get_owned_or_404(request, Action.objects.select_related("owner"), pk)


def get_actionevidence_or_404(request: HttpRequest, pk) -> ActionEvidence:
    return get_owned_or_404(request, ActionEvidence.objects.select_related("action"), pk)


def make_walk_objects(organisation) -> None:
    """One object of each of the plan's tenant models in `organisation`, for the access
    walk (tests/test_access_walk.py)."""
    from django.core.files.base import ContentFile

    action = Action.objects.create(organisation=organisation, title="Action du parcours")
    ActionEvidence.objects.create(organisation=organisation, action=action,
                                  file=ContentFile(b"%PDF-1.4", name="preuve.pdf"),
                                  original_name="preuve.pdf", size=8,
                                  content_type="application/pdf")
