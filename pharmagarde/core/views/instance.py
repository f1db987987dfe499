"""The instance administrator's pages (superusers): not under any organisation."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import backup


@login_required
@require_GET
def instance_backups(request):
    """The instance's own last backup and last successful restore check."""
    if not request.user.is_superuser:
        raise Http404
    return render(request, "core/instance_backups.html", backup.status(timezone.now()))
