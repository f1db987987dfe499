"""Evidence files, wherever they are attached (answers, actions, later incidents…).

The file has been checked by lib.uploads before it gets here; this module stores it under its
random name together with its row and audit entry (all or nothing), serves it back safely,
and deletes it only once the deletion of its row is committed.
"""

from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from . import audit


def attach_file(evidence, uploaded_file, *, stored_name, action, acting_user, details,
                request=None):
    """Save `evidence` (an unsaved EvidenceFile) with its file and its audit entry."""
    with transaction.atomic():
        evidence.size = uploaded_file.size
        evidence.uploaded_by = acting_user
        evidence.file.save(stored_name, uploaded_file, save=False)
        try:
            evidence.save()
            audit.record(action, actor=acting_user, organisation=evidence.organisation,
                         obj=evidence, request=request, details=details)
        except Exception:
            # The row is not there: neither must the file be.
            evidence.file.storage.delete(evidence.file.name)
            raise
    return evidence


def delete_files_on_commit(field_files):
    """Remove stored files once the rows that named them are gone for good."""
    for field_file in field_files:
        storage, name = field_file.storage, field_file.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def download_response(evidence):
    """The file as an attachment that no browser will run or render inline."""
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404(_("Ce fichier n'est plus disponible.")) from error
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
