"""Evidence files attached to an action: upload, download, delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pharmagarde.core.access import org_view
from pharmagarde.core.files import check_upload, download_response
from pharmagarde.core.i18n import translated
from pharmagarde.lib.uploads import UploadError, display_name, storage_name

from .. import services
from ..access import get_action_or_404, get_actionevidence_or_404
from ..forms import ActionForm, EvidenceForm
from .edit import render_edit


@org_view(write=True)
@require_POST
def actionevidence_upload(request, action_id):
    action = get_action_or_404(request, action_id)
    form = EvidenceForm(request.POST, request.FILES)
    uploaded = request.FILES.get("file")
    try:
        content_type = check_upload(request, uploaded)
        name = display_name(uploaded.name)
        services.action_evidence_add(acting_user=request.user, action=action,
                                     uploaded_file=uploaded, content_type=content_type,
                                     stored_name=storage_name(name), original_name=name,
                                     request=request)
    except UploadError as error:
        return refused(request, action, form, translated(error.args[0]))
    except ValidationError as invalid:
        return refused(request, action, form, " ".join(invalid.messages))
    messages.success(request, _("« %(name)s » est jointe à l'action.") % {"name": name})
    return redirect("action_edit", org_slug=request.organisation.slug, action_id=action.pk)


def refused(request, action, form, error):
    """The action page again, with the reason next to the file field."""
    form.is_valid()
    form.add_error("file", error)
    action_form = ActionForm(instance=action, organisation=request.organisation)
    return render_edit(request, action, action_form, evidence_form=form)


@org_view
def actionevidence_download(request, actionevidence_id):
    evidence = get_actionevidence_or_404(request, actionevidence_id)
    return download_response(evidence)


@org_view(write=True)
@require_POST
def actionevidence_delete(request, actionevidence_id):
    evidence = get_actionevidence_or_404(request, actionevidence_id)
    action_id = evidence.action_id
    services.action_evidence_remove(acting_user=request.user, evidence=evidence,
                                    request=request)
    messages.success(request, _("« %(name)s » est retirée de l'action.") % {
        "name": evidence.original_name})
    return redirect("action_edit", org_slug=request.organisation.slug, action_id=action_id)
