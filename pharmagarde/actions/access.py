"""The action plan's objects, fetched through the current organisation (core.access)."""

from django.http import HttpRequest

from pharmagarde.core.access import get_owned_or_404

from .models import Action, ActionEvidence


def get_action_or_404(request: HttpRequest, pk) -> Action:
    return get_owned_or_404(request, Action.objects.select_related("owner"), pk)


def get_actionevidence_or_404(request: HttpRequest, pk) -> ActionEvidence:
    return get_owned_or_404(request, ActionEvidence.objects.select_related("action"), pk)
